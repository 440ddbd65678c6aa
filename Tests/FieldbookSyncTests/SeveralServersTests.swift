import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookTestSupport
import FieldbookWire
import Foundation
import Logging
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 17: a centre runs several servers on one database and a device knows them all. The token and `--server`
/// list them; a sync tries them in turn, moving on only when nothing of the session happened on a server (refused,
/// silent, busy before its welcome), never past an authentication failure, and says which server it used.
@Suite("Several servers: the address list and the device trying them in turn")
struct SeveralServersTests {
    static let device = DeviceID(bytes: (0..<16).map { UInt8($0) })!
    static let secret = (0..<32).map { UInt8(100 + $0) }

    @Test("a token lists several servers and round-trips; a token of one server is the bytes it always was")
    func tokens() throws {
        let fingerprint = [UInt8](repeating: 0xAB, count: 32)
        let several = EnrolmentToken(
            address: "10.0.0.5:7420,10.0.0.6:7420,[::1]:7421", device: Self.device, secret: Self.secret, fingerprint: fingerprint,
            principal: "M001")
        #expect(several.addresses == ["10.0.0.5:7420", "10.0.0.6:7420", "[::1]:7421"])
        #expect(several.address == "10.0.0.5:7420,10.0.0.6:7420,[::1]:7421")
        let read = try #require(EnrolmentToken(text: several.text))
        #expect(read == several && read.addresses.count == 3 && read.fingerprint == fingerprint && read.principal == "M001")

        // One server: the layout of SPEC §14 before the list, byte for byte, so tokens already handed out still read.
        let one = EnrolmentToken(address: "10.0.0.5:7420", device: Self.device, secret: Self.secret, fingerprint: fingerprint)
        let layout = Self.device.bytes + Self.secret + [1] + fingerprint + Array("10.0.0.5:7420".utf8)
        #expect(one.text == "fb2:" + Base32.encode(layout))
        #expect(EnrolmentToken(text: "fb2:" + Base32.encode(layout))?.addresses == ["10.0.0.5:7420"])
        let legacy = try #require(EnrolmentToken(text: "fb1:" + Base32.encode(Self.device.bytes + Self.secret + Array("h:1".utf8))))
        #expect(legacy.isLegacy && legacy.addresses == ["h:1"])

        // Setting the list text replaces the servers (init --server); spaces after commas are dropped.
        var changed = one
        changed.address = "a:1, b:2"
        #expect(changed.addresses == ["a:1", "b:2"] && changed.fingerprint == fingerprint)

        // Any server that is not HOST:PORT makes the whole token unreadable, as a damaged one.
        for tail in ["10.0.0.5:7420,", ",10.0.0.5:7420", "10.0.0.5:7420,10.0.0.6", "10.0.0.5:7420,,b:2", "a:0", "a:70000", "a:b"] {
            let text = "fb2:" + Base32.encode(Self.device.bytes + Self.secret + [0] + Array(tail.utf8))
            #expect(EnrolmentToken(text: text) == nil, "\(tail)")
        }
    }

    @Test("HOST:PORT and its list: ports 1-65535, IPv6 in brackets, duplicates counted once, nothing empty")
    func addresses() {
        #expect(ServerAddress("10.0.0.5:7420") == ServerAddress("  10.0.0.5:7420 "))
        #expect(ServerAddress("10.0.0.5:7420")?.host == "10.0.0.5" && ServerAddress("10.0.0.5:7420")?.port == 7420)
        #expect(ServerAddress("[::1]:7420")?.host == "::1" && ServerAddress("[::1]:7420")?.description == "[::1]:7420")
        #expect(ServerAddress("centre.bank.cn:1")?.description == "centre.bank.cn:1")
        for bad in ["", "10.0.0.5", ":7420", "10.0.0.5:", "10.0.0.5:0", "10.0.0.5:65536", "10.0.0.5:x", "a b:1", "[]:1"] {
            #expect(ServerAddress(bad) == nil, "\(bad)")
        }
        let list = ServerAddress.list("a:1, b:2,a:1")
        #expect(list?.map(\.description) == ["a:1", "b:2"])
        #expect(list.map(ServerAddress.text) == "a:1,b:2")
        for bad in ["", ",", "a:1,", "a:1,,b:2", "a:1,b"] { #expect(ServerAddress.list(bad) == nil, "\(bad)") }
    }

    // MARK: - Syncing through a list

    /// `count` servers with `transport` on one central database with manager M001 (as several `serve` processes on
    /// one PostgreSQL database would be), on loopback ports, while `body` runs.
    static func servers(
        _ count: Int, _ transport: SyncServer.Transport, limits: [ConnectionLimits] = [], seed: UInt64 = 90,
        _ body: (CentralDatabase, [Int]) async throws -> Void
    ) async throws {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: 1_795_395_600_000, seed: seed))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        let store = SQLiteCentralStore(central)
        var servers: [SyncServer] = []
        var running: [Task<Void, any Error>] = []
        var ports: [Int] = []
        for index in 0..<count {
            // A long authentication deadline, as in TransportTests.serving: in-process servers share the test's threads.
            let server = SyncServer(
                store: store, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), transport: transport,
                limits: index < limits.count ? limits[index] : ConnectionLimits(authDeadline: .seconds(120)))
            let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
            running.append(Task { try await server.run(host: "127.0.0.1", port: 0) { continuation.yield($0) } })
            var iterator = bound.makeAsyncIterator()
            ports.append(try #require(await iterator.next()))
            servers.append(server)
        }
        var failure: (any Error)?
        do { try await body(central, ports) } catch { failure = error }
        for server in servers { server.shutdown() }
        for task in running { try await task.value }
        if let failure { throw failure }
    }

    /// A loopback port nothing listens on: bound, then closed at once.
    static func closedPort() throws -> Int {
        let socket = try Listener(backlog: nil)
        defer { socket.close() }
        return socket.port
    }

    /// A socket on a loopback port, listening when `backlog` is given: the kernel completes connections to it, but
    /// nobody ever reads them (a server that hangs before saying anything).
    final class Listener {
        let descriptor: Int32
        let port: Int

        init(backlog: Int32?) throws {
            let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
                }
            }
            guard bound, backlog.map({ listen(descriptor, $0) == 0 }) ?? true else {
                Glibc.close(descriptor)
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRNOTAVAIL)
            }
            self.descriptor = descriptor
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        func close() { Glibc.close(descriptor) }
    }

    /// A new in-memory book for M001, enrolled with `token`, holding one customer to push.
    static func device(_ token: EnrolmentToken, seed: UInt64) throws -> Book {
        try TransportTests.device(token, seed: seed)
    }

    /// Collects the progress lines of a sync.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test("a dead first server (a closed port) gives way to the next; the sync says which server it went through")
    func deadFirst() async throws {
        let identity = try ServerIdentity.ephemeral()
        try await Self.servers(2, .tls(identity)) { central, ports in
            let dead = "127.0.0.1:\(try Self.closedPort())"
            let (a, b) = ("127.0.0.1:\(ports[0])", "127.0.0.1:\(ports[1])")
            var token = try central.addDevice(for: "M001", address: "\(dead),\(a),\(b)")
            token.fingerprint = identity.fingerprint  // one TLS identity for every server of the centre
            let book = try Self.device(token, seed: 1)
            #expect(try book.meta(Book.SyncKey.server) == "\(dead),\(a),\(b)", "the book keeps the list in one place")
            let lines = Lines()
            let first = try await SyncClient(book: book, timeout: 20).sync { lines.append($0) }
            #expect(first.server == a && first.opsSent == 1 && first.verified)
            #expect(lines.all == ["中心节点 \(dead) 没有应答（连接失败），改连 \(a)…"])
            // `--server` for one sync: the list given, in its order; the enrolled list stays.
            _ = try book.write { tx in try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("陈静"))]) }
            let second = try await SyncClient(book: book, timeout: 20).sync(server: "\(b),\(a)")
            #expect(second.server == b && second.opsSent == 1 && second.verified)
            #expect(try book.meta(Book.SyncKey.server) == "\(dead),\(a),\(b)")
            // Every server dead: one line naming them all, the book untouched.
            let other = "127.0.0.1:\(try Self.closedPort())"
            await #expect {
                _ = try await SyncClient(book: book, timeout: 20).sync(server: "\(dead),\(other)")
            } throws: { error in
                let failure = error as? SyncError
                return failure?.code == .unreachable && failure?.message.contains("\(dead)、\(other)") == true
            }
            // One server, dead: its own words, as before the list.
            await #expect {
                _ = try await SyncClient(book: book, timeout: 20).sync(server: dead)
            } throws: { ($0 as? SyncError)?.message == "连不上中心节点 \(dead)：本地账本未受影响，可以继续使用，稍后再同步" }
        }
    }

    @Test("a server silent before its welcome, or busy, gives way; the next one serves the sync")
    func silentOrBusyFirst() async throws {
        let limits = [ConnectionLimits(maxConnections: 1, authDeadline: .seconds(120)), ConnectionLimits(authDeadline: .seconds(120))]
        try await Self.servers(2, .plain, limits: limits) { central, ports in
            let (a, b) = ("127.0.0.1:\(ports[0])", "127.0.0.1:\(ports[1])")
            // A hung server: it accepts connections (the kernel does) and never says a word.
            let hung = try Listener(backlog: 8)
            defer { hung.close() }
            let silent = "127.0.0.1:\(hung.port)"
            let book = try Self.device(try central.addDevice(for: "M001", address: "\(silent),\(b)"), seed: 2)
            let lines = Lines()
            // Each server has 5 s to welcome the device (the silent one never does); the session with the next one then
            // keeps the long timeout, so a machine loaded by the rest of the suite does not cut it.
            let summary = try await SyncClient(book: book, timeout: 60, welcomeTimeout: 5).sync { lines.append($0) }
            #expect(summary.server == b && summary.opsSent == 1)
            #expect(lines.all == ["中心节点 \(silent) 没有应答（连接中断或超时），改连 \(b)…"])

            // Server A's one session slot is taken: it says BUSY instead of WELCOME, and B serves.
            let holder = try LoopbackPeer(port: ports[0])
            guard case .welcome = try await holder.authenticate(try central.addDevice(for: "M001", address: a)) else {
                Issue.record("the slot holder was not welcomed")
                return
            }
            let busyFirst = try Self.device(try central.addDevice(for: "M001", address: "\(a),\(b)"), seed: 3)
            let busyLines = Lines()
            let served = try await SyncClient(book: busyFirst, timeout: 20).sync { busyLines.append($0) }
            #expect(served.server == b && served.opsSent == 1 && served.verified)
            // The server sends BUSY and closes: the device reads BUSY, or (when the close wins the race on a loaded
            // machine) sees the connection end before WELCOME. Either way it moves on to the next server.
            #expect(
                busyLines.all == ["中心节点 \(a) 没有应答（繁忙或正在关闭），改连 \(b)…"]
                    || busyLines.all == ["中心节点 \(a) 没有应答（连接中断或超时），改连 \(b)…"], "\(busyLines.all)")
            holder.disconnect()
        }
    }

    @Test("an authentication failure or a certificate that is not the pinned one ends the sync: the next server is not tried")
    func noFailoverPastAuthentication() async throws {
        let identity = try ServerIdentity.ephemeral()
        try await Self.servers(1, .tls(identity), seed: 91) { central, ports in
            let good = "127.0.0.1:\(ports[0])"
            // Another centre with the same certificate: it does not know the device.
            try await Self.servers(1, .tls(identity), seed: 92) { _, strangers in
                let stranger = "127.0.0.1:\(strangers[0])"
                var token = try central.addDevice(for: "M001", address: "\(stranger),\(good)")
                token.fingerprint = identity.fingerprint
                let book = try Self.device(token, seed: 4)
                await #expect {
                    _ = try await SyncClient(book: book, timeout: 20).sync()
                } throws: { ($0 as? SyncError)?.code == .authFailed }
                #expect(try book.unsyncedOpCount() == 1, "nothing went anywhere")
            }
            // A server with another certificate first: refused before anything is sent, and no other is tried.
            try await Self.servers(1, .tls(try ServerIdentity.ephemeral()), seed: 93) { _, impostors in
                let impostor = "127.0.0.1:\(impostors[0])"
                var token = try central.addDevice(for: "M001", address: "\(impostor),\(good)")
                token.fingerprint = identity.fingerprint
                let book = try Self.device(token, seed: 5)
                let lines = Lines()
                await #expect {
                    _ = try await SyncClient(book: book, timeout: 20).sync { lines.append($0) }
                } throws: { ($0 as? SyncError)?.code == .authFailed && "\($0)".contains(impostor) }
                #expect(lines.all.isEmpty)
                // The same book through the right server alone syncs.
                #expect(try await SyncClient(book: book, timeout: 20).sync(server: good).server == good)
            }
        }
    }
}
