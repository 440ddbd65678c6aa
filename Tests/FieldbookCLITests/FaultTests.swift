import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import FieldbookWire
import Foundation
import GRDB
import NIOCore
import Testing

/// Issue 9's short fault tests with the real executable: SIGKILL of a device during sync and of the server while
/// several devices sync, network faults through `tools/faultproxy`, the server's connection limits, and `check`.
/// The long versions are in `tools/soak` (RELIABILITY.md).
@Suite("Faults end to end", .serialized)
struct FaultTests {
    /// A central node on a loopback port with its home folder.
    final class Cluster {
        let home = TemporaryDirectory()
        var server: CentralProcess
        let extra: [String]

        init(extra: [String] = []) throws {
            self.extra = extra
            server = try CentralProcess(home: home.path, extra: extra)
        }

        deinit { server.stop() }

        var environment: [String: String] { ["FIELDBOOK_HOME": home.path] }

        @discardableResult
        func admin(_ arguments: String...) throws -> Executable.Result {
            try Executable.run(["admin"] + arguments, environment: environment)
        }

        func book(_ name: String, _ commands: String) throws -> Executable.Result {
            try Executable.run(["--book", home.file(name), "-c", commands], environment: environment)
        }

        /// Syncs straight to the server (never through a proxy), whatever address the book keeps.
        func sync(_ name: String) throws -> Executable.Result { try book(name, "sync --server \(server.address)") }

        func enrol(_ code: String, _ names: String...) throws {
            if try admin("principal", "add", code, "--name", "经理\(code)", "--role", "manager").code != 0 { return }
            for name in names {
                let token = try admin("device", "add", code, "--server", server.address)
                // A server run with --insecure needs devices enrolled with --insecure (SECURITY.md).
                let created = try Executable.run([
                    "init", "--principal", code, "--book", home.file(name), "--token",
                    token.output.trimmingCharacters(in: .whitespacesAndNewlines),
                ] + (extra.contains("--insecure") ? ["--insecure"] : []))
                #expect(created.code == 0, "\(created.error)")
            }
        }

        func restart() throws {
            server = try CentralProcess(home: home.path, port: server.port, extra: extra)
        }

        func status(_ name: String) throws -> [String: Any] {
            let result = try book(name, "status --json")
            return try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any] ?? [:]
        }

        func centralOps() throws -> Int {
            let result = try admin("status", "--json")
            let json = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            return json?["ops"] as? Int ?? -1
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

    /// Every acknowledged customer is in each book, the books agree, and the central node holds exactly their ops.
    func expectConverged(_ cluster: Cluster, _ names: [String], acknowledged: [String], centralOps: Int? = nil) throws {
        for name in names {
            let check = try cluster.book(name, "check")
            #expect(check.code == 0, "\(name): \(check.output) \(check.error)")
        }
        let hashes = try names.map { try cluster.status($0)["state_hash"] as? String }
        #expect(Set(hashes).count == 1, "state hashes \(hashes)")
        let book = try Book.open(at: cluster.home.file(names[0]))
        for short in acknowledged {
            #expect((try? book.resolveCustomer(short)) != nil, "acknowledged customer \(short) lost")
        }
        if let centralOps { #expect(try cluster.centralOps() == centralOps) }
        let check = try cluster.admin("check")
        #expect(check.code == 0, "\(check.output) \(check.error)")
        #expect(check.output.contains("中心数据库完好"))
    }

    @Test("SIGKILL during a device's sync: nothing acknowledged lost or applied twice, a final sync converges")
    func killDeviceDuringSync() throws {
        let cluster = try Cluster()
        try cluster.enrol("M001", "a.sqlite", "b.sqlite")
        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        var acknowledged: [String] = []
        for iteration in 0..<10 {
            let script = (0..<30).map { "add 甲\(iteration)号\($0) tier=钻石 note=第\(iteration)轮" }.joined(separator: "\n")
                + "\nsync --server \(cluster.server.address)\n"
            let (process, input, output, _) = try Executable.start(
                ["--book", cluster.home.file("a.sqlite")], environment: cluster.environment)
            input.fileHandleForWriting.write(Data(script.utf8))
            try input.fileHandleForWriting.close()
            usleep(UInt32(50_000 + random.next() % 800_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            acknowledged += Self.acknowledged(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
            let check = try cluster.book("a.sqlite", "check")
            #expect(check.code == 0, "iteration \(iteration): \(check.output)")
            if iteration % 3 == 0 { #expect(try cluster.sync("b.sqlite").code == 0) }
        }
        #expect(!acknowledged.isEmpty)
        for name in ["a.sqlite", "b.sqlite"] {
            let synced = try cluster.sync(name)
            #expect(synced.code == 0, "\(synced.error)")
        }
        let ops = try cluster.status("a.sqlite")["ops"] as? Int
        try expectConverged(cluster, ["a.sqlite", "b.sqlite"], acknowledged: acknowledged, centralOps: ops)
    }

    @Test("SIGKILL of the server while three devices sync: each sync ends cleanly, retries converge")
    func killServerDuringSyncs() throws {
        let cluster = try Cluster()
        try cluster.enrol("M001", "a.sqlite", "b.sqlite")
        try cluster.enrol("M002", "c.sqlite")
        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970) ^ 0x5EED)
        var acknowledged: [String: [String]] = [:]
        for iteration in 0..<10 {
            let running = try ["a.sqlite", "b.sqlite", "c.sqlite"].map { name in
                let script = (0..<10).map { "add 乙\(iteration)\(name.prefix(1))\($0) tier=钻石" }.joined(separator: "; ")
                return (name, try Executable.start(
                    ["--book", cluster.home.file(name), "-c", script + "; sync --server \(cluster.server.address)"],
                    environment: cluster.environment))
            }
            usleep(UInt32(random.next() % 500_000))
            cluster.server.kill9()
            for (name, (process, input, output, error)) in running {
                try input.fileHandleForWriting.close()
                let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let complaint = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                // A sync cut by the server's death fails as a network failure, in one line; anything else is a bug.
                #expect([0, 3].contains(process.terminationStatus), "\(name): \(complaint)")
                #expect(complaint.split(separator: "\n").count <= 1, "\(name): \(complaint)")
                acknowledged[name.hasPrefix("c") ? "c" : "a", default: []] += Self.acknowledged(printed)
            }
            try cluster.restart()
        }
        for _ in 0..<2 {
            for name in ["a.sqlite", "b.sqlite", "c.sqlite"] {
                let synced = try cluster.sync(name)
                #expect(synced.code == 0, "\(synced.error)")
            }
        }
        let aOps = try cluster.status("a.sqlite")["ops"] as? Int ?? 0
        let cOps = try cluster.status("c.sqlite")["ops"] as? Int ?? 0
        #expect(aOps + cOps == (try cluster.centralOps()), "nothing applied twice, nothing missing")
        try expectConverged(cluster, ["a.sqlite", "b.sqlite"], acknowledged: acknowledged["a"] ?? [])
        try expectConverged(cluster, ["c.sqlite"], acknowledged: acknowledged["c"] ?? [])
    }

    @Test(
        "network faults through the proxy: the sync succeeds or fails cleanly, and a retry converges",
        .enabled(if: FaultProxyProcess.available), arguments: ["drop", "stall", "slow", "reorder"])
    func proxyFault(_ mode: String) throws {
        let cluster = try Cluster()
        try cluster.enrol("M001", "a.sqlite", "b.sqlite")
        let proxy = try FaultProxyProcess(target: cluster.server.address, mode: mode)
        defer { proxy.stop() }
        let adds = (0..<40).map { "add 丙\(mode)\($0) tier=钻石 note=\(String(repeating: "备", count: 40))" }
        let added = try cluster.book("a.sqlite", adds.joined(separator: "; "))
        #expect(added.code == 0)
        let faulty = try cluster.book("a.sqlite", "sync --server \(proxy.address)")
        #expect([0, 3].contains(faulty.code), "\(mode): \(faulty.error)")
        #expect(faulty.error.split(separator: "\n").count <= 1, "\(mode): \(faulty.error)")
        if mode == "slow" { #expect(faulty.code == 0, "a slow link is slow, not broken: \(faulty.error)") }
        // Give a reordered (held back) session time to reach the server after the newer ones.
        if mode == "reorder" { usleep(1_500_000) }
        for name in ["a.sqlite", "b.sqlite", "a.sqlite"] {
            let synced = try cluster.sync(name)
            #expect(synced.code == 0, "\(mode) \(name): \(synced.error)")
        }
        try expectConverged(
            cluster, ["a.sqlite", "b.sqlite"], acknowledged: Self.acknowledged(added.output),
            centralOps: try cluster.status("a.sqlite")["ops"] as? Int)
    }

    @Test("a client that keeps talking but never finishes is cut at the session deadline with TIMEOUT")
    func sessionDeadline() throws {
        // Plain TCP, so that a raw socket can speak the protocol; the guard sits after TLS otherwise, the same. The
        // deadline runs from the accept, so a client that never authenticates meets it too (with a long
        // authentication deadline, which would otherwise end it first).
        let cluster = try Cluster(extra: ["--session-deadline", "2", "--auth-deadline", "60", "--insecure"])
        let connection = try RawConnection(port: cluster.server.port)
        var preamble = ByteBuffer()
        Preamble.current.write(to: &preamble)
        connection.send(Array(preamble.readableBytesView))
        // A HELLO one byte every 300 ms keeps the idle timeout from firing: only the deadline can end this.
        var hello = ByteBuffer()
        _ = try hello.writeMessage(.hello(Message.Hello(
            version: Preamble.version, device: DeviceID(bytes: [UInt8](repeating: 1, count: 16))!,
            actor: ActorID(bytes: [UInt8](repeating: 2, count: 16))!, nonce: [UInt8](repeating: 3, count: 32), schema: 1)))
        let started = Date()
        var received: [UInt8] = []
        var closed = false
        for byte in hello.readableBytesView where Date().timeIntervalSince(started) < 8 {
            connection.send([byte])
            let (bytes, ended) = connection.drain(for: 0.3)
            received += bytes
            if ended { closed = true; break }
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(closed, "the server kept a never-ending session open")
        #expect(elapsed >= 1.5 && elapsed < 6, "closed after \(elapsed) s")
        #expect(try Self.messages(received).last == .error(Message.ErrorMessage(code: .timeout, fatal: true, message: "session deadline of 2 s reached")))
        // The server itself is fine.
        try cluster.enrol("M001", "a.sqlite")
        #expect(try cluster.sync("a.sqlite").code == 0)
    }

    /// [W-12.7] The session cap counts sessions only; connections that have not authenticated do not take its slots.
    @Test(
        "past the session cap a device is told BUSY; unauthenticated connections take no slot; when a slot frees, sync works",
        .enabled(if: FaultProxyProcess.available))
    func connectionCap() throws {
        let cluster = try Cluster(extra: ["--max-connections", "1", "--insecure"])
        try cluster.enrol("M001", "a.sqlite", "b.sqlite")
        // Idle connections that never authenticate do not keep a device out.
        let idle = try (0..<3).map { _ in try RawConnection(port: cluster.server.port) }
        usleep(200_000)
        let first = try cluster.book("a.sqlite", "add 甲一; sync")
        #expect(first.code == 0, "\(first.error)")
        // One session held open: b's sync through a proxy that stalls it, mid-push (well after its AUTH: the
        // proxy's seeded budget is 1 897 bytes, the handshake about 200), for 8 s.
        let adds = (0..<200).map { "add 乙\($0) note=第\($0)号客户，住在第\($0 * 7)号楼" }
        #expect(try cluster.book("b.sqlite", adds.joined(separator: "; ")).code == 0)
        let proxy = try FaultProxyProcess(target: cluster.server.address, mode: "stall", stallSeconds: 8)
        defer { proxy.stop() }
        let (holder, holderInput, _, _) = try Executable.start(
            ["--book", cluster.home.file("b.sqlite"), "-c", "sync --server \(proxy.address)"], environment: cluster.environment)
        try holderInput.fileHandleForWriting.close()
        usleep(1_500_000)
        let refused = try RawConnection(port: cluster.server.port)
        let (bytes, closed) = refused.drain(for: 3)
        #expect(closed)
        #expect(try Self.messages(bytes).last?.errorCode == .busy)
        let busy = try cluster.sync("a.sqlite")
        #expect(busy.code == 3, "\(busy.error)")
        #expect(busy.error.split(separator: "\n").count == 1)
        // The proxy cuts the stalled session; its slot frees.
        holder.waitUntilExit()
        usleep(300_000)
        let synced = try cluster.sync("a.sqlite")
        #expect(synced.code == 0, "\(synced.error)")
        _ = idle
    }

    @Test("check and admin check: exit 0 when healthy, 1 with the problem when not; a locked or corrupt book fails clearly")
    func checks() throws {
        let cluster = try Cluster()
        try cluster.enrol("M001", "a.sqlite")
        #expect(try cluster.book("a.sqlite", "add 丁一 tier=钻石; add 丁二; sync").code == 0)
        let healthy = try cluster.book("a.sqlite", "check")
        #expect(healthy.code == 0)
        #expect(healthy.output.contains("账本完好：6 项检查全部通过"))
        let json = try cluster.book("a.sqlite", "check --json")
        #expect(json.output.contains("\"ok\": true"))
        let centreCheck = try cluster.admin("check")
        #expect(centreCheck.code == 0)
        // The centre's checks read in Chinese too, from the same words as the book's.
        #expect(centreCheck.output.contains("检查  每个操作者都是已登记的设备"), "\(centreCheck.output)")
        #expect(!centreCheck.output.contains("every actor"), "\(centreCheck.output)")

        // A projection changed behind the book's back.
        try DatabaseQueue(path: cluster.home.file("a.sqlite")).write { try $0.execute(sql: "UPDATE customer SET tier = '普通'") }
        let damaged = try cluster.book("a.sqlite", "check")
        #expect(damaged.code == 1)
        #expect(damaged.error == "账本检查发现 1 个问题（见上方输出）\n")
        #expect(damaged.output.contains("问题  投影与操作日志不一致：customer"))
        #expect(!damaged.output.contains("丁"), "no customer data")

        // The central log sequence losing a row.
        cluster.server.stop()
        try DatabaseQueue(path: cluster.home.file("central.sqlite")).write {
            try $0.execute(sql: "DELETE FROM lsn WHERE lsn = (SELECT max(lsn) FROM lsn)")
        }
        let central = try cluster.admin("check")
        #expect(central.code == 1)
        #expect(central.output.contains("1 个操作没有日志序号"))
        #expect(central.error.contains("中心数据库检查发现 1 个问题"))
        let missing = try Executable.run(["admin", "check", "--db", cluster.home.file("none.sqlite")])
        #expect(missing.code == 1)
        #expect(missing.error.contains("没有找到中心数据库"))
        #expect(!FileManager.default.fileExists(atPath: cluster.home.file("none.sqlite")), "check creates nothing")

        // A book held by another process: a clear error after the busy timeout, nothing added.
        let busy = try ExclusiveLock.holding(cluster.home.file("a.sqlite")) { try cluster.book("a.sqlite", "add 丁三") }
        #expect(busy.code == 1)
        #expect(busy.error == "账本正被另一个程序使用，请稍后再试\n")
        #expect(try Book.open(at: cluster.home.file("a.sqlite")).customerCount() == 2)

        // Not a book at all.
        let garbage = cluster.home.file("garbage.sqlite")
        FileManager.default.createFile(atPath: garbage, contents: Data(repeating: 0x42, count: 8192))
        let corrupt = try Executable.run(["--book", garbage, "-c", "status"])
        #expect(corrupt.code == 1)
        #expect(corrupt.error.contains("账本文件已损坏"), "\(corrupt.error)")
    }

    /// The messages after the preamble in what a server sent.
    static func messages(_ bytes: [UInt8]) throws -> [Message] {
        var buffer = ByteBuffer(bytes: bytes)
        _ = try Preamble.read(from: &buffer)
        var messages: [Message] = []
        while let message = try buffer.readMessage() { messages.append(message) }
        return messages
    }
}

extension Message {
    /// The code of an ERROR message.
    var errorCode: ErrorCode? {
        if case .error(let error) = self { return error.code }
        return nil
    }
}

/// A real full disk and a real read-only file system, on a small tmpfs where mounting is permitted.
@Suite("Storage faults end to end", .serialized, .enabled(if: SmallFileSystem.available))
struct StorageFaultEndToEndTests {
    @Test("disk full: the batch stops at the failing line with a clear error; what was acknowledged is intact")
    func diskFull() throws {
        let disk = try #require(SmallFileSystem(kilobytes: 768))
        let book = disk.path + "/book.sqlite"
        #expect(try Executable.run(["init", "--principal", "M001", "--book", book]).code == 0)
        let note = String(repeating: "很长的备注", count: 600)
        let script = (0..<400).map { "add 戊\($0) note=\(note)" }.joined(separator: "\n") + "\n"
        let full = try Executable.run(["--book", book], stdin: script)
        #expect(full.code == 1)
        #expect(full.error.contains("磁盘已满，这次修改没有保存"), "\(full.error)")
        #expect(full.error.split(separator: "\n").count == 1)
        let acknowledged = full.output.split(separator: "\n").filter { $0.hasPrefix("已添加客户 ") }.count
        #expect(acknowledged > 0 && acknowledged < 400)
        // On the full disk even `check` cannot run (verifying the projections needs room for a rollback journal):
        // it says so clearly. A copy of the files elsewhere checks clean and holds exactly what was acknowledged.
        let stuck = try Executable.run(["--book", book, "-c", "check"])
        #expect(stuck.code == 1)
        #expect(stuck.error.contains("磁盘已满"), "\(stuck.error)")
        let elsewhere = TemporaryDirectory()
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: book + suffix) {
            try FileManager.default.copyItem(atPath: book + suffix, toPath: elsewhere.file("book.sqlite") + suffix)
        }
        let check = try Executable.run(["--book", elsewhere.file("book.sqlite"), "-c", "check"])
        #expect(check.code == 0, "\(check.output) \(check.error)")
        let opened = try Book.open(at: elsewhere.file("book.sqlite"))
        #expect(try opened.customerCount() == acknowledged)
    }

    @Test("read-only file system: writes fail with a clear error and exit code 1")
    func readOnly() throws {
        let disk = try #require(SmallFileSystem(kilobytes: 2048))
        let book = disk.path + "/book.sqlite"
        #expect(try Executable.run(["init", "--principal", "M001", "--book", book]).code == 0)
        #expect(try Executable.run(["--book", book, "-c", "add 己一"]).code == 0)
        #expect(disk.makeReadOnly())
        let refused = try Executable.run(["--book", book, "-c", "add 己二"])
        #expect(refused.code == 1)
        #expect(refused.error.contains("账本无法写入或打开（只读或没有权限）"), "\(refused.error)")
        #expect(refused.error.split(separator: "\n").count == 1)
    }
}
