import FieldbookWire
import NIOCore

/// Turns the bytes of a connection into messages: first the peer's preamble (SPEC §5), then frames (SPEC §6).
/// Both the device and the central node read their connection through it.
///
/// ```swift
/// var reader = FrameReader()
/// for try await chunk in inbound { for message in try reader.feed(chunk) { … } }
/// ```
public struct FrameReader: Sendable {
    private var buffer = ByteBuffer()
    private var negotiated = false

    /// Makes a reader.
    public init() {}

    /// Adds received bytes and returns every complete message they finish.
    ///
    /// - Throws: `WireError` for a bad preamble, no common version, or a malformed frame.
    public mutating func feed(_ chunk: ByteBuffer) throws -> [Message] {
        buffer.writeImmutableBuffer(chunk)
        if !negotiated {
            guard let preamble = try Preamble.read(from: &buffer) else { return [] }
            _ = try preamble.negotiate(with: .current)
            negotiated = true
        }
        var messages: [Message] = []
        while let message = try buffer.readMessage() { messages.append(message) }
        buffer.discardReadBytes()
        return messages
    }
}
