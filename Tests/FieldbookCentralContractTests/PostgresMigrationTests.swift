import Crypto
import FieldbookCentral
import FieldbookCentralPostgres
import XCTest

/// The PostgreSQL schema: every version applies once, even when several servers open the same database at once.
final class PostgresMigrationTests: XCTestCase {
    func testSeveralServersOpeningAtOnceMigrateOnce() async throws {
        let (first, drop) = try await ContractStores.freshPostgres()
        // Three more servers on the same database, at once: the advisory lock makes them take turns, and none of them
        // re-runs a version (which would fail on CREATE TABLE).
        let location = first.location
        let seal = first.sealForTests  // every server of one centre is given the same key file
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let store = try await PostgresCentralStore.open(location, seal: seal, connections: 1)
                    store.close()
                }
            }
            try await group.waitForAll()
        }
        let applied = try await first.appliedMigrations()
        await drop()
        XCTAssertEqual(applied, PostgresCentralStore.schemaVersions)
    }

    func testAServerWithAnotherSealingKeyIsRefusedAtStart() async throws {
        let (first, drop) = try await ContractStores.freshPostgres()
        let location = first.location
        do {
            // The same key again: accepted (a restart, or a second server given the same file).
            let same = try await PostgresCentralStore.open(location, seal: first.sealForTests, connections: 1)
            same.close()
            // Another key: refused in words, before it could seal a secret no other server can open.
            do {
                let other = try await PostgresCentralStore.open(
                    location, seal: SecretSeal(key: SymmetricKey(size: .bits256)), connections: 1)
                other.close()
                XCTFail("a server with another sealing key started")
            } catch {
                XCTAssertTrue("\(error)".contains("密钥文件与中心数据库"), "\(error)")
            }
        } catch {
            await drop()
            throw error
        }
        await drop()
    }
}
