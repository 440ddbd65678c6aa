import Crypto
import FieldbookCentral
import FieldbookCentralPostgres
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Foundation
import XCTest

/// The LSN invariant (SPEC [W-9.10]) under concurrent writers: several devices push at once while another device
/// pulls, on SQLite and on PostgreSQL. LSNs stay contiguous, every pull's delta lies after its cursor in increasing
/// order, and every op reaches the puller exactly once.
final class SyncConcurrencyContractTests: XCTestCase {
    func testConcurrentPushesKeepLSNsContiguousAndEveryOpIsPulledOnce() async throws {
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            var batches: [(account: DeviceAccount, batches: [[Op]])] = []
            for _ in 0..<4 {
                var device = try await ContractDevice.enrol(store, principal: "M001")
                var list: [[Op]] = []
                for _ in 0..<6 {
                    var batch: [Op] = []
                    for index in 0..<4 {
                        let (customer, create) = device.createCustomer()
                        batch += [create, device.rename(customer, "客户\(index)"), device.tag(customer, "VIP")]
                    }
                    list.append(batch)
                }
                batches.append((device.account, list))
            }
            let all = batches.flatMap { $0.batches.joined() }
            var puller = try await ContractDevice.enrol(store, principal: "M001")

            // Every device pushes its batches in turn, all devices at once.
            async let pushing: [PushOutcome] = withThrowingTaskGroup(of: [PushOutcome].self) { group in
                for (account, list) in batches {
                    group.addTask {
                        var outcomes: [PushOutcome] = []
                        for batch in list { outcomes.append(try await store.push(batch, from: account)) }
                        return outcomes
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            // Meanwhile the puller pulls again and again, then once more after the last push.
            var received: [OpID] = []
            func pull() async throws {
                let before = puller.cursor
                let plan = try await puller.pull(store)
                received += plan.backfill.map(\.id) + plan.delta.map(\.op.id)
                let lsns = plan.delta.map(\.lsn)
                XCTAssertEqual(lsns, lsns.sorted(), name)
                XCTAssertEqual(Set(lsns).count, lsns.count, name)
                XCTAssertTrue(lsns.allSatisfy { $0 > before && $0 <= plan.cursor }, name)
                XCTAssertGreaterThanOrEqual(plan.cursor, before, name)
                XCTAssertEqual(plan.stateHash, puller.replica.stateHash(of: puller.replica.scopes(of: "M001")), name)
            }
            for _ in 0..<12 {
                try await pull()
                try await Task.sleep(nanoseconds: 5_000_000)
            }
            let outcomes = try await pushing
            try await pull()

            XCTAssertTrue(outcomes.allSatisfy { $0.refusals.isEmpty && !$0.gap }, name)
            XCTAssertEqual(received.count, all.count, "\(name): an op was pulled twice or never")
            XCTAssertEqual(Set(received), Set(all.map(\.id)), name)
            // Contiguous: the head is the number of ops stored, and a fresh device is sent each once.
            XCTAssertEqual(puller.cursor, UInt64(all.count), name)
            var fresh = try await ContractDevice.enrol(store, principal: "M001")
            let plan = try await fresh.pull(store)
            XCTAssertEqual(plan.backfill.count, all.count, name)
            XCTAssertEqual(plan.stateHash, puller.replica.stateHash(of: puller.replica.scopes(of: "M001")), name)
            let report = try await store.check()
            XCTAssertEqual(report.problems, [], name)
        }
    }

    /// Two servers on one PostgreSQL database, devices of one principal editing the same customers at once through
    /// either, each batch touching the shared customers in its own order: the scope locks, taken in one order, never
    /// deadlock, nor does a large import beside them; LSNs stay contiguous across the servers; the projection equals the
    /// in-memory replica of every op.
    func testTwoServersEditingTheSameCustomersAtOnceAgree() async throws {
        let (first, drop) = try await ContractStores.freshPostgres()
        let second = try await PostgresCentralStore.open(
            first.location, seal: first.sealForTests, connections: 4)  // one key file for every server
        do {
            try await first.addPrincipal("M001", name: "张经理", role: .manager)
            var owner = try await ContractDevice.enrol(first, principal: "M001")
            var shared: [EntityID] = []
            var creates: [Op] = []
            for index in 0..<6 {
                let (customer, create) = owner.createCustomer("客户\(index)")
                shared.append(customer)
                creates.append(create)
            }
            _ = try await first.push(creates, from: owner.account)
            var all = creates
            var work: [(server: Int, account: DeviceAccount, batches: [[Op]])] = []
            for index in 0..<6 {
                var device = try await ContractDevice.enrol(first, principal: "M001")
                var batches: [[Op]] = []
                for round in 0..<5 {
                    // Each batch visits the shared customers in another order.
                    let order = index % 2 == 0 ? shared : shared.reversed()
                    batches.append(order.flatMap { [device.rename($0, "改\(index)-\(round)"), device.tag($0, "标签\(index)")] })
                }
                all += batches.joined()
                work.append((index % 2, device.account, batches))
            }
            // Meanwhile a device imports a book: one batch over more scopes than a push locks one by one, which
            // takes the store-wide lock exclusively instead.
            var importer = try await ContractDevice.enrol(first, principal: "M001")
            let book = (0..<150).map { importer.createCustomer("导入\($0)").op }  // over PostgresProjector.scopeLockLimit
            all += book
            work.append((1, importer.account, [book]))
            let servers: [PostgresCentralStore] = [first, second]
            let outcomes = try await withThrowingTaskGroup(of: [PushOutcome].self) { group in
                for (server, account, batches) in work {
                    group.addTask {
                        var outcomes: [PushOutcome] = []
                        for batch in batches { outcomes.append(try await servers[server].push(batch, from: account)) }
                        return outcomes
                    }
                }
                return try await group.reduce(into: [PushOutcome]()) { $0 += $1 }
            }
            XCTAssertTrue(outcomes.allSatisfy { $0.refusals.isEmpty && !$0.gap })

            var replica = Replica()
            for op in all { replica.apply(op) }
            var fresh = try await ContractDevice.enrol(second, principal: "M001")
            let plan = try await fresh.pull(second)
            XCTAssertEqual(plan.cursor, UInt64(all.count))
            XCTAssertEqual(plan.backfill.count, all.count)
            XCTAssertEqual(plan.stateHash, replica.stateHash(of: replica.scopes(of: "M001")))
            let report = try await first.check()
            XCTAssertEqual(report.problems, [])
        } catch {
            second.close()
            await drop()
            throw error
        }
        second.close()
        await drop()
    }
}
