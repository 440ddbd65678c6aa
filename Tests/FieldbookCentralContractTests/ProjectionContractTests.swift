import FieldbookCentral
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookTestSupport
import FieldbookWire
import XCTest

/// The CRDT projection property: random concurrent histories (``HistoryGenerator``), pushed by several devices in
/// random interleaved batches, leave both stores with the state the in-memory ``Replica`` computes from the ops they
/// accepted. Checked through what a device sees: the DONE state hash of each principal's scopes, and the backfill a
/// fresh device of that principal receives.
final class ProjectionContractTests: XCTestCase {
    /// What one store did with one seed: the ops it refused, and each principal's DONE hash.
    struct Result: Equatable {
        var refused: Set<OpID>
        var hashes: [String: [UInt8]]
    }

    func testRandomHistoriesProjectAsTheReplicaComputes() async throws {
        for seed: UInt64 in [1, 2, 3, 4] {
            var generator = HistoryGenerator(seed: seed)
            var history = generator.generate(replicas: 4, steps: 90)
            // Customers are created owned by their author's principal (the generator leaves coverage out): replicas
            // 0 and 2 write for M001, 1 and 3 for W001, so both see each other's customers refused as out of scope.
            history.authored = history.authored.map { $0.map(Self.owned) }
            var queues = history.authored.map { generator.batches($0, maximum: 12) }
            var random = SplitMix64(seed: seed)
            var schedule: [(replica: Int, batch: [Op])] = []
            while let replica = queues.indices.filter({ !queues[$0].isEmpty }).randomElement(using: &random) {
                schedule.append((replica, queues[replica].removeFirst()))
            }

            var results: [String: Result] = [:]
            try await ContractStores.forEach { store, name in
                try await store.addPrincipal("M001", name: "张经理", role: .manager)
                try await store.addPrincipal("W001", name: "王顾问", role: .manager)
                var accounts: [Int: DeviceAccount] = [:]
                for (index, ops) in history.authored.enumerated() {
                    guard let first = ops.first else { continue }
                    accounts[index] = try await ContractDevice.enrol(store, principal: first.principal, actor: first.id.actor).account
                }
                var refused: Set<OpID> = []
                for (replica, batch) in schedule {
                    let outcome = try await store.push(batch, from: accounts[replica]!)
                    XCTAssertFalse(outcome.gap, "\(name) seed \(seed)")
                    XCTAssertEqual(outcome.held, batch.last!.id.counter, "\(name) seed \(seed)")
                    refused.formUnion(outcome.refusals.map(\.op))
                }
                var replica = Replica()
                for op in history.all where !refused.contains(op.id) { replica.apply(op) }
                XCTAssertGreaterThan(replica.ops.count, history.all.count / 3, "\(name) seed \(seed): too few ops accepted to mean much")

                var hashes: [String: [UInt8]] = [:]
                for principal in ["M001", "W001"] {
                    let keys = replica.scopes(of: principal)
                    let expected = replica.stateHash(of: keys)
                    var fresh = try await ContractDevice.enrol(store, principal: principal)
                    let plan = try await fresh.pull(store)
                    XCTAssertEqual(plan.stateHash, expected, "\(name) seed \(seed) \(principal): DONE's hash")
                    XCTAssertEqual(fresh.replica.stateHash(), expected, "\(name) seed \(seed) \(principal): the backfill")
                    XCTAssertEqual(
                        Set(plan.backfill.map(\.id)), Set(replica.ops.values.filter { keys.contains($0.scope.key) }.map(\.id)),
                        "\(name) seed \(seed) \(principal)")
                    hashes[principal] = plan.stateHash
                }
                // The projection's tables agree with the op log, and the stored sums with a recomputation.
                let report = try await store.check()
                XCTAssertEqual(report.problems, [], "\(name) seed \(seed)")
                results[name] = Result(refused: refused, hashes: hashes)
            }
            if let postgres = results["postgres"] { XCTAssertEqual(postgres, results["sqlite"], "seed \(seed)") }
        }
    }

    /// The op with an owner added to a customer's create: its author's principal.
    static func owned(_ op: Op) -> Op {
        guard case .create(.customer, let entity, let fields) = op.body else { return op }
        var owned = op
        owned.body = .create(kind: .customer, entity: entity, fields: fields + [FieldAssignment(Schema.F.owner, .text(op.principal))])
        return owned
    }
}
