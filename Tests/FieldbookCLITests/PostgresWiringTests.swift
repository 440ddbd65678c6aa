import FieldbookTestSupport
import Foundation
import Testing

/// `--db postgres://…` in the executable: what `serve` and `admin` need besides the URL (one TLS identity, one sealing
/// key as files), refused in words before anything is opened, and the key file's default and checks.
@Suite("serve and admin on a postgres:// database: the key file and the TLS identity")
struct PostgresWiringTests {
    let home = TemporaryDirectory()

    func run(_ arguments: [String]) throws -> Executable.Result {
        try Executable.run(arguments, environment: ["FIELDBOOK_HOME": home.path])
    }

    @Test("serve on PostgreSQL without --tls-cert/--tls-key or --insecure is a usage error that says what to give")
    func serveNeedsOneIdentity() throws {
        let result = try run(["serve", "--db", "postgres://fieldbook@127.0.0.1:1/central", "--port", "0"])
        #expect(result.code == 2)
        #expect(result.error.hasPrefix("错误：postgres:// 中心的每台服务器须出示同一个证书：给 --tls-cert"), "\(result.error)")
        #expect(result.error.contains("--insecure"))
        #expect(result.output.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: home.file("central.key")), "nothing was opened or made")
    }

    @Test("--key-file belongs to a postgres:// database: a SQLite centre keeps its key beside its file")
    func keyFileOnlyForPostgres() throws {
        let serve = try run(["serve", "--db", home.file("c.sqlite"), "--key-file", home.file("k"), "--port", "0"])
        #expect(serve.code == 2 && serve.error.contains("--key-file 只用于 postgres:// 数据库"), "\(serve.error)")
        let defaultDatabase = try run(["serve", "--key-file", home.file("k"), "--port", "0"])
        #expect(defaultDatabase.code == 2 && defaultDatabase.error.contains("--key-file 只用于 postgres:// 数据库"))
        let admin = try run(["admin", "--db", home.file("c.sqlite"), "--key-file", home.file("k"), "status"])
        #expect(admin.code == 1 && admin.error.hasPrefix("--key-file 只用于 postgres:// 数据库"), "\(admin.error)")
        #expect(!FileManager.default.fileExists(atPath: home.file("c.sqlite")), "no database was made")
    }

    @Test("a key file that is not a key is refused, not replaced; an unreachable database is one line without the password")
    func keyFileChecks() throws {
        let bad = home.file("bad.key")
        try Data(repeating: 7, count: 10).write(to: URL(fileURLWithPath: bad))
        let refused = try run(["admin", "--db", "postgres://fieldbook:s3cret@127.0.0.1:1/central", "--key-file", bad, "status"])
        #expect(refused.code == 1)
        #expect(refused.error == "密钥文件 \(bad) 不是中心节点的密钥（应为 32 字节）：给每台服务器同一个 --key-file\n", "\(refused.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: bad)) == Data(repeating: 7, count: 10), "left as it was")

        // The default key file is made (0600) on first use; the database at port 1 cannot be reached.
        let unreachable = try run(["admin", "status", "--db", "postgres://fieldbook:s3cret@127.0.0.1:1/central"])
        #expect(unreachable.code == 1)
        #expect(unreachable.error.hasPrefix("无法连接"), "\(unreachable.error)")
        #expect(unreachable.error.contains("postgres://fieldbook@127.0.0.1:1/central"), "\(unreachable.error)")
        #expect(!unreachable.error.contains("s3cret"))
        #expect(unreachable.error.split(separator: "\n").count == 1, "one line: \(unreachable.error)")
        #expect(unreachable.output.isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: home.file("central.key"))
        #expect((attributes[.size] as? NSNumber)?.intValue == 32)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
