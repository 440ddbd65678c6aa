import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookTestSupport
import FieldbookWire
import Foundation
import GRDB
import Testing

/// Issue 16: the centre stores the pushes that wait for its writer together, one transaction per group, and a push
/// that fails leaves the others stored (`GroupCommitWriter`, `CentralDatabase.push(_:)`).
@Suite("Group commit at the centre")
struct CentralGroupCommitTests {
    /// A manager's device as the centre sees it once authenticated, writing ops of its own actor in counter order.
    struct PushingDevice {
        let account: DeviceAccount
        private(set) var counter: UInt64 = 0
        private var clock = HybridClock(last: .zero)
        private var random = SystemRandomNumberGenerator()

        /// Enrols a manager and a device for it, bound to a new actor.
        static func enrol(_ central: CentralDatabase, principal: String) throws -> PushingDevice {
            try central.addPrincipal(principal, name: "经理", role: .manager)
            let token = try central.addDevice(for: principal, address: "127.0.0.1:7420")
            let actor = ActorID.random()
            try central.bind(token.device, actor: actor)
            return PushingDevice(account: DeviceAccount(device: token.device, principal: principal, actor: actor))
        }

        private mutating func op(_ scope: Scope, _ body: Op.Body) -> Op {
            counter += 1
            let now = UInt64(Date().timeIntervalSince1970 * 1000)
            return Op(
                id: OpID(actor: account.actor, counter: counter), hlc: clock.tick(now: now), scope: scope,
                principal: account.principal, body: body)
        }

        /// A batch as a day's work makes it: a new customer of this manager, then tags and a note on it.
        mutating func batch(_ size: Int) -> [Op] {
            let customer = EntityID.make(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000), using: &random)
            var ops = [
                op(.customer(customer), .create(kind: .customer, entity: customer, fields: [
                    FieldAssignment(Schema.F.name, .text("客户\(counter)")), FieldAssignment(Schema.F.owner, .text(account.principal)),
                ]))
            ]
            while ops.count < size {
                ops.append(
                    ops.count % 2 == 0
                        ? op(.customer(customer), .add(entity: customer, field: Schema.F.tags, element: "标签\(counter)"))
                        : op(.customer(customer), .set(entity: customer, field: Schema.F.note, value: .text("回访 \(counter)"), pred: [])))
            }
            return ops
        }
    }

    /// Every stored op's log sequence number, by device, in counter order.
    static func sequenceNumbers(_ central: CentralDatabase, _ device: PushingDevice) throws -> [UInt64] {
        let log = try central.deviceLog(device.account.device.hex)
        return log.entries.filter { $0.refusal == nil }.sorted { $0.op.counter < $1.op.counter }.compactMap(\.lsn)
    }

    @Test("concurrent pushes from many devices are all stored, with contiguous sequence numbers and right held counters")
    func concurrentPushes() async throws {
        let folder = TemporaryDirectory()
        let central = try CentralDatabase.open(at: folder.file("central.sqlite"))
        let store = SQLiteCentralStore(central)
        var work: [(device: PushingDevice, batches: [[Op]])] = []
        for index in 0..<40 {
            var device = try PushingDevice.enrol(central, principal: "M\(100 + index)")
            let batches = (0..<3).map { _ in device.batch(12) }
            work.append((device, batches))
        }

        // Every device at once; each pushes its batches in order, the next after the previous was acknowledged.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (device, batches) in work {
                group.addTask {
                    for batch in batches {
                        let outcome = try await store.push(batch, from: device.account)
                        #expect(outcome.held == batch.last!.id.counter)
                        #expect(outcome.refusals.isEmpty && !outcome.gap)
                    }
                }
            }
            try await group.waitForAll()
        }

        let total = 40 * 3 * 12
        var all: [UInt64] = []
        for (device, _) in work {
            #expect(try central.held(of: device.account.actor) == 36)
            let numbers = try Self.sequenceNumbers(central, device)
            #expect(numbers.count == 36)
            // A device's ops are numbered in its counter order.
            #expect(numbers == numbers.sorted())
            all += numbers
        }
        #expect(all.sorted() == Array(1...UInt64(total)))
        #expect(try central.status().lastLSN == UInt64(total))
        #expect(try central.check().isClean)
        // The pushes shared commits: fewer transactions than pushes.
        let groups = store.writeGroups
        #expect(groups.writes == 120)
        #expect(groups.groups < groups.writes)
    }

    @Test("a push that fails inside a group leaves no write behind: the others are stored, in order")
    func failureInsideAGroup() throws {
        let central = try CentralDatabase.inMemory()
        var a = try PushingDevice.enrol(central, principal: "M001")
        var b = try PushingDevice.enrol(central, principal: "M002")
        var c = try PushingDevice.enrol(central, principal: "M003")
        let (opsA, opsB, opsC) = (a.batch(3), b.batch(3), c.batch(3))
        // A storage fault for B alone: its first op already has a log sequence row, so the unique index refuses B's
        // after the projector has written the op and its projections.
        let fault = "INSERT INTO lsn (actor, counter, scope, device, at) VALUES (?, 1, 'g', NULL, 0)"
        try central.book.database.write { db in try db.execute(sql: fault, arguments: [Data(b.account.actor.bytes)]) }

        let results = try central.push([
            PushRequest(ops: opsA, account: a.account), PushRequest(ops: opsB, account: b.account),
            PushRequest(ops: opsC, account: c.account),
        ])
        #expect(results.count == 3)
        #expect(try results[0].get().held == 3)
        #expect(throws: DatabaseError.self) { try results[1].get() }
        #expect(try results[2].get().held == 3)

        // Nothing of B's push is left: no op, no customer, no held counter, no sequence number taken.
        #expect(try central.held(of: b.account.actor) == 0)
        let customer = try #require(opsB.first?.body.entity)
        let left = try central.book.database.read { db -> (ops: Int, customers: Int, entities: Int?) in
            (
                try opsB.filter { try Book.op($0.id, db: db) != nil }.count,
                try Book.customers(coveredBy: "M002", db: db).count,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM entity WHERE id = ?", arguments: [Data(customer.bytes)])
            )
        }
        #expect(left.ops == 0 && left.customers == 0 && left.entities == 0)
        // The fault took number 1; A's and C's ops follow it with no gap where B's were rolled back.
        #expect(try Self.sequenceNumbers(central, a) == [2, 3, 4])
        #expect(try Self.sequenceNumbers(central, c) == [5, 6, 7])

        // Once the fault is gone, B pushes the same ops again and they are stored after the others.
        try central.book.database.write { db in
            try db.execute(sql: "DELETE FROM lsn WHERE actor = ? AND counter = 1", arguments: [Data(b.account.actor.bytes)])
        }
        #expect(try central.push(opsB, from: b.account).held == 3)
        #expect(try Self.sequenceNumbers(central, b) == [8, 9, 10])
        #expect(try central.check().isClean)
        _ = (a.counter, c.counter)
    }

    @Test("through the store, the caller whose push fails gets its own error and the devices pushing beside it do not")
    func failureAmongConcurrentPushes() async throws {
        let folder = TemporaryDirectory()
        let central = try CentralDatabase.open(at: folder.file("central.sqlite"))
        let store = SQLiteCentralStore(central)
        var work: [(device: PushingDevice, batch: [Op])] = []
        for index in 0..<12 {
            var device = try PushingDevice.enrol(central, principal: "M\(200 + index)")
            work.append((device, device.batch(20)))
        }
        let faulty = work[5].device.account
        try await central.book.database.write { db in
            try db.execute(
                sql: "INSERT INTO lsn (actor, counter, scope, device, at) VALUES (?, 1, 'g', NULL, 0)",
                arguments: [Data(faulty.actor.bytes)])
        }
        let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (device, batch) in work {
                group.addTask {
                    do {
                        #expect(try await store.push(batch, from: device.account).held == 20)
                        return false
                    } catch {
                        #expect(device.account == faulty)
                        return true
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 1)
        #expect(try central.held(of: faulty.actor) == 0)
        var all: [UInt64] = []
        for (device, _) in work where device.account != faulty {
            #expect(try central.held(of: device.account.actor) == 20)
            all += try Self.sequenceNumbers(central, device)
        }
        // Number 1 is the fault's; the eleven other devices' 220 ops follow with no gap.
        #expect(all.sorted() == Array(2...221))
    }
}
