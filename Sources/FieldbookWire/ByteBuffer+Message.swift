// ByteBuffer+Message.swift: framing: reading and writing whole messages on a ByteBuffer (protocol/SPEC.md §6).
import FieldbookModel
import NIOCore

extension ByteBuffer {
    /// Reads one frame and moves the reader index past it, or returns `nil` if the frame is not complete yet.
    ///
    /// The single step of the decoder (SPEC §6): `nil` means "call again with more bytes" and leaves the reader
    /// index unmoved (SPEC `[W-6.4]`); a thrown error means the stream is malformed and the connection must close
    /// (SPEC `[W-6.7]`). The frame length is checked against ``WireLimits/maxFrameLength`` as soon as its varint
    /// is complete, before any payload arrives (SPEC `[W-6.3]`).
    ///
    /// ```swift
    /// while let message = try buffer.readMessage() { handle(message) }
    /// ```
    ///
    /// - Parameter version: The session's protocol version (``Preamble/version`` by default): OPS batches are read
    ///   in its layout (SPEC §8.6).
    /// - Returns: The message, or `nil` when more bytes are needed.
    /// - Throws: ``WireError`` for malformed input.
    public mutating func readMessage(version: UInt8 = Preamble.version) throws(WireError) -> Message? {
        guard let (message, length) = try self.getMessage(at: self.readerIndex, version: version) else { return nil }
        self.moveReaderIndex(forwardBy: length)
        return message
    }

    /// Decodes the frame at an index without moving the reader index.
    ///
    /// - Parameters:
    ///   - index: Where the frame starts.
    ///   - trace: Where to record annotations for `wiredump`, if anywhere.
    ///   - version: The session's protocol version.
    /// - Returns: The message and the frame's total byte count, or `nil` when more bytes are needed.
    /// - Throws: ``WireError`` for malformed input.
    func getMessage(at index: Int, trace: WireTrace? = nil, base: Int = 0, version: UInt8 = Preamble.version)
        throws(WireError) -> (Message, Int)?
    {
        guard let (length, lengthBytes) = try self.getUVarint(at: index) else { return nil }
        guard length > 0 else { throw WireError(.emptyFrame, "frame length is 0") }
        guard length <= UInt64(WireLimits.maxFrameLength) else {
            trace?.add(start: base, length: lengthBytes, depth: 0, text: "length = \(length)  (over the limit)")
            throw WireError(.frameTooLarge, "frame length is over \(WireLimits.maxFrameLength) bytes")
        }
        let total = lengthBytes + Int(length)
        guard self.writerIndex - index >= total, let frame = self.getSlice(at: index, length: total) else {
            return nil
        }
        var r = PayloadReader(frame, base: base, trace: trace, version: version)
        _ = try r.uvarint("length")
        let typeStart = r.offset
        let type = MessageType(rawValue: try r.fixed(1, "type")[0])
        trace?.add(start: typeStart, length: 1, depth: 0, text: "type = 0x\(Hex.byte(type.rawValue)) \(type.name)")
        var payload = try r.sub(Int(length) - 1, "payload")
        let message = try Message.decodePayload(type: type, &payload)
        return (message, total)
    }

    /// Appends one message as a frame and returns the number of bytes written. An OPS batch is written in the
    /// layout of its own ``Message/Ops/version``.
    ///
    /// ```swift
    /// var out = ByteBuffer()
    /// try out.writeMessage(.ack(.init(seq: 1, held: 500)))
    /// ```
    ///
    /// - Parameter message: The message.
    /// - Returns: The frame's byte count.
    /// - Throws: ``WireError`` when the message breaks a limit of §12 (a frame over 1 MiB, too many ops, a string
    ///   too long) or has a fixed-size field of the wrong size; nothing is written then.
    @discardableResult
    public mutating func writeMessage(_ message: Message) throws(WireError) -> Int {
        var payload = ByteBuffer()
        payload.writeInteger(message.type.rawValue)
        try message.encodePayload(into: &payload)
        guard payload.readableBytes <= WireLimits.maxFrameLength else {
            throw WireError(.frameTooLarge, "message is over \(WireLimits.maxFrameLength) bytes; split the batch")
        }
        let head = self.writeUVarint(UInt64(payload.readableBytes))
        return head + self.writeBuffer(&payload)
    }
}

extension Message {
    /// Appends the payload of the message (without length and type).
    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        switch self {
        case .hello(let m): try m.encodePayload(into: &buffer)
        case .challenge(let m): try m.encodePayload(into: &buffer)
        case .auth(let m): try m.encodePayload(into: &buffer)
        case .welcome(let m): try m.encodePayload(into: &buffer)
        case .ops(let m): try m.encodePayload(into: &buffer)
        case .ack(let m): try m.encodePayload(into: &buffer)
        case .pull(let m): try m.encodePayload(into: &buffer)
        case .purge(let m): try m.encodePayload(into: &buffer)
        case .done(let m): try m.encodePayload(into: &buffer)
        case .ping(let m), .pong(let m): m.encodePayload(into: &buffer)
        case .error(let m): try m.encodePayload(into: &buffer)
        case .unknown(let type, let payload):
            guard !MessageType.known.contains(type) else {
                throw WireError(.unencodable, "unknown(type:) names a type this version defines")
            }
            buffer.writeBytes(payload)
        }
    }

    /// Reads a payload of a given type; the reader holds exactly the payload.
    static func decodePayload(type: MessageType, _ r: inout PayloadReader) throws(WireError) -> Message {
        let message: Message
        switch type {
        case .hello: message = .hello(try Hello(payload: &r))
        case .challenge: message = .challenge(try Challenge(payload: &r))
        case .auth: message = .auth(try Auth(payload: &r))
        case .welcome: message = .welcome(try Welcome(payload: &r))
        case .ops: message = .ops(try Ops(payload: &r))
        case .ack: message = .ack(try Ack(payload: &r))
        case .pull: message = .pull(try Pull(payload: &r))
        case .purge: message = .purge(try Purge(payload: &r))
        case .done: message = .done(try Done(payload: &r))
        case .ping: message = .ping(try Ping(payload: &r))
        case .pong: message = .pong(try Ping(payload: &r))
        case .error: message = .error(try ErrorMessage(payload: &r))
        default:
            let from = r.offset
            var rest = r.rest()
            r.note(from: from, "payload of an unknown type, skipped (\(rest.readableBytes) bytes)")
            return .unknown(type: type, payload: rest.readBytes(length: rest.readableBytes)!)
        }
        try r.expectEnd("\(type.name) payload")
        return message
    }
}
