import FieldbookCentral
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Foundation
import XCTest

/// The sync half of the store contract (`CentralSyncStore`), run against SQLite and PostgreSQL alike: enrolment and
/// binding, push (contiguity, gaps, duplicates, refusals), pull (fresh device, delta, resume, purge on reassignment).
final class SyncContractTests: XCTestCase {
    func testEnrolmentAndBindNeverTakeOverAnActor() async throws {
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            let token = try await store.addDevice(for: "M001", address: "127.0.0.1:7420")
            let other = try await store.addDevice(for: "M001", address: "127.0.0.1:7420")

            let fresh = try await store.enrolment(of: token.device)
            XCTAssertEqual(fresh, DeviceEnrolment(secret: token.secret, principal: "M001", actor: nil, revoked: false), name)
            let unknown = try await store.enrolment(of: DeviceID(bytes: [UInt8](repeating: 7, count: 16))!)
            XCTAssertNil(unknown, name)

            let actor = ActorID.random()
            try await store.bind(token.device, actor: actor)
            let bound = try await store.enrolment(of: token.device)
            XCTAssertEqual(bound?.actor, actor, name)
            // Another device cannot take the actor over, and a bound device keeps its first actor.
            do {
                try await store.bind(other.device, actor: actor)
                XCTFail("\(name): a second device bound an actor already bound")
            } catch let error as SyncError {
                XCTAssertEqual(error.code, .authFailed, name)
            }
            try await store.bind(token.device, actor: .random())
            let kept = try await store.enrolment(of: token.device)
            XCTAssertEqual(kept?.actor, actor, name)
            let otherEnrolment = try await store.enrolment(of: other.device)
            XCTAssertNil(otherEnrolment?.actor, name)

            // An actor whose ops the centre holds cannot be bound either (its device was revoked, say).
            var device = ContractDevice.enrolledForTests(token: token, actor: actor)
            _ = try await store.push([device.createCustomer().op], from: device.account)
            _ = try await store.revokeDevice(token.device.hex)
            let third = try await store.addDevice(for: "M001", address: "127.0.0.1:7420")
            do {
                try await store.bind(third.device, actor: actor)
                XCTFail("\(name): an actor with ops was bound again")
            } catch let error as SyncError {
                XCTAssertEqual(error.code, .authFailed, name)
            }
            let revoked = try await store.enrolment(of: token.device)
            XCTAssertEqual(revoked?.revoked, true, name)
            XCTAssertEqual(revoked?.secret, [], name)

            let opening = try await store.opening(actor)
            XCTAssertEqual(opening.held, 1, name)
            XCTAssertLessThan(
                abs(Int64(opening.time.milliseconds) - Int64(Date().timeIntervalSince1970 * 1000)), 60_000, name)
        }
    }

    func testPushIsContiguousIgnoresDuplicatesAndStopsAtAGap() async throws {
        var outcomes: [String: [PushOutcome]] = [:]
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            var device = try await ContractDevice.enrol(store, principal: "M001")
            let (customer, create) = device.createCustomer()
            let ops = [create] + (1...5).map { device.rename(customer, "王芳\($0)") }
            var seen: [PushOutcome] = []
            seen.append(try await store.push(Array(ops[0..<3]), from: device.account))
            XCTAssertEqual(seen.last?.held, 3, name)
            // A resend overlapping what is held: the duplicates change nothing.
            seen.append(try await store.push(Array(ops[1..<5]), from: device.account))
            XCTAssertEqual(seen.last?.held, 5, name)
            // A batch that skips counter 6: nothing stored, the gap reported.
            var later = device
            _ = later.rename(customer, "跳过")
            let skipped = later.rename(customer, "缺口")
            seen.append(try await store.push([skipped], from: device.account))
            XCTAssertEqual(seen.last?.gap, true, name)
            XCTAssertEqual(seen.last?.held, 5, name)
            // Ops signed by another actor are denied and never counted as held.
            var stranger = ContractDevice.enrolledForTests(
                token: EnrolmentToken(address: "x:1", device: device.account.device, secret: [], principal: "M001"),
                actor: .random())
            seen.append(try await store.push([stranger.createCustomer().op, ops[5]], from: device.account))
            XCTAssertEqual(seen.last?.denied, 1, name)
            XCTAssertEqual(seen.last?.held, 6, name)
            let opening = try await store.opening(device.account.actor)
            XCTAssertEqual(opening.held, 6, name)

            // Everything held is stored once: a fresh device of the principal gets the six ops and the same hash.
            var reader = try await ContractDevice.enrol(store, principal: "M001")
            let plan = try await reader.pull(store)
            XCTAssertEqual(plan.backfill.map(\.id), ops.map(\.id), name)
            XCTAssertEqual(plan.cursor, 6, name)
            XCTAssertEqual(plan.stateHash, device.replica.stateHash(of: device.replica.scopes(of: "M001")), name)
            outcomes[name] = seen
        }
        if let postgres = outcomes["postgres"] { XCTAssertEqual(postgres, outcomes["sqlite"]) }
    }

    func testRefusalsCarryTheSameCodesAndReasons() async throws {
        // Per store: the counts, and each refusal's counter, reason and words (the IDs differ between the runs).
        var outcomes: [String: [String]] = [:]
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            try await store.addPrincipal("M002", name: "李经理", role: .manager)
            var mine = try await ContractDevice.enrol(store, principal: "M001")
            var theirs = try await ContractDevice.enrol(store, principal: "M002")
            let (their, theirCreate) = theirs.createCustomer("李明")
            _ = try await store.push([theirCreate], from: theirs.account)

            let (customer, create) = mine.createCustomer()
            let unknown = EntityID(high: 42, low: 42)
            let batch = [
                create,
                mine.rename(customer, "王芳芳"),
                // Another principal's customer.
                mine.op(.customer(their), .set(entity: their, field: Schema.F.name, value: .text("改名"), pred: [])),
                // An op in another principal's name.
                mine.op(.customer(customer), .add(entity: customer, field: Schema.F.tags, element: "VIP"), principal: "M002"),
                // An entity the centre does not hold.
                mine.op(.customer(customer), .set(entity: unknown, field: Schema.F.name, value: .text("无"), pred: [])),
                // The admin's fields.
                mine.op(.customer(customer), .add(entity: customer, field: Schema.F.cocoverers, element: "W001")),
                // A customer created in global.
                mine.op(.global, .create(kind: .customer, entity: EntityID(high: 43, low: 43), fields: [])),
                // The declared scope is not the entity's.
                mine.op(.customer(their), .add(entity: customer, field: Schema.F.tags, element: "理财沙龙")),
                // Creating what exists.
                mine.op(.customer(customer), .create(kind: .customer, entity: customer, fields: [])),
                mine.tag(customer, "亲子活动"),
                // Clocked an hour ahead (last: every later op of this device's clock would be too).
                mine.op(.customer(customer), .add(entity: customer, field: Schema.F.tags, element: "高净值"), ahead: 3_600_000),
            ]
            let outcome = try await store.push(batch, from: mine.account)
            XCTAssertEqual(outcome.held, UInt64(batch.count), name)
            XCTAssertEqual(outcome.outOfScope, 1, name)
            XCTAssertEqual(outcome.denied, 7, name)
            XCTAssertEqual(outcome.refusals.map(\.op.counter), [3, 4, 5, 6, 7, 8, 9, 11], name)
            XCTAssertEqual(outcome.refusals.map(\.reasonNumber).count, 8, name)
            outcomes[name] =
                ["\(outcome.held) \(outcome.outOfScope) \(outcome.denied) \(outcome.gap)"]
                + outcome.refusals.map { "\($0.op.counter) \($0.code) \($0.reasonNumber) \($0.reason) \($0.change)" }

            // The accepted ops (1, 2, 10) are stored; the refused ones nowhere.
            var reader = try await ContractDevice.enrol(store, principal: "M001")
            let plan = try await reader.pull(store)
            XCTAssertEqual(plan.backfill.map(\.id.counter), [1, 2, 10], name)
            let theirPlan = try await store.pull(for: theirs.account, cursor: 0, resync: false, resume: 0)
            XCTAssertEqual(theirPlan.backfill.map(\.id), [theirCreate.id], name)
        }
        if let postgres = outcomes["postgres"] { XCTAssertEqual(postgres, outcomes["sqlite"]) }
    }

    func testPullSendsBackfillThenDeltaAfterTheCursorAndResumes() async throws {
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            var writer = try await ContractDevice.enrol(store, principal: "M001")
            var reader = try await ContractDevice.enrol(store, principal: "M001")
            let (customer, create) = writer.createCustomer()
            let tag = writer.tag(customer, "VIP")
            _ = try await store.push([create, tag], from: writer.account)

            // A fresh device: the whole scope as backfill, no delta.
            let first = try await reader.pull(store)
            XCTAssertEqual(first.backfill.count, 2, name)
            XCTAssertTrue(first.delta.isEmpty && first.purges.isEmpty, name)
            XCTAssertEqual(first.cursor, 2, name)
            XCTAssertEqual(first.stateHash, writer.replica.stateHash(of: writer.replica.scopes(of: "M001")), name)

            // The reader's own op comes back to no one's delta but the writer's.
            let own = reader.rename(customer, "王芳（改）")
            _ = try await store.push([own], from: reader.account)
            let edits = (1...4).map { writer.rename(customer, "王芳\($0)") }
            _ = try await store.push(edits, from: writer.account)
            let second = try await reader.pull(store)
            XCTAssertTrue(second.backfill.isEmpty, name)
            XCTAssertEqual(second.delta.map(\.lsn), [4, 5, 6, 7], name)
            XCTAssertEqual(second.delta.map(\.op.id), edits.map(\.id), name)
            XCTAssertEqual(second.cursor, 7, name)
            XCTAssertEqual(second.stateHash, reader.replica.stateHash(of: reader.replica.scopes(of: "M001")), name)
            let writerPull = try await writer.pull(store)
            XCTAssertEqual(writerPull.backfill.map(\.id), [create.id, tag.id, own.id] + edits.map(\.id), name)

            // A pull cut after applying the delta up to LSN 9 resumes after it.
            let more = (5...8).map { writer.rename(customer, "王芳\($0)") }
            _ = try await store.push(more, from: writer.account)
            var cut = reader
            let resumed = try await cut.pull(store, resume: 9)
            XCTAssertEqual(resumed.delta.map(\.lsn), [10, 11], name)
            XCTAssertEqual(resumed.cursor, 11, name)
            // A resume point past the head is ignored, and so is one with a resync.
            let ignored = try await store.pull(for: reader.account, cursor: reader.cursor, resync: false, resume: 99)
            XCTAssertEqual(ignored.delta.map(\.lsn), [8, 9, 10, 11], name)
            let resync = try await store.pull(for: reader.account, cursor: reader.cursor, resync: true, resume: 9)
            XCTAssertTrue(resync.delta.isEmpty, name)
            XCTAssertEqual(resync.backfill.count, 11, name)
        }
    }

    func testReassignmentPurgesTheFormerOwnerAndBackfillsTheNewOne() async throws {
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            try await store.addPrincipal("M002", name: "李经理", role: .manager)
            var old = try await ContractDevice.enrol(store, principal: "M001")
            var new = try await ContractDevice.enrol(store, principal: "M002")
            let (customer, create) = old.createCustomer()
            let (kept, keptCreate) = old.createCustomer("李明")
            _ = try await store.push([create, old.tag(customer, "VIP"), keptCreate], from: old.account)
            try await old.pull(store)
            try await new.pull(store)
            XCTAssertTrue(new.replica.ops.isEmpty, name)

            _ = try await store.assign(customer.text, to: "M002", by: .centre)

            // Offline work on the customer before the device heard of the change is still stored ([W-10.7]).
            let offline = old.rename(customer, "离线修改")
            let late = try await store.push([offline, old.rename(kept, "李明明")], from: old.account)
            XCTAssertTrue(late.refusals.isEmpty, name)

            let purged = try await old.pull(store)
            XCTAssertEqual(purged.purges, [Message.Purge.Entry(customer: customer, reason: .reassigned, newOwner: "M002")], name)
            XCTAssertEqual(purged.stateHash, old.replica.stateHash(of: old.replica.scopes(of: "M001")), name)

            let gained = try await new.pull(store)
            XCTAssertEqual(Set(gained.backfill.map(\.id)).isSuperset(of: [create.id, offline.id]), true, name)
            XCTAssertFalse(gained.backfill.contains { $0.scope == .customer(kept) }, name)
            XCTAssertEqual(gained.stateHash, new.replica.stateHash(of: new.replica.scopes(of: "M002")), name)

            // Once the device named the later cursor, its grace is over.
            try await old.pull(store)
            let refused = try await store.push([old.rename(customer, "越权")], from: old.account)
            XCTAssertEqual(refused.outOfScope, 1, name)
        }
    }
}

extension SyncContractTests {
    func testCoCoverageBringsTheCustomerAndItsEndPurgesIt() async throws {
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            try await store.addPrincipal("W001", name: "王顾问", role: .advisor)
            var manager = try await ContractDevice.enrol(store, principal: "M001")
            var advisor = try await ContractDevice.enrol(store, principal: "W001")
            let (vip, create) = manager.createCustomer("欧阳娜娜")
            let tier = manager.op(.customer(vip), .set(entity: vip, field: Schema.F.tier, value: .text(Tier.diamond.rawValue), pred: []))
            _ = try await store.push([create, tier], from: manager.account)
            try await advisor.pull(store)

            _ = try await store.cocover(vip.text, with: "W001", by: .centre)
            let gained = try await advisor.pull(store)
            XCTAssertTrue(gained.backfill.contains { $0.id == create.id }, name)
            XCTAssertEqual(gained.stateHash, advisor.replica.stateHash(of: advisor.replica.scopes(of: "W001")), name)

            // Both write the VIP at once; each receives the other's op in its delta.
            let note = advisor.op(.customer(vip), .set(entity: vip, field: Schema.F.note, value: .text("关注养老"), pred: []))
            let rename = manager.rename(vip, "欧阳娜")
            let advisorPush = try await store.push([note], from: advisor.account)
            let managerPush = try await store.push([rename], from: manager.account)
            XCTAssertTrue(advisorPush.refusals.isEmpty && managerPush.refusals.isEmpty, name)
            let advisorDelta = try await advisor.pull(store)
            XCTAssertEqual(advisorDelta.delta.map(\.op.id), [rename.id], name)
            let managerPull = try await manager.pull(store)
            XCTAssertTrue(managerPull.delta.contains { $0.op.id == note.id } || managerPull.backfill.contains { $0.id == note.id }, name)
            XCTAssertEqual(managerPull.stateHash, manager.replica.stateHash(of: manager.replica.scopes(of: "M001")), name)

            _ = try await store.uncover(vip.text, with: "W001", by: .centre)
            let ended = try await advisor.pull(store)
            XCTAssertEqual(ended.purges, [Message.Purge.Entry(customer: vip, reason: .coverageEnded)], name)
            XCTAssertEqual(ended.stateHash, advisor.replica.stateHash(of: advisor.replica.scopes(of: "W001")), name)
            let kept = try await manager.pull(store)
            XCTAssertTrue(kept.purges.isEmpty, name)
            XCTAssertEqual(kept.stateHash, manager.replica.stateHash(of: manager.replica.scopes(of: "M001")), name)
        }
    }
}

extension SyncContractTests {
    /// A customer a device created joins the device's snapshots at once (`recordHeld`): reassigned before the device's
    /// next DONE, it is still the device's to finish editing, and the next pull purges it.
    func testACreatedCustomerReassignedBeforeAnyPullIsStillPurged() async throws {
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            try await store.addPrincipal("M002", name: "李经理", role: .manager)
            var device = try await ContractDevice.enrol(store, principal: "M001")
            let (customer, create) = device.createCustomer()
            _ = try await store.push([create], from: device.account)
            _ = try await store.assign(customer.text, to: "M002", by: .centre)

            let offline = try await store.push([device.rename(customer, "改名")], from: device.account)
            XCTAssertTrue(offline.refusals.isEmpty, name)
            let plan = try await device.pull(store)
            XCTAssertEqual(plan.purges, [Message.Purge.Entry(customer: customer, reason: .reassigned, newOwner: "M002")], name)
            XCTAssertEqual(plan.stateHash, device.replica.stateHash(of: device.replica.scopes(of: "M001")), name)
            try await device.pull(store)
            let late = try await store.push([device.rename(customer, "再改")], from: device.account)
            XCTAssertEqual(late.outOfScope, 1, name)
        }
    }
}

extension ContractDevice {
    /// A device for a token the test made itself (no enrolment through the store).
    static func enrolledForTests(token: EnrolmentToken, actor: ActorID) -> ContractDevice {
        ContractDevice(account: DeviceAccount(device: token.device, principal: token.principal ?? "M001", actor: actor), secret: token.secret)
    }
}
