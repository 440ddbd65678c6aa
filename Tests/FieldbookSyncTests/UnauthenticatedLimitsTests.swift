import Crypto
import FieldbookClient
import FieldbookModel
import FieldbookCentral
import FieldbookCentralSQLite
@testable import FieldbookServer
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
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 14: what a connection may do before its AUTH succeeds (protocol/SPEC.md §12, [W-12.4]–[W-12.7]): the
/// reader's gate, the caps' bookkeeping, and a server on a loopback port holding real sessions. The end-to-end floods
/// are in FieldbookCLITests (UnauthenticatedConnectionTests).
@Suite("Unauthenticated connections: gate, caps, deadlines")
struct UnauthenticatedLimitsTests {
    static var preamble: [UInt8] {
        var buffer = ByteBuffer()
        Preamble.current.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func frame(_ message: Message) throws -> [UInt8] {
        var buffer = ByteBuffer()
        _ = try buffer.writeMessage(message)
        return Array(buffer.readableBytesView)
    }

    static let hello = Message.hello(Message.Hello(
        version: Preamble.version, device: DeviceID(bytes: [UInt8](repeating: 1, count: 16))!, actor: ActorID.random(),
        nonce: [UInt8](repeating: 2, count: 32), schema: Schema.version))

    /// Feeds bytes to a reader and returns what `next()` gives, or the gate's refusal.
    static func read(_ reader: inout FrameReader, _ bytes: [UInt8]) throws -> [Message] {
        reader.append(ByteBuffer(bytes: bytes))
        var messages: [Message] = []
        while let message = try reader.next() { messages.append(message) }
        return messages
    }

    static func expectRefusal(
        _ bytes: [UInt8], _ code: ErrorCode, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var reader = FrameReader(gate: .unauthenticated)
        do {
            _ = try read(&reader, preamble + bytes)
            Issue.record("not refused", sourceLocation: sourceLocation)
        } catch let error as FrameReader.GateError {
            #expect(error.code == code, sourceLocation: sourceLocation)
        } catch {
            Issue.record("refused with \(error), not by the gate", sourceLocation: sourceLocation)
        }
    }

    /// [W-12.4] [W-12.5]
    @Test("before AUTH the reader takes HELLO, AUTH and ERROR up to 4 KiB, and refuses anything else from its header")
    func gate() throws {
        #expect(FrameReader.Gate.unauthenticated.allowed == [.hello, .auth, .error])
        #expect(FrameReader.Gate.unauthenticated.maxFrameLength == 4_096)
        var reader = FrameReader(gate: .unauthenticated)
        #expect(try Self.read(&reader, Self.preamble + (try Self.frame(Self.hello))) == [Self.hello])
        let auth = Message.auth(Message.Auth(mac: [UInt8](repeating: 9, count: 32)))
        #expect(try Self.read(&reader, try Self.frame(auth)) == [auth])
        // The largest ERROR a peer may send fits.
        let error = Message.error(Message.ErrorMessage(code: .internal, fatal: true, message: String(repeating: "e", count: 1_024)))
        #expect(try Self.read(&reader, try Self.frame(error)) == [error])

        // Over 4 096 bytes: refused from the length varint alone (5 000 = 88 27), before any payload.
        Self.expectRefusal([0x88, 0x27], .limitExceeded)
        Self.expectRefusal([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], .limitExceeded)
        // Exactly 4 096 (80 20) waits for its payload; what it holds meanwhile is bounded by it.
        var pending = FrameReader(gate: .unauthenticated)
        #expect(try Self.read(&pending, Self.preamble + [0x80, 0x20, 0x03] + [UInt8](repeating: 0, count: 4_000)).isEmpty)
        #expect(pending.bufferedBytes <= 4_096 + 2)
        // Types that may not come before AUTH: refused from the type byte, nothing decoded or inflated (this OPS
        // declares 4 MiB raw over a corrupt zlib stream, which decoding would report as badCompression).
        Self.expectRefusal([0x30, 0x10, 0x01, 0x01, 0x80, 0x80, 0x80, 0x02], .unexpectedMessage)
        Self.expectRefusal([0x02, 0x30], .unexpectedMessage)
        Self.expectRefusal([0x05, 0x20], .unexpectedMessage)
        Self.expectRefusal([0x01, 0x55], .unexpectedMessage)
        // Malformed input is the decoder's: a WireError, for the server to answer `malformed` (W-6.7).
        var malformed = FrameReader(gate: .unauthenticated)
        #expect(throws: WireError.self) { try Self.read(&malformed, Self.preamble + [0x00]) }
    }

    @Test("once the gate opens, the full limits apply from the next frame; the default reader (the device's) is open")
    func gateOpens() throws {
        var reader = FrameReader(gate: .unauthenticated)
        #expect(try Self.read(&reader, Self.preamble + (try Self.frame(Self.hello))) == [Self.hello])
        reader.gate = .open
        let notice = Message.error(Message.ErrorMessage(code: .internal, message: "x"))
        let ping = Message.ping(Message.Ping(nonce: 5))
        let unknown = Message.unknown(type: MessageType(rawValue: 0x55), payload: [UInt8](repeating: 1, count: 10_000))
        #expect(try Self.read(&reader, try Self.frame(ping) + Self.frame(unknown) + Self.frame(notice)) == [ping, unknown, notice])
        var device = FrameReader()
        #expect(try device.feed(ByteBuffer(bytes: Self.preamble + (try Self.frame(unknown)))) == [unknown])
        // Whatever arrives in one chunk is read one message at a time: the gate set after the first applies to the
        // second, already received.
        var split = FrameReader(gate: .unauthenticated)
        split.append(ByteBuffer(bytes: Self.preamble + (try Self.frame(Self.hello)) + (try Self.frame(ping))))
        #expect(try split.next() == Self.hello)
        split.gate = .open
        #expect(try split.next() == ping)
    }

    /// [W-12.7]
    @Test("at a cap the oldest unauthenticated connection makes room: of its address, or of the address holding the most")
    func caps() {
        let limits = ConnectionLimits(maxConnections: 2, maxUnauthenticated: 6, maxUnauthenticatedPerAddress: 3)
        let evicted = Mutex<[String]>([])
        func enter(_ name: String, _ address: String) -> UInt64? {
            limits.enter(address: address) { reason in evicted.withLock { $0.append("\(name): \(reason)") } }
        }
        let a1 = enter("a1", "10.0.0.1")!
        _ = enter("a2", "10.0.0.1")
        _ = enter("a3", "10.0.0.1")
        #expect(evicted.withLock { $0 }.isEmpty)
        // A fourth from the same address: its oldest goes.
        _ = enter("a4", "10.0.0.1")
        #expect(evicted.withLock { $0 } == ["a1: server busy: too many unauthenticated connections from one address (3), retry later"])
        #expect(limits.authenticate(a1) == .evicted)
        let b1 = enter("b1", "10.0.0.2")!
        let c1 = enter("c1", "10.0.0.3")!
        _ = enter("b2", "10.0.0.2")
        #expect(limits.unauthenticatedConnections == 6)
        // The total cap: the oldest of the address holding the most (10.0.0.1, with a2 the oldest), not b1.
        _ = enter("d1", "10.0.0.4")
        #expect(evicted.withLock { $0 }.last == "a2: server busy: too many unauthenticated connections (6), retry later")
        #expect(limits.unauthenticatedConnections == 6)
        // Sessions are counted apart; when they are full, a new connection is not counted at all.
        #expect(limits.authenticate(b1) == .admitted)
        #expect(limits.authenticate(c1) == .admitted)
        #expect(limits.openSessions == 2 && limits.unauthenticatedConnections == 4)
        #expect(enter("e1", "10.0.0.5") == nil)
        let late = enter("a5", "10.0.0.1")
        #expect(late == nil)
        limits.release()
        let b3 = enter("b3", "10.0.0.2")!
        #expect(limits.authenticate(b3) == .admitted)
        let b4 = enter("b4", "10.0.0.2")
        #expect(b4 == nil, "sessions full again")
        limits.leave(b3)  // already a session: nothing happens
        #expect(limits.openSessions == 2 && limits.unauthenticatedConnections == 4)
    }

    /// A central node with manager M001 on a loopback port with `limits`, while `body` runs.
    static func serving(_ limits: ConnectionLimits, _ body: (CentralDatabase, Int) async throws -> Void) async throws {
        try await TransportTests.serving(.plain, limits: limits, seed: 71, body)
    }

    /// [W-12.7]
    @Test("sessions are capped apart from unauthenticated connections: BUSY at accept, or instead of WELCOME")
    func sessionCap() async throws {
        // A long authentication deadline: here only the caps are under test (see TransportTests.serving).
        let limits = ConnectionLimits(maxConnections: 1, authDeadline: .seconds(120))
        try await Self.serving(limits) { central, port in
            let address = "127.0.0.1:\(port)"
            let idle = try LoopbackPeer(port: port)
            // Two devices connect while no session is open; the first to authenticate takes the one slot, the second
            // is told BUSY instead of WELCOME. The idle connection takes no slot.
            let first = try LoopbackPeer(port: port)
            let second = try LoopbackPeer(port: port)
            for _ in 0..<500 where limits.unauthenticatedConnections < 3 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(limits.unauthenticatedConnections == 3 && limits.openSessions == 0)
            let firstWelcome = try await first.authenticate(try central.addDevice(for: "M001", address: address))
            guard case .welcome = firstWelcome else {
                Issue.record("first: \(String(describing: firstWelcome))")
                return
            }
            let busy = Message.error(Message.ErrorMessage(code: .busy, fatal: true, message: "server busy: too many connections, retry later"))
            #expect(try await second.authenticate(try central.addDevice(for: "M001", address: address)) == busy)
            #expect(try await second.closed(within: 30))
            // While the session is open, a new connection is told BUSY at once.
            let third = try LoopbackPeer(port: port)
            #expect(try await third.next(within: 30) == busy)
            #expect(try await third.closed(within: 30))
            #expect(limits.openSessions == 1 && limits.unauthenticatedConnections == 1)
            // A device's sync is refused while the slot is held, and goes through once it frees.
            let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000 + 7, seed: 7))
            try SyncClient.enrol(book, token: try central.addDevice(for: "M001", address: address))
            await #expect(throws: SyncError.self) { _ = try await SyncClient(book: book, timeout: 60).sync() }
            first.disconnect()
            for _ in 0..<500 where limits.openSessions > 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await SyncClient(book: book, timeout: 60).sync().verified)
            _ = idle
        }
    }

    /// [W-12.6]
    @Test("the authentication deadline closes a connection that has not authenticated, and never a session")
    func authDeadline() async throws {
        // Long enough that a handshake on a machine loaded by the rest of the suite (2 cores, child processes)
        // finishes inside it; the idle connection below still meets it.
        let limits = ConnectionLimits(authDeadline: .seconds(10))
        try await Self.serving(limits) { central, port in
            // A session, made within the deadline (a handshake starved past it by a loaded machine is tried again).
            var session: LoopbackPeer?
            for _ in 0..<5 where session == nil {
                let peer = try LoopbackPeer(port: port)
                if case .welcome = try await peer.authenticate(try central.addDevice(for: "M001", address: "127.0.0.1:\(port)")) {
                    session = peer
                }
            }
            let open = try #require(session)
            let idle = try LoopbackPeer(port: port)
            #expect(try await idle.next(within: 60) == .error(Message.ErrorMessage(code: .timeout, fatal: true, message: "authentication deadline of 10 s reached")))
            #expect(try await idle.closed(within: 30))
            // The session was accepted before the idle connection: its deadline has passed too, and it is open.
            try open.send(.ping(Message.Ping(nonce: 42)))
            #expect(try await open.next(within: 30) == .pong(Message.Ping(nonce: 42)))
            #expect(limits.openSessions == 1 && limits.unauthenticatedConnections == 0)
        }
    }
}

/// A raw TCP client on a loopback port that speaks frames by hand: for playing devices that stop where a real one
/// would not.
final class LoopbackPeer {
    private var socket: Int32
    private var reader = FrameReader()

    /// Connects to 127.0.0.1:`port` and sends the preamble.
    init(port: Int) throws {
        socket = try LoopbackSocket.connect(port: port)
        send(UnauthenticatedLimitsTests.preamble)
    }

    deinit { disconnect() }

    /// Closes the connection.
    func disconnect() {
        if socket >= 0 { LoopbackSocket.close(socket) }
        socket = -1
    }

    func send(_ bytes: [UInt8]) {
        _ = LoopbackSocket.send(socket, bytes)
    }

    func send(_ message: Message) throws { send(try UnauthenticatedLimitsTests.frame(message)) }

    /// What one read without waiting gives: bytes, `[]` when none are there, `nil` at the end of the stream.
    private func receiveNow() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4_096)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count == 0 { return nil }
        if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? [] : nil }
        return Array(buffer.prefix(count))
    }

    /// The next message, or `nil` when the peer closed or nothing came within `seconds`. It polls, sleeping between
    /// reads, so that it never holds a thread the in-process server needs.
    func next(within seconds: Double) async throws -> Message? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let message = try reader.next() { return message }
            guard let bytes = receiveNow() else { return nil }
            if bytes.isEmpty {
                try await Task.sleep(for: .milliseconds(10))
            } else {
                reader.append(ByteBuffer(bytes: bytes))
            }
        }
        return nil
    }

    /// Whether the peer closes within `seconds` (anything it still sends is read and dropped).
    func closed(within seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let bytes = receiveNow() else { return true }
            if bytes.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        }
        return false
    }

    /// Plays HELLO and AUTH with an enrolment's secret and returns the server's answer to AUTH (WELCOME, or an
    /// ERROR), or `nil` if it closed.
    func authenticate(_ token: EnrolmentToken) async throws -> Message? {
        let hello = Message.Hello(
            version: Preamble.version, device: token.device, actor: ActorID.random(), nonce: (0..<32).map { _ in UInt8.random(in: 0...255) },
            schema: Schema.version)
        try send(.hello(hello))
        guard case .challenge(let challenge) = try await next(within: 30) else { return nil }
        let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge)
        let mac = HMAC<SHA256>.authenticationCode(for: transcript, using: SymmetricKey(data: token.secret))
        try send(.auth(Message.Auth(mac: Array(mac))))
        return try await next(within: 30)
    }
}
