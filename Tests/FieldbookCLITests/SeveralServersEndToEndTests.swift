import FieldbookTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 17 with the real executable: a token that lists several servers of one centre (two `serve` processes on one
/// central database, behind a dead address), `init --server A,B`, and `sync` going through the first server that
/// answers and saying which.
@Suite("Several servers end to end", .serialized)
struct SeveralServersEndToEndTests: CentralHomeTests {
    let home = TemporaryDirectory()

    /// A loopback port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("a dead first address gives way to the next server; sync names the server; a killed one gives way too")
    func failover() throws {
        #expect(try admin("--db", home.file("central.sqlite"), "principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        let first = try CentralProcess(home: home.path)
        let second = try CentralProcess(home: home.path)
        defer {
            first.stop()
            second.stop()
        }
        let dead = "127.0.0.1:\(try Self.closedPort())"
        let servers = "\(dead),\(first.address),\(second.address)"

        let issued = try admin("device", "add", "M001", "--server", servers)
        #expect(issued.code == 0, "\(issued.error)")
        let token = issued.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let created = try Executable.run(["init", "--principal", "M001", "--book", home.file("a.sqlite"), "--token", token])
        #expect(created.code == 0, "\(created.error)")
        #expect(created.output.contains("已登记到中心节点 \(dead)、\(first.address)、\(second.address)（同步时依次尝试）"), "\(created.output)")

        let synced = try book("a.sqlite", "add 王芳; sync")
        #expect(synced.code == 0, "\(synced.error)")
        #expect(synced.output.contains("中心节点 \(dead) 没有应答（连接失败），改连 \(first.address)…"), "\(synced.output)")
        #expect(synced.output.contains("同步完成：发送 1 个操作，接收 0 个操作，没有新冲突；经由中心节点 \(first.address)"), "\(synced.output)")

        // The first server killed: the next sync goes through the second, from the same book.
        first.kill9()
        let again = try book("a.sqlite", "add 陈静; sync")
        #expect(again.code == 0, "\(again.error)")
        #expect(again.output.contains("改连 \(first.address)…") && again.output.contains("改连 \(second.address)…"), "\(again.output)")
        #expect(again.output.contains("同步完成：发送 1 个操作，接收 0 个操作，没有新冲突；经由中心节点 \(second.address)"), "\(again.output)")

        // `sync --server` for once: a list, or one dead server (exit 3, its own words); a malformed one is a usage error.
        let chosen = try book("a.sqlite", "sync --server \(second.address),\(dead)")
        #expect(chosen.code == 0 && chosen.output.contains("经由中心节点 \(second.address)"), "\(chosen.output)\(chosen.error)")
        let unreachable = try book("a.sqlite", "sync --server \(dead)")
        #expect(unreachable.code == 3 && unreachable.error.contains("连不上中心节点 \(dead)"), "\(unreachable.error)")
        let everyDead = try book("a.sqlite", "sync --server \(dead),\(first.address)")
        #expect(everyDead.code == 3 && everyDead.error.contains("连不上中心节点的任何一台服务器（\(dead)、\(first.address)）"), "\(everyDead.error)")
        let malformed = try book("a.sqlite", "sync --server \(dead),7420")
        #expect(malformed.code == 2 && malformed.error.contains("--server 应为 主机:端口"), "\(malformed.error)")

        // init --server replaces the token's list with its own; the book then tries those.
        let other = try admin("device", "add", "M001")
        let relisted = try Executable.run([
            "init", "--principal", "M001", "--book", home.file("b.sqlite"), "--server", "\(dead), \(second.address)", "--token",
            other.output.trimmingCharacters(in: .whitespacesAndNewlines),
        ])
        #expect(relisted.code == 0 && relisted.output.contains("已登记到中心节点 \(dead)、\(second.address)（同步时依次尝试）"), "\(relisted.output)\(relisted.error)")
        let pulled = try book("b.sqlite", "sync")
        #expect(pulled.code == 0 && pulled.output.contains("新增客户 2 位") && pulled.output.contains("经由中心节点 \(second.address)"), "\(pulled.output)\(pulled.error)")

        // A list that is not HOST:PORT[,HOST:PORT…] is a usage error, for init and for admin device add alike.
        let badInit = try Executable.run(["init", "--principal", "M001", "--book", home.file("c.sqlite"), "--server", "a:1,", "--token", token])
        #expect(badInit.code == 2 && badInit.error.contains("--server 应为 主机:端口"), "\(badInit.error)")
        #expect(!FileManager.default.fileExists(atPath: home.file("c.sqlite")))
        let badAdd = try admin("device", "add", "M001", "--server", "centre")
        #expect(badAdd.code == 2 && badAdd.error.contains("--server 应为 主机:端口") && badAdd.output.isEmpty, "\(badAdd.error)")
    }
}
