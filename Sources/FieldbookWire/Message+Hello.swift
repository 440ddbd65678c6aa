// Message+Hello.swift: HELLO, the device's first frame (protocol/SPEC.md §8.1).
import FieldbookModel
import NIOCore

extension Message {
    /// HELLO (`0x01`, device → server): the protocol version, who the device is, and its nonce (SPEC §8.1).
    ///
    /// ```
    /// ┌────────────┬────────────┬────────────┬────────────┬────────────────┐
    /// │ version u8 │ device 16B │ actor 16B  │ nonce 32B  │ schema uvarint │   [W-8.1.1]
    /// └────────────┴────────────┴────────────┴────────────┴────────────────┘
    /// ```
    ///
    /// ```swift
    /// let hello = Message.Hello(version: Preamble.version, device: device, actor: me, nonce: nonce, schema: Schema.version)
    /// ```
    public struct Hello: Hashable, Sendable {
        /// The protocol version the session runs: the one both preambles agreed on (SPEC `[W-8.1.2]`).
        public var version: UInt8
        /// The enrolled device.
        public var device: DeviceID
        /// The device's replica identity; every op it pushes has this actor.
        public var actor: ActorID
        /// 32 random bytes from a cryptographic generator, new for every session (SPEC `[W-14.1]`).
        public var nonce: [UInt8]
        /// The highest schema version the device knows.
        public var schema: UInt16

        /// Makes a HELLO.
        ///
        /// - Parameters:
        ///   - version: The negotiated protocol version.
        ///   - device: The enrolled device.
        ///   - actor: The device's actor.
        ///   - nonce: 32 random bytes.
        ///   - schema: The device's schema version.
        public init(version: UInt8, device: DeviceID, actor: ActorID, nonce: [UInt8], schema: UInt16) {
            self.version = version
            self.device = device
            self.actor = actor
            self.nonce = nonce
            self.schema = schema
        }
    }
}

extension Message.Hello: PayloadCodable {
    static var messageType: MessageType { .hello }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        try requireCount(self.nonce, 32, "HELLO nonce")
        buffer.writeInteger(self.version)
        buffer.writeBytes(self.device.bytes)
        buffer.writeBytes(self.actor.bytes)
        buffer.writeBytes(self.nonce)
        buffer.writeUVarint(UInt64(self.schema))
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.version = try r.u8("version")
        self.device = DeviceID(bytes: try r.fixed(16, "device"))!
        self.actor = ActorID(bytes: try r.fixed(16, "actor"))!
        self.nonce = try r.fixed(32, "client nonce")
        self.schema = try r.uint16("schema")
    }
}

extension PayloadReader {
    /// Reads a uvarint that must fit 16 bits (a schema version, a field number, an error code).
    mutating func uint16(_ label: @autoclosure () -> String) throws(WireError) -> UInt16 {
        let value = try self.uvarint(label())
        guard let narrow = UInt16(exactly: value) else {
            throw WireError(.varintOverflow, "\(label()) is past 16 bits")
        }
        return narrow
    }
}
