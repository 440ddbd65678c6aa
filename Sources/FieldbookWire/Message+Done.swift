// Message+Done.swift: DONE, the end of a pull (protocol/SPEC.md §8.11).
import FieldbookModel
import NIOCore

extension Message {
    /// DONE (`0x22`, server → device): the pull is complete (SPEC §8.11).
    ///
    /// ```
    /// ┌────────────────┬────────────┐
    /// │ cursor uvarint │ hash 32B   │   [W-8.11.1]
    /// └────────────────┴────────────┘
    /// ```
    ///
    /// ```swift
    /// let done = Message.Done(cursor: 1_260, stateHash: digest)
    /// ```
    public struct Done: Hashable, Sendable {
        /// The device's new cursor: the last log sequence number this pull covered.
        public var cursor: UInt64
        /// The state hash (`StateDigest`: a sum of SHA-256 fact digests) of the device's whole scope as the server
        /// holds it at `cursor` (SPEC `[W-9.11]`).
        public var stateHash: [UInt8]

        /// Makes a DONE.
        ///
        /// - Parameters:
        ///   - cursor: The new cursor.
        ///   - stateHash: 32 bytes of state hash.
        public init(cursor: UInt64, stateHash: [UInt8]) {
            self.cursor = cursor
            self.stateHash = stateHash
        }
    }
}

extension Message.Done: PayloadCodable {
    static var messageType: MessageType { .done }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        try requireCount(self.stateHash, 32, "DONE state hash")
        buffer.writeUVarint(self.cursor)
        buffer.writeBytes(self.stateHash)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.cursor = try r.uvarint("cursor")
        self.stateHash = try r.fixed(32, "state hash")
    }
}
