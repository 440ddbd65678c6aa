import FieldbookServer
import FieldbookTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 17's done-when, with the real executable: three `serve` processes on one PostgreSQL database, devices of three
/// principals syncing through different servers, a co-covered VIP edited concurrently, a reassignment, and `kill -9` of
/// one server in the middle of a sync. Every device converges through the others, nothing acknowledged is lost or
/// stored twice, and `admin check` is clean.
///
/// Runs against the throwaway cluster that `tools/test` starts (`tools/cluster`), named by `FIELDBOOK_TEST_POSTGRES`;
/// each run makes its own database there and drops it.
@Suite(
    "The centre on PostgreSQL: three servers end to end", .serialized,
    .enabled(if: TestCluster.url != nil, "FIELDBOOK_TEST_POSTGRES is not set (tools/test sets it)"))
struct PostgresClusterEndToEndTests {

    /// A centre of three servers on a fresh database, and the books of its devices, all in one temporary home.
    final class Centre {
        let home = TemporaryDirectory()
        let url: String
        let database: String
        let server: URLComponents
        var servers: [CentralProcess] = []

        init() throws {
            server = URLComponents(string: TestCluster.url!)!
            database = "fb_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
            url = "postgres://\(server.user!)@\(server.host!):\(server.port ?? 5432)/\(database)"
            try psql("CREATE DATABASE \(database)")
            // One TLS identity for every server of the centre: devices pin it whichever server they reach.
            _ = try ServerIdentity.loadOrCreate(at: home.file("centre.pem"))
        }

        deinit {
            for server in servers { server.stop() }
            try? psql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)")
        }

        /// Runs one statement on the cluster's `postgres` database with the `psql` client.
        func psql(_ statement: String) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            process.arguments = [
                "-q", "-v", "ON_ERROR_STOP=1", "-h", server.host!, "-p", String(server.port ?? 5432), "-U", server.user!,
                "-d", "postgres", "-c", statement,
            ]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw POSIXError(.EIO) }
        }

        /// What every server and `admin` are given: the database, the shared sealing key, the shared identity.
        var storeOptions: [String] { ["--db", url, "--key-file", home.file("central.key")] }

        func start(_ count: Int) throws {
            for _ in 0..<count {
                servers.append(
                    try CentralProcess(
                        home: home.path,
                        extra: storeOptions + ["--tls-cert", home.file("centre.pem"), "--tls-key", home.file("centre.pem")]))
            }
        }

        /// `fieldbook admin SUBCOMMAND … --db URL --key-file KEY`.
        @discardableResult
        func admin(_ arguments: String...) throws -> Executable.Result {
            try Executable.run(["admin"] + arguments + storeOptions, environment: ["FIELDBOOK_HOME": home.path])
        }

        func book(_ name: String, _ commands: String) throws -> Executable.Result {
            try Executable.run(["--book", home.file(name), "-c", commands], environment: ["FIELDBOOK_HOME": home.path])
        }

        /// Enrols a book for `code` whose token lists the servers starting at `first` (so each device starts elsewhere).
        func enrol(_ code: String, _ name: String, first: Int) throws {
            let order = (0..<servers.count).map { servers[($0 + first) % servers.count].address }
            let token = try admin("device", "add", code, "--server", order.joined(separator: ","))
            #expect(token.code == 0, "\(token.error)")
            let created = try Executable.run([
                "init", "--principal", code, "--book", home.file(name), "--token",
                token.output.trimmingCharacters(in: .whitespacesAndNewlines),
            ])
            #expect(created.code == 0, "\(created.error)")
        }

        func json(_ result: Executable.Result) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
        }
    }

    /// The short IDs of the complete "已添加客户 NAME [ID]" lines: what the user was told was saved.
    static func acknowledged(_ output: String) -> [String] {
        output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().compactMap { line in
            guard line.hasPrefix("已添加客户 "), let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]")
            else { return nil }
            return String(line[line.index(after: open)..<close])
        }
    }

    @Test("co-covered VIP edited concurrently, a reassignment, kill -9 of a server mid-sync: all converge, admin check clean")
    func threeServers() throws {
        let centre = try Centre()
        for (code, name, role) in [
            ("M001", "张经理", "manager"), ("M002", "李经理", "manager"), ("W001", "王顾问", "advisor"), ("A001", "赵主管", "admin"),
        ] {
            let added = try centre.admin("principal", "add", code, "--name", name, "--role", role)
            #expect(added.code == 0, "\(added.error)")
        }
        try centre.start(3)
        try centre.enrol("M001", "m1.sqlite", first: 0)
        try centre.enrol("W001", "w1.sqlite", first: 1)
        try centre.enrol("M002", "m2.sqlite", first: 2)
        try centre.enrol("M001", "m1b.sqlite", first: 1)

        // M001's VIP, through the first server; co-covered with the wealth centre.
        let added = try centre.book("m1.sqlite", "add 王芳 tier=钻石 phone=13800000001; add 陈静 tier=金葵花; sync")
        #expect(added.code == 0, "\(added.error)")
        #expect(added.output.contains("经由中心节点 \(centre.servers[0].address)"), "\(added.output)")
        let cocovered = try centre.admin("cocover", "王芳", "--with", "W001", "--as", "A001")
        #expect(cocovered.code == 0, "\(cocovered.error)")

        // The advisor receives the VIP through the second server; both edit its phone offline, then sync.
        let received = try centre.book("w1.sqlite", "sync")
        #expect(received.code == 0 && received.output.contains("经由中心节点 \(centre.servers[1].address)"), "\(received.output)\(received.error)")
        #expect(try centre.book("w1.sqlite", "set 王芳 phone=13900000002").code == 0)
        #expect(try centre.book("m1.sqlite", "set 王芳 phone=13700000003").code == 0)
        for name in ["w1.sqlite", "m1.sqlite", "w1.sqlite", "m1b.sqlite"] {
            let synced = try centre.book(name, "sync")
            #expect(synced.code == 0, "\(name): \(synced.error)")
        }
        for name in ["w1.sqlite", "m1.sqlite", "m1b.sqlite"] {
            let conflicts = try centre.book(name, "conflicts --json")
            #expect(conflicts.output.contains("\"phone\""), "\(name): the concurrent edits are kept visible: \(conflicts.output)")
        }

        // Reassignment: 陈静 moves to M002, whose device (first server: the third) receives it; M001's books lose it.
        let assigned = try centre.admin("assign", "陈静", "--to", "M002", "--as", "A001")
        #expect(assigned.code == 0, "\(assigned.error)")
        let gained = try centre.book("m2.sqlite", "sync")
        #expect(gained.code == 0 && gained.output.contains("经由中心节点 \(centre.servers[2].address)"), "\(gained.output)\(gained.error)")
        #expect(try centre.book("m2.sqlite", "show 陈静").code == 0)

        // kill -9 of the first server while M001's device pushes a large batch through it: the sync ends cleanly
        // (done, or a network failure in one line), and the retry goes through the next server.
        let batch = try centre.book("m1.sqlite", (0..<200).map { "add 丙客户\($0) tier=普通 note=第\($0)位" }.joined(separator: "; "))
        #expect(batch.code == 0, "\(batch.error)")
        let acknowledged = Self.acknowledged(batch.output + "\n")
        #expect(acknowledged.count == 200, "every add was acknowledged: \(acknowledged.count)")
        let (process, input, output, error) = try Executable.start(
            ["--book", centre.home.file("m1.sqlite"), "-c", "sync"], environment: ["FIELDBOOK_HOME": centre.home.path])
        try input.fileHandleForWriting.close()
        var random = SystemRandomNumberGenerator()
        usleep(UInt32.random(in: 50_000...400_000, using: &random))
        centre.servers[0].kill9()
        _ = output.fileHandleForReading.readDataToEndOfFile()
        let complaint = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect([0, 3].contains(process.terminationStatus), "\(complaint)")
        #expect(complaint.split(separator: "\n").count <= 1, "\(complaint)")

        // Everyone syncs twice more through whichever server answers: the books converge.
        for _ in 0..<2 {
            for name in ["m1.sqlite", "m1b.sqlite", "w1.sqlite", "m2.sqlite"] {
                let synced = try centre.book(name, "sync")
                #expect(synced.code == 0, "\(name): \(synced.error)")
                #expect(!synced.output.contains("经由中心节点 \(centre.servers[0].address)"), "\(name) used the killed server")
            }
        }
        // M001's two books agree, hold every acknowledged customer, and no longer hold 陈静.
        let hashes = try ["m1.sqlite", "m1b.sqlite"].map { try centre.json(centre.book($0, "status --json"))["state_hash"] as? String }
        #expect(hashes[0] != nil && Set(hashes).count == 1, "\(hashes)")
        let listed = try centre.book("m1b.sqlite", "find 丙客户 --all")
        for short in acknowledged { #expect(listed.output.contains(short), "acknowledged customer \(short) lost") }
        #expect(try centre.book("m1.sqlite", "show 陈静").code != 0, "the reassigned customer was purged")
        for name in ["m1.sqlite", "m1b.sqlite", "w1.sqlite", "m2.sqlite"] {
            let check = try centre.book(name, "check")
            #expect(check.code == 0, "\(name): \(check.output)")
        }

        // Nothing lost or stored twice at the centre: its ops are the devices' ops plus its own coverage changes, each
        // once (the op table's (actor, counter) is unique), and its check is clean.
        let status = try centre.json(centre.admin("status", "--json"))
        let m1Ops = try centre.json(centre.book("m1.sqlite", "status --json"))["ops"] as? Int ?? -1
        #expect((status["ops"] as? Int ?? 0) >= m1Ops, "the centre holds at least what M001's book holds")
        let check = try centre.admin("check")
        #expect(check.code == 0, "\(check.output) \(check.error)")
    }
}

/// The throwaway PostgreSQL cluster `tools/test` starts.
enum TestCluster {
    /// Its server URL, from `FIELDBOOK_TEST_POSTGRES`.
    static var url: String? { ProcessInfo.processInfo.environment["FIELDBOOK_TEST_POSTGRES"] }
}
