// MessageDecoder.swift: the frame decoder as a NIO single-step decoder (protocol/SPEC.md §6).
import NIOCore

/// Decodes frames into ``Message`` values, one step at a time, for `NIOSingleStepByteToMessageProcessor` or a
/// `ByteToMessageHandler` (SPEC §6).
///
/// `decode(buffer:)` returns `nil` when the buffer does not hold a whole frame yet (reader index unmoved) and
/// throws ``WireError`` when the bytes are malformed (SPEC `[W-6.4]`, `[W-6.7]`). The preamble is read before the
/// decoder starts, with ``Preamble/read(from:)``.
///
/// ```swift
/// var decoder = MessageDecoder()
/// while let message = try decoder.decode(buffer: &buffer) { handle(message) }
/// ```
public struct MessageDecoder: NIOSingleStepByteToMessageDecoder {
    /// The decoded unit: one message.
    public typealias InboundOut = Message

    /// The session's protocol version: OPS batches are read in its layout (SPEC §8.6).
    public var version: UInt8

    /// Makes a decoder.
    ///
    /// - Parameter version: The session's protocol version (``Preamble/version`` by default).
    public init(version: UInt8 = Preamble.version) {
        self.version = version
    }

    /// Decodes the next frame, if it is complete.
    ///
    /// - Parameter buffer: The bytes received so far.
    /// - Returns: The message, or `nil` when more bytes are needed.
    /// - Throws: ``WireError`` for malformed input.
    public mutating func decode(buffer: inout ByteBuffer) throws -> Message? {
        try buffer.readMessage(version: version)
    }

    /// Decodes what is left when the stream ends.
    ///
    /// - Parameters:
    ///   - buffer: The bytes left.
    ///   - seenEOF: Whether the peer closed its side.
    /// - Returns: A last message, or `nil`.
    /// - Throws: ``WireError`` for malformed input, or `.truncated` when the stream ends inside a frame.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Message? {
        if let message = try buffer.readMessage(version: version) { return message }
        if seenEOF && buffer.readableBytes > 0 {
            throw WireError(.truncated, "the stream ended inside a frame")
        }
        return nil
    }
}
