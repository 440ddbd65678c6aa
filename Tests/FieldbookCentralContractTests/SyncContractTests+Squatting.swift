import FieldbookCentral
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Foundation
import XCTest

extension ContractDevice {
    /// A new customer named by its create op, as a version-3 device makes it (SPEC §4.4).
    mutating func createDerivedCustomer(_ name: String = "王芳") -> (customer: EntityID, op: Op) {
        let id = EntityID.derived(actor: account.actor, counter: counter + 1)
        let op = op(
            .customer(id),
            .create(
                kind: .customer, entity: id,
                fields: [FieldAssignment(Schema.F.name, .text(name)), FieldAssignment(Schema.F.owner, .text(account.principal))]))
        precondition(op.id.counter == EntityID.DerivationKey(actor: account.actor).counter(of: id))
        return (id, op)
    }
}

extension SyncContractTests {
    /// An attacker who knows another device's actor computes the ID that device's next create will take and creates
    /// it first (SPEC [W-10.9]; SECURITY.md "Entities named by their creating op"). Both stores refuse it the same way,
    /// and the victim's own create of it is stored.
    func testAForgedCreateOfAnotherDevicesNextEntityIsRefusedAndTheVictimsCreateStored() async throws {
        var outcomes: [String: [String]] = [:]
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            try await store.addPrincipal("M002", name: "李经理", role: .manager)
            var victim = try await ContractDevice.enrol(store, principal: "M001")
            var attacker = try await ContractDevice.enrol(store, principal: "M002")
            let (first, firstCreate) = victim.createDerivedCustomer("李明")
            _ = try await store.push([firstCreate], from: victim.account)

            // The victim's next op is counter 2: its customer will be derived(victim, 2).
            let target = EntityID.derived(actor: victim.account.actor, counter: 2)
            let squat = attacker.op(
                .customer(target),
                .create(kind: .customer, entity: target, fields: [
                    FieldAssignment(Schema.F.name, .text("抢注")), FieldAssignment(Schema.F.owner, .text("M002")),
                ]))
            // A contact under the victim's first customer, named after the victim's op 3: out of scope anyway, but
            // the naming rule speaks first.
            let child = EntityID.derived(actor: victim.account.actor, counter: 3)
            let squatChild = attacker.op(.customer(first), .create(kind: .contact, entity: child, fields: []))
            // Its own actor, but another counter than the op's.
            let wrong = EntityID.derived(actor: attacker.account.actor, counter: 9)
            let misnamed = attacker.op(
                .customer(wrong),
                .create(kind: .customer, entity: wrong, fields: [FieldAssignment(Schema.F.owner, .text("M002"))]))
            let outcome = try await store.push([squat, squatChild, misnamed], from: attacker.account)
            XCTAssertEqual(outcome.held, 3, name)
            XCTAssertEqual(outcome.denied, 3, name)
            XCTAssertEqual(outcome.refusals.map(\.reason), [.notDerivedFromOp, .notDerivedFromOp, .notDerivedFromOp], name)
            XCTAssertEqual(outcome.refusals.map(\.code), [.permissionDenied, .permissionDenied, .permissionDenied], name)
            XCTAssertTrue(outcome.refusals.allSatisfy { $0.words.contains("新记录的编号不是由创建它的这个操作得出的") }, name)

            // Nothing of it is stored: the attacker's pull is empty, the victim's holds its own customer only.
            let attackerPlan = try await attacker.pull(store)
            XCTAssertTrue(attackerPlan.backfill.isEmpty && attackerPlan.delta.isEmpty, name)
            var reader = try await ContractDevice.enrol(store, principal: "M001")
            let before = try await reader.pull(store)
            XCTAssertEqual(before.backfill.map(\.id), [firstCreate.id], name)

            // The victim creates its next customer: the target, stored as the victim's.
            let (second, secondCreate) = victim.createDerivedCustomer("陈静")
            XCTAssertEqual(second, target, name)
            let stored = try await store.push([secondCreate], from: victim.account)
            XCTAssertEqual(stored.held, 2, name)
            XCTAssertTrue(stored.refusals.isEmpty, name)
            let after = try await reader.pull(store)
            // A customer new to the reader's scope comes as backfill (SPEC [W-8.5.3]).
            XCTAssertEqual((after.backfill + after.delta.map(\.op)).map(\.id), [secondCreate.id], name)
            XCTAssertEqual(after.stateHash, reader.replica.stateHash(of: reader.replica.scopes(of: "M001")), name)
            XCTAssertEqual(reader.replica.entities[target]?.registers[Schema.F.name]?.winner?.value, .text("陈静"), name)
            let attackerAfter = try await attacker.pull(store)
            XCTAssertTrue(attackerAfter.backfill.isEmpty && attackerAfter.delta.isEmpty, name)
            // The words name the customer's short ID, which differs between the runs (the actors are random).
            outcomes[name] = outcome.refusals.map { "\($0.op.counter) \($0.code) \($0.reasonNumber) \($0.change)" }
        }
        if let postgres = outcomes["postgres"] { XCTAssertEqual(postgres, outcomes["sqlite"]) }
    }
}
