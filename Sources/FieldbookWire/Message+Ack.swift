// Message+Ack.swift: ACK, the server's receipt for a pushed batch (protocol/SPEC.md §8.8).
import FieldbookModel
import NIOCore

extension Message {
    /// ACK (`0x11`, server → device): the batch is stored and the server now holds the device's ops up to a
    /// counter (SPEC §8.8).
    ///
    /// ```
    /// ┌─────────────┬──────────────┐
    /// │ seq uvarint │ held uvarint │   [W-8.8.1]
    /// └─────────────┴──────────────┘
    /// ```
    ///
    /// ```swift
    /// let ack = Message.Ack(seq: 3, held: 1_500)
    /// ```
    public struct Ack: Hashable, Sendable {
        /// The `seq` of the OPS batch acknowledged.
        public var seq: UInt64
        /// The highest counter `n` such that the server holds every op `1…n` of the device's actor.
        public var held: UInt64

        /// Makes an ACK.
        ///
        /// - Parameters:
        ///   - seq: The batch's sequence number.
        ///   - held: The highest contiguous counter now held.
        public init(seq: UInt64, held: UInt64) {
            self.seq = seq
            self.held = held
        }
    }
}

extension Message.Ack: PayloadCodable {
    static var messageType: MessageType { .ack }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        buffer.writeUVarint(self.seq)
        buffer.writeUVarint(self.held)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.seq = try r.uvarint("seq")
        self.held = try r.uvarint("held")
    }
}
