import Crypto
import FieldbookCentral
import FieldbookCentralPostgres
import FieldbookCentralSQLite
import Foundation
import Logging
import PostgresNIO
import XCTest

/// The stores the contract suite runs against: SQLite in memory, and PostgreSQL in a fresh database of the throwaway
/// cluster that `tools/test` starts (`tools/cluster`), named by `FIELDBOOK_TEST_POSTGRES`.
///
/// Without that variable the PostgreSQL half is skipped with a message saying how to run it; `tools/test` always sets
/// it (and fails if the cluster cannot start), so CI runs both halves.
enum ContractStores {
    /// The server URL of the test cluster.
    static var postgresURL: String? { ProcessInfo.processInfo.environment["FIELDBOOK_TEST_POSTGRES"] }

    /// A fresh, empty database on the test cluster, migrated, and a way to drop it.
    static func freshPostgres(
        file: StaticString = #filePath, line: UInt = #line
    ) async throws -> (store: PostgresCentralStore, drop: @Sendable () async -> Void) {
        guard let url = postgresURL else {
            throw XCTSkip("FIELDBOOK_TEST_POSTGRES is not set: run `tools/cluster start` and export what it prints (tools/test does)")
        }
        let server = try PostgresLocation(url)
        let name = "fb_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await maintenance(server) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let location = try PostgresLocation("postgres://\(server.user)@\(server.host):\(server.port)/\(name)")
        let store = try await PostgresCentralStore.open(location, seal: SecretSeal(key: SymmetricKey(size: .bits256)), connections: 4)
        let drop: @Sendable () async -> Void = {
            store.close()
            try? await maintenance(server) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            }
        }
        return (store, drop)
    }

    static let logger = Logger(label: "fieldbook.contract-tests")

    /// Runs one contract check against each store in turn: SQLite in memory, then PostgreSQL in a fresh database
    /// (dropped after). `name` goes into failure messages. The PostgreSQL half is skipped, with a message, only
    /// when `FIELDBOOK_TEST_POSTGRES` is not set; the SQLite half always runs.
    ///
    /// ```swift
    /// try await ContractStores.forEach { store, name in
    ///     try await store.addPrincipal("M001", name: "张经理", role: .manager)
    ///     XCTAssertEqual(try await store.status().principals.count, 1, name)
    /// }
    /// ```
    static func forEach(_ check: (any CentralStore, String) async throws -> Void) async throws {
        try await check(SQLiteCentralStore(try CentralDatabase.inMemory()), "sqlite")
        guard postgresURL != nil else {
            print("contract: the PostgreSQL half is skipped (FIELDBOOK_TEST_POSTGRES is not set; tools/test sets it)")
            return
        }
        let (store, drop) = try await freshPostgres()
        do {
            guard let store = store as? any CentralStore else {
                throw XCTSkip("the PostgreSQL store does not implement the whole seam yet")
            }
            try await check(store, "postgres")
        } catch {
            await drop()
            throw error
        }
        await drop()
    }

    /// Runs `body` on a single connection to the cluster's `postgres` database (for CREATE/DROP DATABASE).
    static func maintenance(_ server: PostgresLocation, _ body: (PostgresConnection) async throws -> Void) async throws {
        let configuration = PostgresConnection.Configuration(
            host: server.host, port: server.port, username: server.user, password: nil, database: "postgres", tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await body(connection)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
