import FieldbookTestSupport
import Foundation
import Synchronization
import Testing

/// `fieldbook admin --db PATH SUBCOMMAND …` and `admin SUBCOMMAND … --db PATH` are the same command (SHELL.md,
/// "Invocation"), at every depth of subcommand, with the same default; `--db` twice must agree.
@Suite("admin --db before or after the subcommand", .serialized)
struct AdminDatabaseOptionTests {
    let home = TemporaryDirectory()

    /// Runs `fieldbook ARGUMENTS` with the home as `$FIELDBOOK_HOME`.
    func run(_ arguments: [String]) throws -> Executable.Result {
        try Executable.run(arguments, environment: ["FIELDBOOK_HOME": home.path])
    }

    /// The principals `admin status --json` lists in the central database `db`.
    func principals(_ db: String) throws -> [String] {
        let status = try run(["admin", "status", "--json", "--db", db])
        #expect(status.code == 0, "\(status.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])
        return (object["principals"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    @Test("--db before the subcommand, after it, between nested subcommands, or twice the same: one database")
    func bothOrders() throws {
        let db = home.file("branch.sqlite")
        let added = [
            try run(["admin", "--db", db, "principal", "add", "M001", "--name", "张经理", "--role", "manager"]),
            try run(["admin", "principal", "add", "M002", "--name", "李经理", "--role", "manager", "--db", db]),
            try run(["admin", "principal", "--db", db, "add", "W001", "--name", "王投顾", "--role", "advisor"]),
            try run(["admin", "--db=\(db)", "principal", "add", "A001", "--name", "周主管", "--role", "admin", "--db", db]),
        ]
        for result in added { #expect(result.code == 0 && result.output.hasPrefix("已添加员工"), "\(result.error)") }
        #expect(try principals(db) == ["A001", "M001", "M002", "W001"])
        #expect(!FileManager.default.fileExists(atPath: home.file("central.sqlite")), "the default database was never opened")

        // The same output whichever side --db stands on, for every kind of subcommand.
        for command in [["status", "--json"], ["customers", "--json"], ["report", "coverage", "--json"], ["check"], ["find", "王"]] {
            let before = try run(["admin", "--db", db] + command)
            let after = try run(["admin"] + command + ["--db", db])
            #expect(before.code == after.code && before.output == after.output && before.error == after.error, "\(command)")
            #expect(before.code == 0, "\(command): \(before.error)")
        }
        // A device for a principal added with --db before: its token, with --db after.
        let token = try run(["admin", "device", "add", "M001", "--server", "127.0.0.1:7420", "--db", db])
        #expect(token.code == 0 && token.output.hasPrefix("fb2:"), "\(token.error)")
        let revoked = try run(["admin", "--db", db, "device", "revoke", String(try deviceID(db).prefix(8))])
        #expect(revoked.code == 0 && revoked.output.hasPrefix("已停用设备"), "\(revoked.error)")
    }

    /// The one device of `db`.
    func deviceID(_ db: String) throws -> String {
        let status = try run(["admin", "--db", db, "status", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])
        return try #require((object["devices"] as? [[String: Any]])?.first?["device"] as? String)
    }

    @Test("without --db: $FIELDBOOK_HOME/central.sqlite, before and after alike")
    func defaultDatabase() throws {
        #expect(try run(["admin", "principal", "add", "M001", "--name", "张经理", "--role", "manager"]).code == 0)
        #expect(FileManager.default.fileExists(atPath: home.file("central.sqlite")))
        #expect(try principals(home.file("central.sqlite")) == ["M001"])
        let explicit = try run(["admin", "--db", home.file("central.sqlite"), "status"])
        let implicit = try run(["admin", "status"])
        #expect(explicit.code == 0 && explicit.output == implicit.output)
    }

    @Test("--db twice with different values is a usage error that opens nothing; an empty --db too")
    func twoDatabases() throws {
        let a = home.file("a.sqlite")
        let b = home.file("b.sqlite")
        for arguments in [
            ["admin", "--db", a, "principal", "add", "M001", "--name", "张经理", "--role", "manager", "--db", b],
            ["admin", "principal", "add", "M001", "--db", a, "--name", "张经理", "--role", "manager", "--db", b],
            ["admin", "--db", a, "--db", b, "status"],
        ] {
            let refused = try run(arguments)
            #expect(refused.code == 2, "\(arguments): \(refused.code) \(refused.error)")
            #expect(refused.error.hasPrefix("错误：--db 给了两个不同的中心数据库（\(a) 和 \(b)）：只能给一个\n"), "\(refused.error)")
            #expect(refused.output.isEmpty)
        }
        let empty = try run(["admin", "status", "--db", ""])
        #expect(empty.code == 2 && empty.error.hasPrefix("错误：--db 需要中心数据库的路径"), "\(empty.error)")
        for path in [a, b, home.file("central.sqlite")] { #expect(!FileManager.default.fileExists(atPath: path), "\(path)") }
    }

    @Test("--db postgres://… reaches the centre's store location before or after the subcommand alike")
    func postgresURL() throws {
        let url = "postgres://fieldbook@127.0.0.1:1/fieldbook"
        // Both at once: a PostgreSQL store may take its time to give up on a port where nothing listens.
        let orders = [
            ["admin", "--db", url, "principal", "add", "M001", "--name", "张经理", "--role", "manager"],
            ["admin", "principal", "add", "M001", "--name", "张经理", "--role", "manager", "--db", url],
        ]
        let results = Mutex<[Int: Executable.Result]>([:])
        DispatchQueue.concurrentPerform(iterations: orders.count) { index in
            let result = (try? run(orders[index])) ?? Executable.Result(code: -1, output: "", error: "did not run")
            results.withLock { $0[index] = result }
        }
        let before = try #require(results.withLock { $0[0] })
        let after = try #require(results.withLock { $0[1] })
        #expect(before.code == after.code && before.error == after.error && before.output == after.output)
        #expect(before.code != 0 && !before.error.isEmpty && before.error.split(separator: "\n").count == 1, "\(before.error)")
        #expect(!FileManager.default.fileExists(atPath: home.file("central.sqlite")), "a URL never falls back to the default file")
    }
}
