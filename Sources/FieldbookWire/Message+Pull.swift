// Message+Pull.swift: PULL, the device's request for what it has not applied (protocol/SPEC.md §8.9).
import FieldbookModel
import NIOCore

extension Message {
    /// PULL (`0x20`, device → server): send me everything in my scope after this cursor (SPEC §8.9).
    ///
    /// ```
    /// ┌────────────────┬──────────┬────────────────┐
    /// │ cursor uvarint │ flags u8 │ resume uvarint │   [W-8.9.1]   flags: bit 0 = resync, bits 1–7 reserved (0)
    /// └────────────────┴──────────┴────────────────┘
    /// ```
    ///
    /// ```swift
    /// let pull = Message.Pull(cursor: 1_204)
    /// let resumed = Message.Pull(cursor: 1_204, resume: 1_230)   // a cut pull had applied the delta to 1230
    /// let repair = Message.Pull(cursor: 1_204, resync: true)      // after a state-hash mismatch
    /// ```
    public struct Pull: Hashable, Sendable {
        /// The last log sequence number the device applied (0 for none).
        public var cursor: UInt64
        /// Whether the device asks for its whole scope again, as backfill, after a state-hash mismatch.
        public var resync: Bool
        /// The `seq` of the last delta OPS batch (not backfill) the device applied since `cursor`, in a pull that was
        /// cut before its DONE; 0 for none. The server resumes the delta after it (SPEC `[W-9.12]`).
        public var resume: UInt64

        /// Makes a PULL.
        ///
        /// - Parameters:
        ///   - cursor: The last applied log sequence number.
        ///   - resync: Whether to resend the whole scope.
        ///   - resume: The last delta batch applied since `cursor` by a cut pull, or 0.
        public init(cursor: UInt64, resync: Bool = false, resume: UInt64 = 0) {
            self.cursor = cursor
            self.resync = resync
            self.resume = resume
        }
    }
}

extension Message.Pull: PayloadCodable {
    static var messageType: MessageType { .pull }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        buffer.writeUVarint(self.cursor)
        buffer.writeInteger(UInt8(self.resync ? 1 : 0))
        buffer.writeUVarint(self.resume)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.cursor = try r.uvarint("cursor")
        let flags = try r.u8("flags")
        guard flags & 0xFE == 0 else { throw WireError(.reservedBits, "PULL flags has reserved bits set") }
        self.resync = flags & 1 != 0
        self.resume = try r.uvarint("resume")
    }
}
