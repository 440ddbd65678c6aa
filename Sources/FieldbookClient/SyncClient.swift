import FieldbookStore
import FieldbookSync
import FieldbookWire
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// Runs one sync of a device's book with the central node over TCP (ARCHITECTURE §5).
///
/// Everything received is applied with its cursor in one transaction, so a dropped connection, a killed process or
/// a server restart loses nothing: the next sync resumes.
///
/// The connection is TLS pinned to the fingerprint recorded at enrolment (``PinnedTrust``), or plain TCP for a book
/// enrolled with `init --insecure` (and for books enrolled before TLS).
///
/// ```swift
/// let summary = try await SyncClient(book: book).sync()
/// print(summary.opsSent, summary.opsReceived)
/// ```
public struct SyncClient: Sendable {
    /// The device's book.
    public let book: Book
    /// Seconds to wait for a connection, and then for the server to say anything. Generous: a central node answers
    /// a pull of a large scope after computing its state hash, and says nothing meanwhile.
    public var timeout: Int64

    /// Seconds to wait for a connection to one server before trying the next (at most ``timeout``): a server that
    /// drops connection attempts should not hold the others back for long.
    public var connectTimeout: Int64

    /// Seconds a connected server has to say anything before the next is tried (at most ``timeout``). A live server
    /// answers the device's preamble with its own at once, before authentication or any queueing for the store; one
    /// that stays silent this long is hung. Measured on the connection's event loop, so a device whose own tasks are
    /// slow to run does not mistake a live server for a silent one; once the server has spoken, the long ``timeout``
    /// applies.
    public var welcomeTimeout: Int64

    /// Makes a client.
    public init(book: Book, timeout: Int64 = 60, connectTimeout: Int64 = 10, welcomeTimeout: Int64 = 15) {
        self.book = book
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.welcomeTimeout = welcomeTimeout
    }

    /// The enrolment the book was initialised with.
    public func enrolment(server override: String? = nil) throws -> EnrolmentToken {
        guard let deviceHex = try book.meta(Book.SyncKey.device), let secretHex = try book.meta(Book.SyncKey.secret),
            let device = DeviceID(bytes: Hex.decode(deviceHex) ?? []), let secret = Hex.decode(secretHex),
            let address = try override ?? book.meta(Book.SyncKey.server)
        else {
            throw SyncError(.authFailed, "这个账本还没有登记到中心节点：用 fieldbook init --principal 工号 --token 令牌 登记")
        }
        var fingerprint: [UInt8]?
        if try book.meta(Book.SyncKey.transport) == "tls" {
            guard let pinned = try book.meta(Book.SyncKey.fingerprint).flatMap(Hex.decode), pinned.count == 32 else {
                throw SyncError(.local, "账本里记录的中心节点证书指纹已损坏：请重新登记")
            }
            fingerprint = pinned
        }
        return EnrolmentToken(address: address, device: device, secret: secret, fingerprint: fingerprint)
    }

    /// Records an enrolment token in the book (at `init --token`): the device, its secret, the server's address,
    /// and the transport: TLS pinned to the token's fingerprint, or plain TCP when the token has none (the caller
    /// checks that the user asked for `--insecure`).
    public static func enrol(_ book: Book, token: EnrolmentToken) throws {
        try book.setMeta(Book.SyncKey.device, token.device.hex)
        try book.setMeta(Book.SyncKey.secret, Hex.encode(token.secret))
        try book.setMeta(Book.SyncKey.server, token.address)
        try book.setMeta(Book.SyncKey.transport, token.fingerprint == nil ? "plain" : "tls")
        if let fingerprint = token.fingerprint { try book.setMeta(Book.SyncKey.fingerprint, Hex.encode(fingerprint)) }
        try book.setMeta(Book.SyncKey.enrolled, String(book.options.now()))
    }

    /// Sets up the connection's channel pipeline: the idle timer on the raw bytes, then TLS when pinned.
    static func configure(
        _ channel: any Channel, timeout: Int64, tls: (NIOSSLContext, PinnedTrust)?, welcome: Welcome
    ) throws {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(IdleStateHandler(readTimeout: .seconds(timeout)))
        try pipeline.addHandler(IdleCloser())
        if let tls {
            // No server name: the pin identifies the server, so SNI and host-name checks add nothing.
            try pipeline.addHandler(
                NIOSSLClientHandler(context: tls.0, serverHostname: nil, customVerificationCallback: tls.1.verify))
        }
        // After TLS: the server's own bytes (its preamble), not a handshake that a TLS terminator might complete.
        try pipeline.addHandler(ServerHeard(welcome))
    }

    /// Turns a failure of an open session into what the user needs to know: a certificate that is not the pinned
    /// one, a TLS handshake that never finished, or else ``sessionFailure(_:)`` (SyncClient+Failures.swift).
    private func explain(_ error: any Error, trust: PinnedTrust?, address: String) -> any Error {
        if let trust {
            switch trust.outcome {
            case .mismatch(let presented):
                return SyncError(
                    .authFailed,
                    "中心节点 \(address) 出示的证书与登记时记录的指纹不符（收到 \(Hex.encode(presented.prefix(8)))…，应为 \(Hex.encode(trust.expected.prefix(8)))…）：可能有人冒充中心节点，已中止，什么也没有发送。若中心节点确实换了证书，请管理员发新令牌")
            case .pending:
                // The server never presented a certificate: it does not speak TLS, or the network broke first.
                return SyncError(
                    .unreachable,
                    "与中心节点 \(address) 的 TLS 握手没有完成：它可能以 --insecure（明文）运行，而本账本要求 TLS，或网络中断；什么也没有发送，请管理员核对")
            case .verified:
                break
            }
        }
        return Self.sessionFailure(error)
    }

    /// Syncs once, through the first of the central node's servers that answers.
    ///
    /// The servers (the enrolled list, or `server`) are tried in turn. A server that cannot be reached (connection
    /// refused, no route, connect timeout), that is silent, closes or resets before it welcomes the device, or that
    /// says it is busy or failing before then, gives way to the next: nothing of the session happened there. An
    /// authentication failure, a certificate that is not the pinned one, a protocol error, a failure of the book, or
    /// anything after the welcome ends the sync, as with one server (the next sync starts again from the first).
    ///
    /// - Parameters:
    ///   - server: `HOST:PORT[,HOST:PORT…]` to use instead of the enrolled addresses.
    ///   - progress: Called with a short line as the session advances (for long syncs), and when a server gives way
    ///     to the next.
    /// - Returns: What the sync did; ``SyncSummary/server`` names the server it went through.
    /// - Throws: ``SyncError``: ``SyncError/Code/unreachable`` when no server can be reached, and the session's own
    ///   errors.
    public func sync(server: String? = nil, progress: @Sendable (String) -> Void = { _ in }) async throws -> SyncSummary {
        let token = try enrolment(server: server)
        var unreached: [String] = []
        var last: (any Error)?
        for (index, address) in token.addresses.enumerated() {
            do {
                var summary = try await sync(through: address, token: token, progress: progress)
                summary.server = address
                return summary
            } catch let failure as Unreached {
                unreached.append(address)
                last = failure.error
                if index + 1 < token.addresses.count {
                    progress("中心节点 \(address) 没有应答（\(failure.reason)），改连 \(token.addresses[index + 1])…")
                }
            }
        }
        // One server: its own words, as before there were several.
        if token.addresses.count == 1, let last { throw last }
        throw SyncError(
            .unreachable, "连不上中心节点的任何一台服务器（\(unreached.joined(separator: "、"))）：本地账本未受影响，可以继续使用，稍后再同步")
    }

    /// Why a server gave way to the next before any of the session happened there, and the error it would be alone.
    private struct Unreached: Error {
        var error: any Error
        /// A few words for the progress line.
        var reason: String
    }

    /// One attempt through one server.
    ///
    /// - Throws: ``Unreached`` when the next server should be tried; else what ends the sync.
    private func sync(through address: String, token: EnrolmentToken, progress: @Sendable (String) -> Void) async throws -> SyncSummary {
        guard let target = ServerAddress(address) else {
            throw Unreached(error: SyncError(.unreachable, "中心节点地址 \(address) 应为 主机:端口"), reason: "地址无效")
        }
        let trust = token.fingerprint.map(PinnedTrust.init(expected:))
        let tls = try trust.map { (try NIOSSLContext(configuration: PinnedTrust.configuration), $0) }
        let timeout = self.timeout
        let welcomed = Welcome()
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(min(timeout, connectTimeout)))
                .connect(host: target.host, port: target.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try Self.configure(channel, timeout: timeout, tls: tls, welcome: welcomed)
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Unreached(
                error: SyncError(.unreachable, "连不上中心节点 \(address)：本地账本未受影响，可以继续使用，稍后再同步"), reason: "连接失败")
        }
        var generator = SystemRandomNumberGenerator()
        var session = ClientSessionDriver(
            device: token.device, secret: token.secret, replica: DeviceBook(book: book),
            nonce: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        // A server that accepted the connection but says nothing in time is closed here, and the next one is tried
        // (the closed stream ends the exchange before any of the session happened).
        let raw = channel.channel
        let deadline = raw.eventLoop.scheduleTask(in: .seconds(min(timeout, welcomeTimeout))) {
            if welcomed.expire() { raw.close(promise: nil) }
        }
        defer { deadline.cancel() }
        do {
            return try await exchange(over: channel, session: &session, welcomed: welcomed, progress: progress)
        } catch let failure as Unreached {
            throw failure
        } catch {
            let explained = explain(error, trust: trust, address: address)
            // Before the welcome nothing was pushed or pulled: a dropped, silent or half-open server gives way.
            if welcomed.expired || (!welcomed.value && (explained as? SyncError)?.code == .unreachable) {
                throw Unreached(error: explained, reason: "连接中断或超时")
            }
            throw explained
        }
    }

    /// Runs the session over an open connection until the client session finishes.
    ///
    /// - Parameter welcomed: Set once the server welcomed the device (the session started).
    /// - Throws: ``Unreached`` when the server says, before its welcome, that it is busy or failing.
    private func exchange(
        over channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, session: inout ClientSessionDriver, welcomed: Welcome,
        progress: @Sendable (String) -> Void
    ) async throws -> SyncSummary {
        try await channel.executeThenClose { inbound, outbound in
            var out = ByteBuffer()
            Preamble.current.write(to: &out)
            for case .send(let message) in session.start() { _ = try out.writeMessage(message) }
            var sent = out.readableBytes
            var read = 0
            try await outbound.write(out)
            var reader = FrameReader()
            var received = 0
            for try await chunk in inbound {
                read += chunk.readableBytes
                for message in try reader.feed(chunk) {
                    if case .ops(let ops) = message {
                        received += ops.operations.count
                        if received >= 5_000 { progress("已接收 \(received) 个操作…") }
                    }
                    // The centre admits syncs in turn at busy hours and says so while this one waits (SPEC [W-12.8]).
                    if case .error(let error) = message, error.code == .queued, !error.fatal {
                        progress("中心节点繁忙，正在排队：\(ClientSession.printable(error.message))…")
                    }
                    if case .welcome = message, !welcomed.welcome() {
                        // The deadline closed the connection before this was read: nothing happened here.
                        throw SyncError(.unreachable, "中心节点没有及时应答：本地账本未受影响，可以继续使用，稍后再同步")
                    }
                    // Overloaded, shutting down, or its store failing: another server of the centre may serve.
                    if case .error(let error) = message, !welcomed.value, error.code == .busy || error.code == .internal {
                        throw Unreached(
                            error: SyncError(.remote, "中心节点终止了同步：\(error.code)（\(ClientSession.printable(error.message))）"),
                            reason: error.code == .busy ? "繁忙或正在关闭" : "内部错误")
                    }
                    var reply = ByteBuffer()
                    for action in try session.receive(message) {
                        switch action {
                        case .send(let outgoing): _ = try reply.writeMessage(outgoing)
                        case .finished(var summary):
                            try book.record(.finished(at: book.options.now()))
                            summary.bytesSent = sent
                            summary.bytesReceived = read
                            return summary
                        }
                    }
                    if reply.readableBytes > 0 {
                        sent += reply.readableBytes
                        try await outbound.write(reply)
                    }
                }
            }
            // The stream ended: the server closed, or it was silent past the timeout and the idle handler closed.
            throw SyncError(
                .unreachable, "中心节点中途断开或 \(timeout) 秒没有回应：已收到的内容都已保存，再同步一次即可继续")
        }
    }
}

/// How far a server got before the welcome deadline: the connection's event loop marks that it spoke
/// (``ServerHeard``) or that the deadline passed in silence, the session loop marks the welcome; whichever of the
/// deadline and the server's first bytes comes first wins.
final class Welcome: Sendable {
    private enum State { case waiting, heard, welcomed, expired }
    private let state = Mutex(State.waiting)

    /// Whether the server welcomed the device.
    var value: Bool { state.withLock { $0 == .welcomed } }

    /// Whether the deadline passed before the server said anything (and closed the connection).
    var expired: Bool { state.withLock { $0 == .expired } }

    /// Marks that the server said something.
    func heard() {
        state.withLock { if $0 == .waiting { $0 = .heard } }
    }

    /// Marks the welcome; `false` when the deadline had already passed.
    func welcome() -> Bool {
        state.withLock { state in
            guard state != .expired else { return false }
            state = .welcomed
            return true
        }
    }

    /// Marks the deadline as passed; `false` when the server had spoken already.
    func expire() -> Bool {
        state.withLock { state in
            guard state == .waiting else { return false }
            state = .expired
            return true
        }
    }
}

/// Tells the welcome deadline that the server has spoken: on its first bytes, on the connection's event loop.
private final class ServerHeard: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let welcome: Welcome
    private var told = false

    init(_ welcome: Welcome) { self.welcome = welcome }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !told {
            told = true
            welcome.heard()
        }
        context.fireChannelRead(data)
    }
}
