import FieldbookSync
import FieldbookWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// The central node's listener: one task per connection, each running a ``ServerSession`` over the
/// connection's frames (ARCHITECTURE §5, style.md rule 6).
///
/// A connection that misbehaves, stalls or breaks is logged and closed; it never takes the server down.
///
/// The transport is TLS with the server's ``ServerIdentity`` (what `fieldbook serve` uses unless told
/// `--insecure`), or plain TCP (SECURITY.md). Every connection's channel pipeline is set up in one place,
/// ``configure(_:idleTimeout:tls:)``.
///
/// ```swift
/// let server = SyncServer(database: central, logger: logger, transport: .tls(try ServerIdentity.ephemeral()))
/// try await server.run(host: "0.0.0.0", port: 7420) { port in print("listening on \(port)") }
/// ```
public final class SyncServer: Sendable {
    /// How devices connect.
    public enum Transport: Sendable {
        /// Plain TCP: only on a trusted network (`serve --insecure`).
        case plain
        /// TLS with this identity; devices pin its fingerprint.
        case tls(ServerIdentity)
    }

    private let database: CentralDatabase
    private let logger: Logger
    private let idleTimeout: TimeAmount
    private let transport: Transport
    private let limits: ConnectionLimits
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    /// Makes a server.
    ///
    /// - Parameters:
    ///   - database: The central database.
    ///   - logger: Where connection events go (never with customer data).
    ///   - idleTimeout: A connection silent this long is closed (SPEC §12).
    ///   - transport: TLS or plain TCP. The default is plain for in-process use (tests, benchmarks); the
    ///     `serve` command defaults to TLS.
    ///   - limits: The deadlines and caps of ``ConnectionLimits``, shared by every connection of this server.
    public init(
        database: CentralDatabase, logger: Logger, idleTimeout: TimeAmount = .seconds(120),
        transport: Transport = .plain, limits: ConnectionLimits = ConnectionLimits()
    ) {
        self.database = database
        self.logger = logger
        self.idleTimeout = idleTimeout
        self.transport = transport
        self.limits = limits
    }

    /// Sets up one accepted connection's channel pipeline, from the socket inwards:
    ///
    /// 1. an idle timer and its closer, on the raw bytes, so a silent peer (even one that never finishes the TLS
    ///    handshake) is closed;
    /// 2. with TLS: ``PlainClientRefuser`` (answers a plain-TCP device clearly) then the TLS handler.
    /// 3. ``ConnectionGuard``: the deadlines (authentication, session) and the caps (sessions; unauthenticated
    ///    connections per address and in total).
    static func configure(
        _ child: any Channel, idleTimeout: TimeAmount, tls: NIOSSLContext?, limits: ConnectionLimits, logger: Logger
    ) throws {
        let pipeline = child.pipeline.syncOperations
        try pipeline.addHandler(IdleStateHandler(readTimeout: idleTimeout))
        try pipeline.addHandler(IdleCloser())
        if let tls {
            try pipeline.addHandler(PlainClientRefuser())
            try pipeline.addHandler(NIOSSLServerHandler(context: tls))
        }
        // After TLS, so that a BUSY or TIMEOUT refusal reaches the device in the protocol it speaks
        // (ConnectionGuard.swift: deadlines and caps).
        try pipeline.addHandler(ConnectionGuard(limits: limits, logger: logger))
    }

    /// Binds and serves until ``shutdown()``.
    ///
    /// - Parameters:
    ///   - host: The address to listen on.
    ///   - port: The port; 0 picks a free one.
    ///   - onListening: Called with the bound port once the server accepts connections.
    public func run(host: String, port: Int, onListening: @Sendable (Int) -> Void = { _ in }) async throws {
        let idle = idleTimeout
        let limits = self.limits
        let logger = self.logger
        var tls: NIOSSLContext?
        var listening: Logger.Metadata = [:]
        switch transport {
        case .plain:
            listening["server.transport"] = "plain"
        case .tls(let identity):
            tls = try NIOSSLContext(configuration: identity.serverConfiguration)
            listening["server.transport"] = "tls"
            listening["server.fingerprint"] = "\(identity.fingerprintHex)"
        }
        let context = tls
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try Self.configure(child, idleTimeout: idle, tls: context, limits: limits, logger: logger)
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        channel.withLockedValue { $0 = server.channel }
        let bound = server.channel.localAddress?.port ?? port
        listening["server.host"] = "\(host)"
        listening["server.port"] = "\(bound)"
        logger.info("Listening", metadata: listening)
        onListening(bound)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
        logger.info("Stopped")
    }

    /// Stops accepting connections; the running sessions finish (or time out) and ``run(host:port:onListening:)``
    /// returns.
    public func shutdown() {
        channel.withLockedValue { $0 }?.close(promise: nil)
    }

    /// Runs one connection. Never throws: a failure is logged and the connection closed.
    ///
    /// The device's bytes are read through a ``FrameReader`` gated for an unauthenticated peer until its AUTH succeeds
    /// (SPEC `[W-12.4]`, `[W-12.5]`); ``ConnectionGuard`` then counts the connection as a session. The server's
    /// preamble follows the device's (SPEC `[W-5.1]`). Input the reader refuses ends the connection as the spec says:
    /// nothing for a bad magic (`[W-5.2]`), the preamble and `unsupportedVersion` for no common version (`[W-5.4]`),
    /// and otherwise a fatal ERROR `limitExceeded` for a limit of §12, `unexpectedMessage` for a type not allowed
    /// before AUTH, or `malformed` (`[W-6.7]`), always sent before the close.
    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = connection.channel.remoteAddress?.description ?? "?"
        var logger = self.logger
        logger[metadataKey: "connection.peer"] = "\(peer)"
        var generator = SystemRandomNumberGenerator()
        var session = ServerSession(
            replica: database, nonce: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        do {
            try await connection.executeThenClose { inbound, outbound in
                var reader = FrameReader(gate: .unauthenticated)
                var preambleSent = false
                var authenticated = false
                reading: for try await chunk in inbound {
                    reader.append(chunk)
                    while true {
                        var reply = ByteBuffer()
                        let next: Message?
                        do {
                            next = try reader.next()
                        } catch {
                            // Answered inside the body: once it throws, the channel is closed before a catch could.
                            guard let fatal = Self.answer(to: error) else {
                                logger.info("Not a Fieldbook client: closed without an answer")
                                break reading
                            }
                            logger.warning("Refused input", metadata: ["wire.error": "\(fatal.code)", "error.message": "\(fatal.message)"])
                            if !preambleSent { Preamble.current.write(to: &reply) }
                            _ = try reply.writeMessage(.error(fatal))
                            try await outbound.write(reply)
                            break reading
                        }
                        if !preambleSent, reader.peerPreamble != nil {
                            Preamble.current.write(to: &reply)
                            preambleSent = true
                        }
                        guard let message = next else {
                            if reply.readableBytes > 0 { try await outbound.write(reply) }
                            break
                        }
                        var close = false
                        for action in session.receive(message) {
                            switch action {
                            case .send(let outgoing): _ = try reply.writeMessage(outgoing)
                            case .close: close = true
                            }
                        }
                        if !authenticated, session.account != nil {
                            // Counted as a session (or refused BUSY) before WELCOME goes out; the full limits apply
                            // from the next frame on.
                            try await connection.channel.triggerUserOutboundEvent(ConnectionGuard.Authenticated()).get()
                            authenticated = true
                            reader.gate = .open
                        }
                        if reply.readableBytes > 0 { try await outbound.write(reply) }
                        if close { break reading }
                    }
                }
            }
        } catch let error as NIOSSLError {
            if case .uncleanShutdown = error {
                // The device closed the socket without a TLS close_notify: its session had ended or was dropped.
                logger.debug("Connection closed without TLS close_notify")
            } else {
                logger.warning("TLS failed", metadata: ["tls.error": "\(error)"])
            }
        } catch let error as BoringSSLError {
            logger.warning("TLS failed", metadata: ["tls.error": "\(error)"])
        } catch is ConnectionGuard.Refused {
            // The guard logged its refusal.
        } catch {
            logger.warning("Connection failed", metadata: ["error.type": "\(type(of: error))"])
        }
        var metadata: Logger.Metadata = [
            "ops.stored": "\(session.stats.stored)", "ops.refused": "\(session.stats.refused)",
            "ops.sent": "\(session.stats.sent)", "customers.purged": "\(session.stats.purged)",
        ]
        if let account = session.account {
            metadata["device.id"] = "\(account.device.hex.prefix(8))"
            metadata["principal"] = "\(account.principal)"
            logger.info("Session ended", metadata: metadata)
        } else {
            // A flood of connections that never authenticate must not flood the log too.
            logger.debug("Connection ended before authentication")
        }
    }

    /// The fatal ERROR that answers input the reader refused (SPEC §5, `[W-6.7]`), or `nil` for a peer that does not
    /// speak the protocol at all: it is closed without a word (`[W-5.2]`). The text names the rule, never the bytes.
    static func answer(to error: any Error) -> Message.ErrorMessage? {
        switch error {
        case let error as FrameReader.GateError:
            return Message.ErrorMessage(code: error.code, fatal: true, message: error.message)
        case let error as WireError:
            switch error.code {
            case .badMagic:
                return nil
            case .unsupportedVersion:
                return Message.ErrorMessage(code: .unsupportedVersion, fatal: true, message: "no protocol version in common: this server speaks version 1")
            case .frameTooLarge, .stringTooLong, .listTooLong, .tooManyOps, .declaredSizeTooLarge:
                return Message.ErrorMessage(code: .limitExceeded, fatal: true, message: "limit exceeded: \(error.code)")
            default:
                return Message.ErrorMessage(code: .malformed, fatal: true, message: "malformed: \(error.code)")
            }
        default:
            return Message.ErrorMessage(code: .malformed, fatal: true, message: "malformed")
        }
    }
}
