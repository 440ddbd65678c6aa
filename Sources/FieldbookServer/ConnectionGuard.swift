import FieldbookWire
import Logging
import NIOCore

/// Enforces ``ConnectionLimits`` on one connection (SPEC §12): the caps on sessions and on unauthenticated
/// connections, the deadline for completing AUTH and the session deadline. Every refusal is a fatal ERROR (`BUSY` or
/// `TIMEOUT`) followed by a close. Place it after the TLS handler, so that refusals reach the device in the protocol it
/// speaks.
///
/// A connection starts unauthenticated. The connection's driver sends ``Authenticated`` down the pipeline once AUTH
/// has succeeded and before answering WELCOME:
///
/// ```swift
/// try await channel.triggerUserOutboundEvent(ConnectionGuard.Authenticated()).get()   // throws when refused
/// ```
///
/// Refusals are whole frames, written between the session's own writes (which are whole frames too, on the same
/// event loop), after the server's preamble (written here when the session has not written it yet), so the peer
/// reads a clean error and reconnects later. A connection closed to make room, or past its authentication deadline,
/// is closed right after its ERROR is written: over TLS, before the handshake is done, the ERROR is then lost with
/// the connection (it was stalled, or not a device), and nothing waits on a peer that does not read. One refused for
/// full sessions, or at the session deadline, is given a moment for its ERROR to go out (a TLS handshake to finish).
public final class ConnectionGuard: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// The event that turns the connection into a session: its AUTH succeeded.
    public struct Authenticated: Sendable {
        /// Makes the event.
        public init() {}
    }

    /// Why ``Authenticated`` failed: the connection was refused (`BUSY`, `TIMEOUT`) and is closing.
    public struct Refused: Error, Sendable {}

    private let limits: ConnectionLimits
    private let logger: Logger
    /// The connection's number among the unauthenticated ones, until it authenticates or closes.
    private var waiting: UInt64?
    private var session = false
    private var refused = false
    private var closed = false
    /// Whether the session has written anything (its preamble comes first).
    private var wrote = false
    private var sessionTimer: Scheduled<Void>?
    private var authTimer: Scheduled<Void>?

    /// Makes a guard for one connection.
    ///
    /// - Parameters:
    ///   - limits: The server's shared limits (and connection counts).
    ///   - logger: Where refusals go (the peer's address only).
    public init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    public func channelActive(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let loop = context.eventLoop
        let address = context.remoteAddress?.ipAddress ?? "?"
        waiting = limits.enter(address: address) { reason in
            loop.execute {
                let (handler, context) = bound.value
                handler.evict(context, reason: reason)
            }
        }
        guard waiting != nil else {
            logger.warning(
                "Connection refused: too many sessions",
                metadata: ["connection.peer": "\(context.remoteAddress?.description ?? "?")",
                           "limit.connections": "\(limits.maxConnections)"])
            refuse(context, code: .busy, message: "server busy: too many connections, retry later", patient: true)
            context.fireChannelActive()
            return
        }
        let logger = self.logger
        let sessionLimit = Self.text(limits.sessionDeadline)
        sessionTimer = loop.scheduleTask(in: limits.sessionDeadline) {
            let (handler, context) = bound.value
            logger.warning(
                "Connection closed: session deadline",
                metadata: ["connection.peer": "\(context.remoteAddress?.description ?? "?")",
                           "limit.session": "\(sessionLimit)"])
            handler.refuse(context, code: .timeout, message: "session deadline of \(sessionLimit) reached", patient: true)
        }
        let authLimit = Self.text(limits.authDeadline)
        authTimer = loop.scheduleTask(in: limits.authDeadline) {
            let (handler, context) = bound.value
            logger.info(
                "Connection closed: not authenticated in time",
                metadata: ["connection.peer": "\(context.remoteAddress?.description ?? "?")",
                           "limit.auth": "\(authLimit)"])
            handler.refuse(context, code: .timeout, message: "authentication deadline of \(authLimit) reached", patient: false)
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        closed = true
        sessionTimer?.cancel()
        sessionTimer = nil
        authTimer?.cancel()
        authTimer = nil
        if let waiting {
            self.waiting = nil
            limits.leave(waiting)
        }
        if session {
            session = false
            limits.release()
        }
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing from a refused connection reaches the session.
        guard !refused else { return }
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // After a refusal the session's own writes are dropped: the error frame was the last word.
        guard !refused else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        wrote = true
        context.write(data, promise: promise)
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is Authenticated else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        guard !refused, let id = waiting else {
            promise?.fail(Refused())
            return
        }
        waiting = nil
        authTimer?.cancel()
        authTimer = nil
        switch limits.authenticate(id) {
        case .admitted:
            session = true
            promise?.succeed(())
        case .evicted:
            // Its eviction is queued on this event loop and refuses it next.
            promise?.fail(Refused())
        case .full:
            logger.warning(
                "Connection refused: too many sessions",
                metadata: ["connection.peer": "\(context.remoteAddress?.description ?? "?")",
                           "limit.connections": "\(limits.maxConnections)"])
            refuse(context, code: .busy, message: "server busy: too many connections, retry later", patient: true)
            promise?.fail(Refused())
        }
    }

    /// Closes this unauthenticated connection to make room for a newer one.
    private func evict(_ context: ChannelHandlerContext, reason: String) {
        guard !refused, !closed else { return }
        waiting = nil  // no longer counted
        logger.info(
            "Connection closed: room made for a newer unauthenticated connection",
            metadata: ["connection.peer": "\(context.remoteAddress?.description ?? "?")"])
        refuse(context, code: .busy, message: reason, patient: false)
    }

    /// Ends the connection with a fatal ERROR: closes it once the ERROR is written, within ``refusalGrace`` when
    /// `patient` (a TLS handshake may have to finish first), or at once.
    private func refuse(_ context: ChannelHandlerContext, code: ErrorCode, message: String, patient: Bool) {
        guard !refused, !closed else { return }
        refused = true
        sessionTimer?.cancel()
        authTimer?.cancel()
        var buffer = ByteBuffer()
        if !wrote { Preamble.server.write(to: &buffer) }
        _ = try? buffer.writeMessage(.error(Message.ErrorMessage(code: code, fatal: true, message: message)))
        guard patient else {
            // Written to the socket now if it can take it (a TLS handler still handshaking holds it, and drops it at
            // the close): a refused peer costs nothing more.
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            context.close(promise: nil)
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
        // The write may never complete: a peer that does not read, or a TLS handshake that never finishes (the TLS
        // handler holds writes until then). The connection is closed anyway after a short grace, so a refused
        // connection costs the server at most that long.
        context.eventLoop.scheduleTask(in: Self.refusalGrace) {
            if bound.value.channel.isActive { bound.value.close(promise: nil) }
        }
    }

    /// How long a refused connection has to take its ERROR before it is closed regardless.
    static let refusalGrace = TimeAmount.seconds(2)

    /// `10 s`, or `500 ms` for a limit that is not whole seconds (tests).
    private static func text(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000) s" : "\(milliseconds) ms"
    }
}
