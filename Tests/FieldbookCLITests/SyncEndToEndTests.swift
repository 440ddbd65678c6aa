import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// The end-to-end scenario, with the real executable: a central node on a loopback port, manager A,
/// manager B and an advisor W who co-covers one of A's diamond customers.
@Suite("Sync end to end", .serialized)
struct SyncEndToEndTests: CentralHomeTests {
    let home = TemporaryDirectory()

    @Test("conflict on a co-covered VIP, resolve everywhere, reassignment, revocation, a killed server")
    func scenario() throws {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        #expect(try admin("principal", "add", "M002", "--name", "李经理", "--role", "manager").code == 0)
        #expect(try admin("principal", "add", "W001", "--name", "王投顾", "--role", "advisor").code == 0)
        var server = try CentralProcess(home: home.path)
        try enrol("M001", "a.sqlite", server: server)
        try enrol("M002", "b.sqlite", server: server)
        try enrol("W001", "w.sqlite", server: server)

        let added = try book("a.sqlite", "add 王芳 phone=13800138000 tier=钻石; add 陈静 tier=金葵花; add 李明; sync")
        #expect(added.code == 0, "\(added.error)")
        #expect(added.output.contains("同步完成：发送 3 个操作"))
        #expect(try admin("cocover", "王芳", "--with", "W001").code == 0)
        let joined = try book("w.sqlite", "sync; find --json")
        #expect(joined.output.contains("新增客户 1 位"), "\(joined.output)")
        #expect(joined.output.contains("王芳") && !joined.output.contains("陈静"))

        // Both change the VIP's phone while apart.
        #expect(try book("a.sqlite", "set 王芳 phone=13900139000").code == 0)
        #expect(try book("w.sqlite", "set 王芳 phone=13700137000; sync").code == 0)
        #expect(try book("a.sqlite", "sync").code == 0)
        #expect(try book("w.sqlite", "sync").code == 0)
        for name in ["a.sqlite", "w.sqlite"] {
            let shown = try book(name, "show 王芳 --json")
            #expect(shown.output.contains("\"conflicts\": [\n    {\n      \"field\": \"phone\""), "\(name): \(shown.output)")
            #expect(shown.output.contains("13900139000") && shown.output.contains("13700137000"))
        }
        // Resolving on one clears it on all.
        #expect(try book("w.sqlite", "resolve 王芳 phone=13700137000; sync").code == 0)
        #expect(try book("a.sqlite", "sync").code == 0)
        for name in ["a.sqlite", "w.sqlite"] {
            #expect(try book(name, "conflicts --json").output.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        }

        // B never sees A's customers.
        let other = try book("b.sqlite", "sync; find --json")
        #expect(other.code == 0)
        #expect(!other.output.contains("王芳") && !other.output.contains("陈静"))

        // Reassignment: A's next sync purges 陈静, B's brings its full history.
        #expect(try admin("assign", "陈静", "--to", "M002").code == 0)
        let lost = try book("a.sqlite", "sync; find 陈")
        #expect(lost.output.contains("移出 陈静"), "\(lost.output)")
        #expect(lost.output.contains("已改由 M002 管户"))
        #expect(lost.output.contains("没有找到客户"))
        let gained = try book("b.sqlite", "sync; show 陈静; history 陈静")
        #expect(gained.output.contains("新增客户 1 位") && gained.output.contains("金葵花"), "\(gained.output)")
        #expect(gained.output.contains("M001") && gained.output.contains("管户 → M002"))
        // The purge left no trace of the customer in A's file.
        let aBook = try Book.open(at: home.file("a.sqlite"))
        #expect(try aBook.ops(in: .customer(try Book.open(at: home.file("b.sqlite")).resolveCustomer("陈静"))).isEmpty)
        #expect(try aBook.verifyProjections() == [])

        // A device's state verifies against the centre's view of its scope after every sync above: a mismatch
        // would print a warning.
        #expect(!lost.output.contains("警告"))

        // Revocation: the device can no longer sync (exit 3, clear message) and erases its book.
        let status = try admin("status", "--json")
        let wDevice = try #require(status.output.components(separatedBy: "\"device\": \"").dropFirst()
            .first { $0.contains("\"principal\": \"W001\"") }.map { String($0.prefix(8)) })
        #expect(try admin("device", "revoke", wDevice).code == 0)
        let refused = try book("w.sqlite", "sync")
        #expect(refused.code == 3)
        #expect(refused.error.contains("停用"), "\(refused.error)")
        // The centre's notice came over pinned TLS, so the device erased its book and exits (issue 15).
        #expect(refused.error.contains("擦除"), "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: home.file("w.sqlite")))

        // A killed server: A makes many changes, the server dies mid-sync, restarts, and the next sync completes
        // with nothing lost or duplicated.
        let many = (0..<2_000).map { "add 客户\($0) note=批量" }.joined(separator: "\n")
        #expect(try Executable.run(["--book", home.file("a.sqlite")], stdin: many).code == 0)
        let port = server.port
        let (syncing, _, _, _) = try Executable.start(["--book", home.file("a.sqlite"), "-c", "sync"])
        usleep(150_000)
        server.kill9()
        syncing.waitUntilExit()
        server = try CentralProcess(home: home.path, port: port)
        let resumed = try book("a.sqlite", "sync; status --json")
        #expect(resumed.code == 0, "\(resumed.error)")
        #expect(resumed.output.contains("\"unsynced_ops\": 0"))
        #expect(!resumed.output.contains("警告"))
        #expect(server.stop() == 0, "SIGTERM stops the server cleanly")
        let central = try Book.open(at: home.file("central.sqlite"))
        // Every op A ever made is held exactly once (A's own copy of 陈静's creation left with the purge).
        let counter = try #require(try aBook.meta("counter").flatMap(Int.init))
        let held = try central.ops(of: aBook.actor, after: 0, limit: 100_000).map(\.id.counter)
        #expect(held == Array(1...UInt64(counter)))
        #expect(try central.verifyProjections() == [])
        #expect(try central.customerCount() == 2_003)
    }

    @Test("garbage, a half frame then silence, and an unreachable server: clear errors, the server keeps serving")
    func hostileConnections() throws {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        let server = try CentralProcess(home: home.path, extra: ["--idle-timeout", "2"])
        try enrol("M001", "a.sqlite", server: server)

        // Garbage bytes: the server answers and closes; a half frame then silence: closed after the idle timeout.
        for payload in [Array("GET / HTTP/1.1\r\n\r\n".utf8), [0x46, 0x42, 0x4B, 0x57, 1, 1, 0x43, 0x01, 0x01]] {
            let socket = try RawConnection(port: server.port)
            socket.send(payload)
            #expect(socket.drain(for: 10).closed, "the server closes a bad or silent connection")
        }
        let ok = try book("a.sqlite", "add 王芳; sync")
        #expect(ok.code == 0, "\(ok.error)")

        // A book started offline is enrolled later with `init --token`, and its first sync pushes what it holds.
        #expect(try Executable.run(["init", "--principal", "M001", "--book", home.file("late.sqlite")]).code == 0)
        #expect(try book("late.sqlite", "add 陈静; add 李明").code == 0)
        let lateToken = try admin("device", "add", "M001", "--server", server.address).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let wrongOwner = try Executable.run(["init", "--principal", "M002", "--book", home.file("late.sqlite"), "--token", lateToken])
        #expect(wrongOwner.code == 1 && wrongOwner.error.contains("M001 签发"), "\(wrongOwner.error)")
        let enrolled = try Executable.run(["init", "--principal", "M001", "--book", home.file("late.sqlite"), "--token", lateToken])
        #expect(enrolled.code == 0 && enrolled.output.contains("登记到中心节点"), "\(enrolled.error)")
        let late = try book("late.sqlite", "sync")
        #expect(late.output.contains("发送 2 个操作"), "\(late.output)\(late.error)")
        // A token enrols one book, once: a second book presenting it is told exactly that.
        #expect(try Executable.run(["init", "--principal", "M001", "--book", home.file("second.sqlite"), "--token", lateToken]).code == 0)
        let reused = try book("second.sqlite", "sync")
        #expect(reused.code != 0 && reused.error.contains("已被另一个账本用过"), "\(reused.error)")
        #expect(server.stop() == 0)
        let log = server.logText()
        #expect(!log.contains("王芳"), "no customer data in logs")

        // The central node is gone: exit 3, a clear message, the book untouched and usable.
        let offline = try book("a.sqlite", "add 李明; sync")
        #expect(offline.code == 3)
        #expect(offline.error.contains("连不上中心节点"), "\(offline.error)")
        #expect(try book("a.sqlite", "find 李明").output.contains("李明"))
    }
}
