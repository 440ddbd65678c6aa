import FieldbookWire
import Logging
import NIOCore

/// Enforces ``ConnectionLimits`` on one connection: refuses it with a fatal `BUSY` when the server is full, and ends
/// it with a fatal `TIMEOUT` when it outlives the session deadline. Place it first in the child pipeline.
///
/// Both refusals are whole frames after a preamble, written between the session's own writes (which are whole
/// frames too, on the same event loop), so the peer reads a clean error and reconnects later.
public final class ConnectionGuard: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private let limits: ConnectionLimits
    private let logger: Logger
    private var admitted = false
    private var refused = false
    private var deadline: Scheduled<Void>?

    /// Makes a guard for one connection.
    ///
    /// - Parameters:
    ///   - limits: The server's shared limits (and connection count).
    ///   - logger: Where refusals go (the peer's address only).
    public init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    public func channelActive(context: ChannelHandlerContext) {
        guard limits.admit() else {
            refused = true
            logger.warning(
                "Connection refused: too many connections",
                metadata: ["connection.peer": "\(context.remoteAddress?.description ?? "?")",
                           "limit.connections": "\(limits.maxConnections)"])
            refuse(context, code: .busy, message: "server busy: too many connections, retry later", preamble: true)
            context.fireChannelActive()
            return
        }
        admitted = true
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let logger = self.logger
        let seconds = limits.sessionDeadline.nanoseconds / 1_000_000_000
        deadline = context.eventLoop.scheduleTask(in: limits.sessionDeadline) {
            let (handler, context) = bound.value
            logger.warning(
                "Connection closed: session deadline",
                metadata: ["connection.peer": "\(context.remoteAddress?.description ?? "?")",
                           "limit.session_seconds": "\(seconds)"])
            handler.refuse(context, code: .timeout, message: "session deadline of \(seconds) s reached", preamble: false)
        }
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if admitted {
            admitted = false
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
        context.write(data, promise: promise)
    }

    private func refuse(_ context: ChannelHandlerContext, code: ErrorCode, message: String, preamble: Bool) {
        refused = true
        var buffer = ByteBuffer()
        if preamble { Preamble.current.write(to: &buffer) }
        _ = try? buffer.writeMessage(.error(Message.ErrorMessage(code: code, fatal: true, message: message)))
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in bound.value.close(promise: nil) }
    }
}
