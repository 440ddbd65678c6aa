import FieldbookWire
import NIOCore

/// Sits in front of the TLS handler of a TLS central node and answers a device that speaks plain TCP (one enrolled
/// with `--insecure`) in words it can read, instead of a TLS alert it cannot (protocol/SPEC.md §14).
///
/// A TLS connection starts with a handshake record (`0x16`); a plain Fieldbook connection starts with the preamble
/// magic `FBKW`. On the first byte this handler either steps aside, or sends the plain preamble and a fatal ERROR
/// `unsupportedVersion` saying that the server requires TLS, then closes. Anything else is left to the TLS handler,
/// which refuses it.
final class PlainClientRefuser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The text of the ERROR a plain device receives (shown to its user).
    static let message = "中心节点要求 TLS 加密连接，而这台设备按 --insecure（明文）登记：请管理员用 admin device add 发新令牌，重新登记"

    private var refused = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if refused { return }  // the rest of a refused plain session
        let buffer = unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        guard first == Preamble.magic[0] else {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            return
        }
        refused = true
        var reply = ByteBuffer()
        Preamble.server.write(to: &reply)
        _ = try? reply.writeMessage(
            .error(Message.ErrorMessage(code: .unsupportedVersion, fatal: true, message: Self.message)))
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(reply), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
