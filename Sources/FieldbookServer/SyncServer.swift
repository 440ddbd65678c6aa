import FieldbookSync
import FieldbookWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The central node's listener: one task per connection, each running a ``ServerSession`` over the
/// connection's frames (ARCHITECTURE §5, style.md rule 6).
///
/// A connection that misbehaves, stalls or breaks is logged and closed; it never takes the server down.
///
/// ```swift
/// let server = SyncServer(database: central, logger: logger)
/// try await server.run(host: "0.0.0.0", port: 7420) { port in print("listening on \(port)") }
/// ```
public final class SyncServer: Sendable {
    private let database: CentralDatabase
    private let logger: Logger
    private let idleTimeout: TimeAmount
    private let channel = NIOLockedValueBox<(any Channel)?>(nil)

    /// Makes a server.
    ///
    /// - Parameters:
    ///   - database: The central database.
    ///   - logger: Where connection events go (never with customer data).
    ///   - idleTimeout: A connection silent this long is closed (SPEC §12).
    public init(database: CentralDatabase, logger: Logger, idleTimeout: TimeAmount = .seconds(120)) {
        self.database = database
        self.logger = logger
        self.idleTimeout = idleTimeout
    }

    /// Binds and serves until ``shutdown()``.
    ///
    /// - Parameters:
    ///   - host: The address to listen on.
    ///   - port: The port; 0 picks a free one.
    ///   - onListening: Called with the bound port once the server accepts connections.
    public func run(host: String, port: Int, onListening: @Sendable (Int) -> Void = { _ in }) async throws {
        let idle = idleTimeout
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ConnectionGuard(limits: .current, logger: self.logger))  // issue 9b: session deadline, connection cap (ConnectionGuard.swift)
                    try child.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                    try child.pipeline.syncOperations.addHandler(IdleCloser())
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child)
                }
            }
        channel.withLockedValue { $0 = server.channel }
        let bound = server.channel.localAddress?.port ?? port
        logger.info("Listening", metadata: ["server.host": "\(host)", "server.port": "\(bound)"])
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
    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = connection.channel.remoteAddress?.description ?? "?"
        var logger = self.logger
        logger[metadataKey: "connection.peer"] = "\(peer)"
        var generator = SystemRandomNumberGenerator()
        var session = ServerSession(
            replica: database, nonce: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        do {
            try await connection.executeThenClose { inbound, outbound in
                var reader = FrameReader()
                var out = ByteBuffer()
                Preamble.current.write(to: &out)
                try await outbound.write(out)
                reading: for try await chunk in inbound {
                    for message in try reader.feed(chunk) {
                        var reply = ByteBuffer()
                        var close = false
                        for action in session.receive(message) {
                            switch action {
                            case .send(let outgoing): _ = try reply.writeMessage(outgoing)
                            case .close: close = true
                            }
                        }
                        if reply.readableBytes > 0 { try await outbound.write(reply) }
                        if close { break reading }
                    }
                }
            }
        } catch let error as WireError {
            // Malformed input: tell the peer (best effort) and close. The error names the rule, never the bytes.
            logger.warning("Malformed input", metadata: ["wire.error": "\(error.code)"])
            try? await sendFatal(connection, code: .malformed, message: "malformed: \(error.code)")
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
        }
        logger.info("Session ended", metadata: metadata)
    }

    private func sendFatal(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, code: ErrorCode, message: String) async throws {
        var buffer = ByteBuffer()
        _ = try buffer.writeMessage(.error(Message.ErrorMessage(code: code, fatal: true, message: message)))
        try await connection.channel.writeAndFlush(buffer)
        try await connection.channel.close()
    }
}
