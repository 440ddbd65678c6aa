import Crypto
import FieldbookCentral
import FieldbookCentralPostgres
import FieldbookModel
import FieldbookStore
import Logging
import PostgresNIO
import XCTest

/// `admin check` on PostgreSQL finds what it claims to check, and administrators on several servers at once change
/// coverage without losing or doubling an op.
final class AdminIntegrityContractTests: XCTestCase {
    /// Runs SQL on a store's database behind its back (what a damaged database or a bad manual edit would do).
    func tamper(_ location: PostgresLocation, _ statements: [String]) async throws {
        let configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: nil, database: location.database,
            tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 2, logger: ContractStores.logger)
        defer { Task { try? await connection.close() } }
        for statement in statements {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: ContractStores.logger)
        }
    }

    func testCheckFindsEachKindOfDamage() async throws {
        let damages: [(String, [String], String)] = [
            ("a state sum", ["UPDATE scope_sum SET sum = sum + 1 WHERE scope LIKE 'c:%'"], "状态哈希"),
            ("a register value", ["DELETE FROM reg_value WHERE ctid IN (SELECT ctid FROM reg_value LIMIT 1)"], "客户资料与操作日志不一致"),
            ("the LSN head", ["UPDATE lsn_head SET lsn = lsn + 1"], "日志序号不连续"),
            ("a device's counter", ["UPDATE held SET held = held + 1 WHERE actor IN (SELECT actor FROM device WHERE actor IS NOT NULL LIMIT 1)"], "缺口"),
            ("an op's body", ["UPDATE op SET body = '\\x00'::bytea WHERE lsn = 1"], "无法识别"),
        ]
        for (what, statements, expected) in damages {
            let (store, drop) = try await ContractStores.freshPostgres()
            do {
                _ = try await ContractBook.make(store, name: "postgres")
                let clean = try await store.check()
                XCTAssertTrue(clean.isClean, "before damaging \(what): \(clean.problems)")
                XCTAssertEqual(clean.checks.count, 6)
                try await tamper(store.location, statements)
                let report = try await store.check()
                XCTAssertTrue(report.problems.contains { $0.contains(expected) }, "\(what): \(report.problems)")
                // Problems are counts, never customer data.
                XCTAssertFalse(report.problems.joined().contains("王芳"), what)
            } catch {
                await drop()
                throw error
            }
            await drop()
        }
    }

    /// Enrolments on one server while another deactivates the principal: afterwards no device of the principal is
    /// active, whichever came first (the principal's row is locked by both).
    func testNoDeviceSurvivesADeactivationOnAnotherServer() async throws {
        let (first, drop) = try await ContractStores.freshPostgres()
        do {
            let second = try await PostgresCentralStore.open(
                first.location, seal: first.sealForTests, connections: 4)  // one key file for every server
            defer { second.close() }
            try await first.addPrincipal("X001", name: "管理员", role: .admin)
            for round in 0..<5 {
                let code = "M\(round)"
                try await first.addPrincipal(code, name: "经理", role: .manager)
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask { _ = try? await second.addDevice(for: code, address: "a:1") }
                    }
                    group.addTask { _ = try? await first.deactivate(code, by: ContractBook.admin) }
                }
                let devices = try await first.status().devices.filter { $0.principal == code }
                XCTAssertTrue(devices.allSatisfy(\.revoked), "round \(round): \(devices)")
            }
        } catch {
            await drop()
            throw error
        }
        await drop()
    }

    /// Two servers (two stores on one database) take administrators' changes at once: the centre's counter serializes
    /// them, so every change is stored once, in order, and a repeated one is a no-op.
    func testAdministratorsOnTwoServersAtOnce() async throws {
        let (first, drop) = try await ContractStores.freshPostgres()
        do {
            var book = try await ContractBook.make(first, name: "postgres")
            let second = try await PostgresCentralStore.open(
                first.location, seal: first.sealForTests, connections: 4)  // one key file for every server
            defer { second.close() }
            let admin = ContractBook.admin
            let vips = ["王芳", "周杰", "钱多", "赵敏"].map { book.ids[$0]!.text }
            // Each VIP co-covered by A001 twice, once through each server, all at once.
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for customer in vips {
                    for store in [first, second] {
                        group.addTask { try await store.cocover(customer, with: "A001", by: admin).changed }
                    }
                }
                var changed: [Bool] = []
                for try await outcome in group { changed.append(outcome) }
                return changed
            }
            // 王芳 and 赵敏 were co-covered already; 周杰 and 钱多 change once each, whichever server came first.
            XCTAssertEqual(outcomes.filter { $0 }.count, 2)
            let covered = try await second.customers(owner: nil, cocoverer: "A001", tier: nil)
            XCTAssertEqual(covered.map(\.name), ["周杰", "王芳", "赵敏", "钱多"])
            let status = try await first.status()
            XCTAssertEqual(status.ops, 26 + 2)
            XCTAssertEqual(status.lastLSN, 28)
            let report = try await second.check()
            XCTAssertTrue(report.isClean, "\(report.problems)")

            // A name two customers share is refused with what tells them apart, never the whole name or phone.
            try await book.on("M002") { tx in
                try tx.create(.customer, scope: nil, fields: [
                    FieldAssignment(Schema.F.name, .text("王芳")), FieldAssignment(Schema.F.phone, .text("13900005678")),
                ])
            }
            do {
                _ = try await first.assign("王芳", to: "M002", by: admin)
                XCTFail("an ambiguous name")
            } catch let error as CentralError {
                XCTAssertTrue(error.message.hasPrefix("有 2 个客户符合："), error.message)
                XCTAssertTrue(error.message.contains("王*（尾号5678）"), error.message)
                XCTAssertFalse(error.message.contains("13900005678"), error.message)
            }
        } catch {
            await drop()
            throw error
        }
        await drop()
    }
}
