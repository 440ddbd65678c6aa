import FieldbookCentral
import FieldbookCentralPostgres
import FieldbookCentralSQLite
import Foundation

/// The centre a cluster run measures: a fresh store and the `fieldbook serve` processes on it.
///
/// Either a SQLite file in a scratch folder (several servers may share it), or a fresh database made with `psql` on a
/// PostgreSQL cluster the caller runs (`--db postgres://USER@HOST:PORT/ANY`: the URL names the cluster and the role,
/// which needs CREATEDB; the database it names is not touched) and dropped again by ``tearDown()``. Every server
/// gets the same flags as in the single-server run (``ServeProcess``: plain TCP, the loopback caps raised), and on
/// PostgreSQL the centre's one sealing key file.
final class LoadCentre: @unchecked Sendable {
    // @unchecked: `servers` is filled once by `start` before any session runs, and read after; `tearDown` runs last.
    enum Engine: CustomStringConvertible {
        case sqlite
        /// The cluster's URL as given; the run's own database is ``LoadCentre/url``.
        case postgres(cluster: URLComponents)

        var description: String {
            if case .postgres = self { return "postgres" }
            return "sqlite"
        }
    }

    let engine: Engine
    /// The scratch folder: the SQLite file, the key file.
    let folder: String
    /// What `--db` is for the servers and the store: the SQLite file's path, or the run's database URL.
    let url: String
    /// The run's database on PostgreSQL (dropped at the end).
    private let databaseName: String?
    private(set) var servers: [ServeProcess] = []

    var keyFile: String { (folder as NSString).appendingPathComponent("central.key") }

    /// Makes the scratch folder and, on PostgreSQL, the run's database.
    ///
    /// - Parameter postgres: The cluster's URL, or `nil` for a SQLite file.
    init(postgres: String?) throws {
        folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("fieldbook-loadgen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard let postgres else {
            engine = .sqlite
            url = (folder as NSString).appendingPathComponent("central.sqlite")
            databaseName = nil
            return
        }
        guard let cluster = URLComponents(string: postgres), let user = cluster.user, let host = cluster.host else {
            throw LoadError("--db must be postgres://USER@HOST:PORT/DATABASE")
        }
        engine = .postgres(cluster: cluster)
        let name = "fb_load_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        databaseName = name
        url = "postgres://\(user)@\(host):\(cluster.port ?? 5432)/\(name)"
        // The centre's one sealing key, given to every server as a file (README "Running the centre on PostgreSQL").
        var key = [UInt8](repeating: 0, count: 32)
        for index in key.indices { key[index] = UInt8.random(in: 0...255) }
        guard FileManager.default.createFile(atPath: keyFile, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw LoadError("cannot write \(keyFile)")
        }
        try psql("CREATE DATABASE \(name)")
    }

    /// Opens the centre's store in this process (enrolment before the run, the count of what arrived after it).
    func openStore() async throws -> any CentralStore {
        switch engine {
        case .sqlite:
            return SQLiteCentralStore(try CentralDatabase.open(at: url))
        case .postgres:
            return try await PostgresCentralStore.open(try PostgresLocation(url), keyFile: keyFile, connections: 4)
        }
    }

    /// Lets go of a store from ``openStore()`` (a PostgreSQL store's pool runs until closed).
    func close(_ store: any CentralStore) {
        (store as? PostgresCentralStore)?.close()
    }

    /// Starts `count` servers on the store, one after another (the first runs the migrations).
    func start(servers count: Int, binary: String) throws {
        let extra: [String]
        switch engine {
        case .sqlite: extra = []
        case .postgres: extra = ["--key-file", keyFile]
        }
        for _ in 0..<count {
            servers.append(try ServeProcess(binary: binary, database: url, extraArguments: extra))
        }
    }

    /// `127.0.0.1:PORT` of each server, in start order.
    var addresses: [String] { servers.map { "127.0.0.1:\($0.port)" } }

    /// The database's processes, for their CPU time (`nil` on SQLite, whose work is inside the servers).
    func databaseProcesses() -> PostgresProcesses? {
        guard case .postgres(let cluster) = engine else { return nil }
        return PostgresProcesses(port: cluster.port ?? 5432)
    }

    /// Brings PostgreSQL's planner statistics up to date (`ANALYZE`), as autovacuum would by itself within a minute
    /// or so: the run's database went from empty to every device's customers moments before the measured part, and
    /// with statistics of near-empty tables the planner reads whole tables where it should use the keys. A centre that
    /// has been running has current statistics; this measures that state. Nothing to do on SQLite.
    func analyze() throws {
        guard let databaseName else { return }
        // Only the run's tables: the shared catalogues would each warn that only a superuser may analyze them.
        try psql("SET client_min_messages = error; ANALYZE", database: databaseName)
    }

    /// Stops every server, drops the run's database and deletes the scratch folder.
    func tearDown() {
        for server in servers { server.stop() }
        if let databaseName { try? psql("DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)") }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs one statement with the `psql` client, on the cluster's `postgres` database unless another is named.
    private func psql(_ statement: String, database: String = "postgres") throws {
        guard case .postgres(let cluster) = engine else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", cluster.host ?? "127.0.0.1", "-p", String(cluster.port ?? 5432),
            "-U", cluster.user ?? "postgres", "-d", database, "-c", statement,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw LoadError("psql failed: \(statement)") }
    }
}
