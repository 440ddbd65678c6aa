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
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let store = try await PostgresCentralStore.open(
                        location, seal: SecretSeal(key: SymmetricKey(size: .bits256)), connections: 1)
                    store.close()
                }
            }
            try await group.waitForAll()
        }
        let applied = try await first.appliedMigrations()
        await drop()
        XCTAssertEqual(applied, PostgresCentralStore.schemaVersions)
    }
}
