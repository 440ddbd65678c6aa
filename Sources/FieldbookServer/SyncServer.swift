import FieldbookCentral
import FieldbookSync
import FieldbookWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// The central node's listener: one task per connection, each driving a pure ``ServerSession`` over the
/// connection's frames and answering its store requests from the ``CentralSyncStore`` seam (ARCHITECTURE §5,
/// style.md rule 6).
///
/// A connection that misbehaves, stalls or breaks is logged and closed; it never takes the server down.
///
/// The transport is TLS with the server's ``ServerIdentity`` (what `fieldbook serve` uses unless told
/// `--insecure`), or plain TCP (SECURITY.md). Every connection's channel pipeline is set up in one place,
/// ``configure(_:idleTimeout:tls:)``.
///
/// ```swift
/// let server = SyncServer(store: SQLiteCentralStore(central), logger: logger, transport: .tls(try ServerIdentity.ephemeral()))
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

    private let store: any CentralSyncStore
    private let logger: Logger
    private let idleTimeout: TimeAmount
    private let transport: Transport
    private let limits: ConnectionLimits
    private let admission: AdmissionGate
    private let keepalive: TimeAmount
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    /// Makes a server.
    ///
    /// - Parameters:
    ///   - store: The centre's records.
    ///   - logger: Where connection events go (never with customer data).
    ///   - idleTimeout: A connection silent this long is closed (SPEC §12).
    ///   - transport: TLS or plain TCP. The default is plain for in-process use (tests, benchmarks); the
    ///     `serve` command defaults to TLS.
    ///   - limits: The deadlines and caps of ``ConnectionLimits``, shared by every connection of this server.
    ///   - admission: How many sessions do store work at once (``AdmissionGate``); by default twice the cores.
    ///   - keepalive: How often a session waiting for admission is sent PING and its place.
    public init(
        store: any CentralSyncStore, logger: Logger, idleTimeout: TimeAmount = .seconds(120),
        transport: Transport = .plain, limits: ConnectionLimits = ConnectionLimits(),
        admission: AdmissionGate = AdmissionGate(capacity: SyncServer.defaultActiveSessions), keepalive: TimeAmount = .seconds(5)
    ) {
        self.admission = admission
        self.keepalive = keepalive
        self.store = store
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

    /// Sessions doing store work at once unless told: twice the cores (one writes while the others read or wait on
    /// the network), at least 2.
    public static var defaultActiveSessions: Int { max(2, 2 * System.coreCount) }

    /// Binds and serves until ``shutdown()``.
    ///
    /// - Parameters:
    ///   - host: The address to listen on.
    ///   - port: The port; 0 picks a free one.
    ///   - onListening: Called with the bound port once the server accepts connections.
    public func run(host: String, port: Int, onListening: @Sendable (Int) async -> Void = { _ in }) async throws {
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
        await onListening(bound)
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await connection in inbound {
                    group.addTask(executorPreference: SessionExecutor.shared) { await self.serve(connection) }
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
        var session = ServerSession(nonce: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        var ticket: AdmissionGate.Ticket?
        defer { if let ticket { admission.leave(ticket) } }
        do {
            try await connection.executeThenClose { inbound, outbound in
                var reader = FrameReader(gate: .unauthenticated, speaking: .server)
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
                            if !preambleSent { Preamble.server.write(to: &reply) }
                            _ = try reply.writeMessage(.error(fatal))
                            try await outbound.write(reply)
                            break reading
                        }
                        if !preambleSent, reader.peerPreamble != nil {
                            Preamble.server.write(to: &reply)
                            preambleSent = true
                        }
                        guard let message = next else {
                            if reply.readableBytes > 0 { try await outbound.write(reply) }
                            break
                        }
                        var close = false
                        var actions = session.receive(message)
                        while !actions.isEmpty {
                            var request: ServerSession.Request?
                            for action in actions {
                                switch action {
                                case .send(let outgoing): _ = try reply.writeMessage(outgoing)
                                case .close: close = true
                                case .perform(let asked): request = asked
                                }
                            }
                            guard let request else { break }
                            if ticket == nil, request.needsAdmission {
                                let entered = admission.enter()
                                ticket = entered
                                await waitForAdmission(entered, channel: connection.channel)
                            }
                            actions = session.complete(await store.answer(request))
                            if case .pull = request, let admitted = ticket {
                                // DONE ends the session's work: the next in line goes ahead while this device
                                // verifies and closes (another push or pull would queue again).
                                admission.leave(admitted)
                                ticket = nil
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

    /// Waits for the session's turn at the store (``AdmissionGate``), sending PING and the session's place (a
    /// recoverable ERROR `queued`, SPEC [W-12.8]) every ``keepalive`` meanwhile, so the device neither times out nor
    /// wonders. The notices are written from the connection's event loop, not from a task: however busy the Swift
    /// concurrency threads are, a waiting device keeps hearing from the server. Leaves the line if the connection's
    /// task is cancelled.
    private func waitForAdmission(_ ticket: AdmissionGate.Ticket, channel: any Channel) async {
        guard !admission.isAdmitted(ticket) else { return }
        let admission = self.admission
        let notices = channel.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: keepalive) { task in
            let place = admission.place(of: ticket)
            guard place > 0 else {
                task.cancel()
                return
            }
            var buffer = channel.allocator.buffer(capacity: 64)
            _ = try? buffer.writeMessage(.ping(Message.Ping(nonce: UInt64(place))))
            _ = try? buffer.writeMessage(
                .error(Message.ErrorMessage(code: .queued, fatal: false, message: "前面还有 \(place - 1) 个同步")))
            channel.writeAndFlush(buffer, promise: nil)
        }
        await withTaskCancellationHandler {
            await admission.wait(for: ticket)
        } onCancel: {
            admission.leave(ticket)
        }
        // Its last write must be out before the session writes again: frames must not interleave.
        let stopped = channel.eventLoop.makePromise(of: Void.self)
        notices.cancel(promise: stopped)
        try? await stopped.futureResult.get()
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
                return Message.ErrorMessage(code: .unsupportedVersion, fatal: true, message: "没有共同的同步协议版本：中心节点使用第 \(Preamble.sessionVersions.lowerBound)–\(Preamble.sessionVersions.upperBound) 版，请更新 Fieldbook")
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
