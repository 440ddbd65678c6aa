// Message+Pull.swift: PULL, the device's request for what it has not applied (protocol/SPEC.md §8.9).
import FieldbookModel
import NIOCore

extension Message {
    /// PULL (`0x20`, device → server): send me everything in my scope after this cursor (SPEC §8.9).
    ///
    /// ```
    /// ┌────────────────┬──────────┐
    /// │ cursor uvarint │ flags u8 │   [W-8.9.1]   flags: bit 0 = resync, bits 1–7 reserved (0)
    /// └────────────────┴──────────┘
    /// ```
    ///
    /// ```swift
    /// let pull = Message.Pull(cursor: 1_204)
    /// let repair = Message.Pull(cursor: 1_204, resync: true)   // after a state-hash mismatch
    /// ```
    public struct Pull: Hashable, Sendable {
        /// The last log sequence number the device applied (0 for none).
        public var cursor: UInt64
        /// Whether the device asks for its whole scope again, as backfill, after a state-hash mismatch.
        public var resync: Bool

        /// Makes a PULL.
        ///
        /// - Parameters:
        ///   - cursor: The last applied log sequence number.
        ///   - resync: Whether to resend the whole scope.
        public init(cursor: UInt64, resync: Bool = false) {
            self.cursor = cursor
            self.resync = resync
        }
    }
}

extension Message.Pull: PayloadCodable {
    static var messageType: MessageType { .pull }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        buffer.writeUVarint(self.cursor)
        buffer.writeInteger(UInt8(self.resync ? 1 : 0))
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.cursor = try r.uvarint("cursor")
        let flags = try r.u8("flags")
        guard flags & 0xFE == 0 else { throw WireError(.reservedBits, "PULL flags has reserved bits set") }
        self.resync = flags & 1 != 0
    }
}
