import NIOCore

/// Turns the bytes of a connection into messages: first the peer's preamble (SPEC §5), then frames (SPEC §6).
/// Both the device and the central node read their connection through it.
///
/// The central node reads an unauthenticated peer through a narrower ``Gate``: small frames of the few types allowed
/// before AUTH, refused by their header, before their payload is received or decoded (SPEC `[W-12.4]`, `[W-12.5]`).
///
/// ```swift
/// var reader = FrameReader()
/// for try await chunk in inbound { for message in try reader.feed(chunk) { … } }
/// ```
///
/// The central node reads one message at a time instead, so that the gate can open right after AUTH:
///
/// ```swift
/// var reader = FrameReader(gate: .unauthenticated)
/// reader.append(chunk)
/// while let message = try reader.next() { …; if authenticated { reader.gate = .open } }
/// ```
public struct FrameReader: Sendable {
    /// What a reader lets through.
    public struct Gate: Sendable, Hashable {
        /// The largest frame `length` let through: at most ``WireLimits/maxFrameLength``.
        public var maxFrameLength: Int
        /// The message types let through; `nil` lets every type through (unknown ones included, SPEC §13).
        public var allowed: Set<MessageType>?

        /// Makes a gate.
        ///
        /// - Parameters:
        ///   - maxFrameLength: The largest frame `length` let through (capped at ``WireLimits/maxFrameLength``).
        ///   - allowed: The types let through, or `nil` for all.
        public init(maxFrameLength: Int, allowed: Set<MessageType>?) {
            self.maxFrameLength = min(maxFrameLength, WireLimits.maxFrameLength)
            self.allowed = allowed
        }

        /// Everything version 1 allows: frames up to 1 MiB of any type.
        public static let open = Gate(maxFrameLength: WireLimits.maxFrameLength, allowed: nil)

        /// The largest frame a device may send before AUTH has succeeded: 4 KiB, above the largest HELLO (70 bytes with
        /// its length), AUTH (34) or ERROR (about 1 KiB) (SPEC `[W-12.4]`).
        public static let unauthenticatedFrameLength = 4_096

        /// Before AUTH has succeeded (SPEC `[W-12.4]`, `[W-12.5]`): frames up to
        /// ``unauthenticatedFrameLength`` bytes, of the types a device may send in the phases `hello` and `auth`
        /// (HELLO, AUTH, ERROR; `SessionPhase.allows`). Everything else (OPS, compressed or not, PULL, PING, an unknown
        /// type) is refused from its type byte, so nothing is inflated or decoded for an unauthenticated peer.
        public static let unauthenticated = Gate(
            maxFrameLength: unauthenticatedFrameLength,
            allowed: Set(MessageType.known.filter { SessionPhase.hello.allows($0, from: .device) || SessionPhase.auth.allows($0, from: .device) }))
    }

    /// A frame the ``Gate`` refused, from its header alone: the connection must end with a fatal ERROR of ``code``.
    public struct GateError: Error, Sendable, Hashable, CustomStringConvertible {
        /// `limitExceeded` for a frame over the gate's length, `unexpectedMessage` for a type it does not let through.
        public var code: ErrorCode
        /// One line for the ERROR and the log; it names the limit or the type, never the frame's bytes.
        public var message: String

        /// `code: message`.
        public var description: String { "\(code): \(message)" }
    }

    private var buffer = ByteBuffer()
    /// What the reader lets through now; narrowing or widening it applies from the next frame on.
    public var gate: Gate
    /// The peer's preamble, once its six bytes have arrived (even if it names no version in common).
    public private(set) var peerPreamble: Preamble?
    /// The version both sides speak, once the peer's preamble has arrived and names one in common (SPEC `[W-5.3]`):
    /// frames are read in its layout.
    public private(set) var version: UInt8?
    /// What this side speaks: the peer's preamble is negotiated against it.
    public let local: Preamble

    /// Makes a reader.
    ///
    /// - Parameters:
    ///   - gate: What it lets through (everything by default).
    ///   - local: What this side speaks: ``Preamble/device`` (the default) or, on the server, ``Preamble/server``
    ///     (SPEC [W-5.6]).
    public init(gate: Gate = .open, speaking local: Preamble = .device) {
        self.gate = gate
        self.local = local
    }

    /// How many received bytes are waiting for the rest of their frame (bounded by the gate's frame length, plus the
    /// last chunk received).
    public var bufferedBytes: Int { buffer.readableBytes }

    /// Adds received bytes; ``next()`` reads the messages they finish.
    ///
    /// - Parameter chunk: The bytes, as they came off the connection.
    public mutating func append(_ chunk: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = chunk  // no copy when nothing is pending, the common case
        } else {
            buffer.writeImmutableBuffer(chunk)
        }
    }

    /// Reads the next complete message, or returns `nil` when the bytes received so far do not finish one.
    ///
    /// After it throws, the connection is over: the stream cannot be resynchronised (SPEC `[W-6.7]`).
    ///
    /// - Returns: The message, or `nil` when more bytes are needed.
    /// - Throws: `WireError` for a bad preamble, no common version, or a malformed frame; ``GateError`` for a frame
    ///   the ``gate`` refuses, as soon as its header is in.
    public mutating func next() throws -> Message? {
        if peerPreamble == nil {
            guard let preamble = try Preamble.read(from: &buffer) else { return nil }
            peerPreamble = preamble
            version = try preamble.negotiate(with: local)
        }
        if gate != .open { try checkGate() }
        if let message = try buffer.readMessage(version: version ?? Preamble.version) { return message }
        if buffer.readableBytes == 0 {
            buffer = ByteBuffer()  // let a large frame's storage go
        } else {
            buffer.discardReadBytes()
        }
        return nil
    }

    /// Adds received bytes and returns every complete message they finish.
    ///
    /// - Parameter chunk: The bytes, as they came off the connection.
    /// - Returns: The messages, in order.
    /// - Throws: What ``next()`` throws.
    public mutating func feed(_ chunk: ByteBuffer) throws -> [Message] {
        append(chunk)
        var messages: [Message] = []
        while let message = try next() { messages.append(message) }
        return messages
    }

    /// Refuses the next frame by its header (length, then type) when the gate does not let it through. A header
    /// that is not complete yet passes; the strict decoding of the length (overlong varints) is the decoder's.
    private func checkGate() throws(GateError) {
        var length: UInt64 = 0
        var size = 0
        while true {
            guard let byte = buffer.getInteger(at: buffer.readerIndex + size, as: UInt8.self) else { return }
            length |= UInt64(byte & 0x7f) << UInt64(7 * size)
            size += 1
            if byte & 0x80 == 0 { break }
            if size == 10 { length = .max; break }
        }
        guard length <= UInt64(gate.maxFrameLength) else {
            throw GateError(code: .limitExceeded, message: "frame length is over \(gate.maxFrameLength) bytes before authentication")
        }
        guard length > 0, let allowed = gate.allowed,
            let byte = buffer.getInteger(at: buffer.readerIndex + size, as: UInt8.self)
        else { return }
        let type = MessageType(rawValue: byte)
        guard allowed.contains(type) else {
            throw GateError(code: .unexpectedMessage, message: "\(type.name) is not allowed before authentication")
        }
    }
}
