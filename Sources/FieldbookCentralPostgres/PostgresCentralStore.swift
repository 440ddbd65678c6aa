import FieldbookCentral
import FieldbookModel
import Logging
import PostgresNIO

/// The centre's storage seam on PostgreSQL: several stateless `fieldbook serve` processes share one database
/// (issue 17, docs/DECISIONS.md "The centre on PostgreSQL").
///
/// Everything a device's session needs lives in the database, so a device may reach a different server at every sync.
/// Each server keeps one connection pool (postgres-nio's `PostgresClient`), run by a task the store owns. The seam's
/// methods are in extensions: sync (`+Sync`), administration (`+Administration`) and reports (`+Reports`).
///
/// ```swift
/// let store = try await PostgresCentralStore.open(try PostgresLocation(url), keyFile: "/etc/fieldbook/central.key")
/// let server = SyncServer(store: store, logger: logger)
/// ```
///
/// Transactions state their isolation level (``Isolation``): postgres-nio's own `withTransaction` sends a bare
/// `BEGIN`, which leaves it to the server's default.
public final class PostgresCentralStore: Sendable {
    /// Where the database is (without its password).
    public let location: PostgresLocation
    let client: PostgresClient
    let seal: SecretSeal
    let logger: Logger
    private let running: Task<Void, Never>

    private init(location: PostgresLocation, client: PostgresClient, seal: SecretSeal, logger: Logger) {
        self.location = location
        self.client = client
        self.seal = seal
        self.logger = logger
        self.running = Task { await client.run() }
    }

    deinit { running.cancel() }

    /// Connects to the database and brings its schema up to date (``PostgresMigrations``), creating it on first use.
    ///
    /// - Parameters:
    ///   - location: The database.
    ///   - keyFile: The sealing key of device secrets (32 bytes, mode 0600), created on first use. Every server of one
    ///     centre must be given the same file.
    ///   - connections: The most connections this server opens.
    ///   - logger: Where the pool logs (never customer data).
    /// - Throws: ``PostgresStoreError`` when the database cannot be reached or migrated.
    public static func open(
        _ location: PostgresLocation, keyFile: String, connections: Int = 8, logger: Logger = Logger(label: "fieldbook.postgres")
    ) async throws -> PostgresCentralStore {
        try await open(location, seal: SecretSeal(keyFile: keyFile), connections: connections, logger: logger)
    }

    /// Connects with a sealing key held in memory (tests).
    package static func open(
        _ location: PostgresLocation, seal: SecretSeal, connections: Int = 8, logger: Logger = Logger(label: "fieldbook.postgres")
    ) async throws -> PostgresCentralStore {
        // The pool's run() starts in a task of the store's own; the probe below gives that task time to start before
        // the first lease (postgres-nio warns about a lease that comes before run()).
        let client = PostgresClient(configuration: location.configuration(maximumConnections: connections), backgroundLogger: logger)
        let store = PostgresCentralStore(location: location, client: client, seal: seal, logger: logger)
        // One plain connection first, with a short timeout: the pool retries an unreachable server for a minute before
        // it gives up, and an operator who mistyped a port should hear so at once.
        do {
            let probe = try await PostgresConnection.connect(
                configuration: location.connectionConfiguration(timeout: .seconds(5)), id: 0, logger: logger)
            try await probe.close()
        } catch {
            store.close()
            throw PostgresStoreError("无法连接中心数据库 \(location)：\(PostgresStoreError.words(for: error))")
        }
        do {
            try await PostgresMigrations.migrate(store)
            try await store.checkSealingKey()
        } catch let error as PostgresStoreError {
            store.close()
            throw error
        } catch {
            store.close()
            throw PostgresStoreError("无法连接或升级中心数据库 \(location)：\(PostgresStoreError.words(for: error))")
        }
        return store
    }

    /// Records the sealing key's fingerprint on first use, and refuses a key file that is not the one the centre's
    /// device secrets are sealed under: every server of one centre must be given the same file.
    func checkSealingKey() async throws {
        let fingerprint = seal.fingerprint
        let logger = self.logger
        let recorded = try await transaction(.readCommitted) { connection -> String in
            try await connection.query(
                "INSERT INTO setting (key, value) VALUES ('seal', \(fingerprint)) ON CONFLICT (key) DO NOTHING", logger: logger)
            var value = fingerprint
            for try await stored in try await connection.query("SELECT value FROM setting WHERE key = 'seal'", logger: logger)
                .decode(String.self)
            {
                value = stored
            }
            return value
        }
        guard recorded == fingerprint else {
            throw PostgresStoreError(
                "密钥文件与中心数据库 \(location) 不匹配：设备密钥是用另一个密钥文件加密的。给这台服务器与其他服务器同一个 --key-file")
        }
    }

    /// The sealing key, for tests that open the same database as another server.
    package var sealForTests: SecretSeal { seal }

    /// Closes the pool.
    public func close() {
        running.cancel()
    }

    /// A transaction's isolation level, always sent explicitly.
    public enum Isolation: String, Sendable {
        /// Each statement sees what was committed before it; writers serialize on row locks (pushes, admin changes).
        case readCommitted = "READ COMMITTED"
        /// One snapshot for the whole transaction (pull plans, reports).
        case repeatableRead = "REPEATABLE READ"
    }

    /// Runs `body` in one transaction on a pooled connection: `BEGIN ISOLATION LEVEL …`, then `COMMIT`, or `ROLLBACK`
    /// when `body` throws.
    func transaction<T: Sendable>(
        _ isolation: Isolation, readOnly: Bool = false, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        return try await client.withConnection { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)\(readOnly ? " READ ONLY" : "")"), logger: logger)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }
}

extension PostgresStoreError {
    /// Words for a database failure: the SQLSTATE of a server error (its message may quote a row's values), the
    /// description of anything else (connection refused, a timeout).
    static func words(for error: any Error) -> String {
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                return "数据库错误 SQLSTATE \(state)"
            }
            return "数据库连接失败（\(error.code)）"
        }
        if let error = error as? PostgresStoreError { return error.description }
        return "\(type(of: error))"
    }
}
