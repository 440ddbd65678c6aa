import NIOCore

/// Closes a connection that has been silent past its `IdleStateHandler`'s timeout, so a slow or silent peer
/// never holds resources forever (SPEC §12). Place it right after the `IdleStateHandler`.
public final class IdleCloser: ChannelInboundHandler, Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    /// Makes a handler.
    public init() {}

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
