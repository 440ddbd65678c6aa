// Message+Ops.swift: OPS, a batch of operations in either direction (protocol/SPEC.md §8.5).
import FieldbookModel
import NIOCore

extension Message {
    /// OPS (`0x10`, either direction): a columnar batch of operations, optionally zlib-compressed (SPEC §8.5).
    ///
    /// ```
    /// ┌──────────┬─────────────┬──────────────────────────────┬──────────────────────────────────┐
    /// │ flags u8 │ seq uvarint │ raw size uvarint (if bit 0)  │ batch (§8.6), zlib if bit 0      │  [W-8.5.1]
    /// └──────────┴─────────────┴──────────────────────────────┴──────────────────────────────────┘
    /// flags: bit 0 = zlib, bit 1 = backfill, bits 2–7 reserved (0)
    /// ```
    ///
    /// From a device, `seq` numbers its pushes in the session (1, 2, 3 …) and ACK echoes it. From the server, `seq`
    /// is the highest log sequence number the batch covers: after applying it, the device may set its cursor to
    /// `seq` (SPEC `[W-8.5.2]`).
    ///
    /// ```swift
    /// let ops = Message.Ops(seq: 1, operations: todays, compressed: true)
    /// try buffer.writeMessage(.ops(ops))
    /// ```
    public struct Ops: Hashable, Sendable {
        /// The device's push number, or the server's highest log sequence number covered.
        public var seq: UInt64
        /// Server only: the batch is history of customers that entered the device's scope (or a resync); it does
        /// not move the cursor past `seq`.
        public var backfill: Bool
        /// Whether the batch travels zlib-compressed.
        public var compressed: Bool
        /// The operations, in the order the receiver should apply them.
        public var operations: [Operation]
        /// The protocol version of the session the batch travels in, which fixes its entities table (SPEC §8.6):
        /// from 3 on, an entity named by its creating op is written as (actor, counter); in 2 every ID is written in
        /// full. A decoded batch carries the version it was read as.
        public var version: UInt8

        /// Makes an OPS batch.
        ///
        /// - Parameters:
        ///   - seq: The push number or highest log sequence number.
        ///   - backfill: Whether this is backfill (server only).
        ///   - operations: The operations, at most ``WireLimits/maxOpsPerBatch``.
        ///   - compressed: Whether to zlib-compress the batch.
        ///   - version: The session's protocol version (``Preamble/version`` by default).
        public init(
            seq: UInt64, backfill: Bool = false, operations: [Operation], compressed: Bool = false,
            version: UInt8 = Preamble.version
        ) {
            self.seq = seq
            self.backfill = backfill
            self.compressed = compressed
            self.operations = operations
            self.version = version
        }
    }
}

extension Message.Ops: PayloadCodable {
    static var messageType: MessageType { .ops }

    /// The raw size from which a version-4 batch is compressed with a deflate block per part: below it, the blocks'
    /// own code tables cost more than they save.
    static let blockedDeflateMinimum = 2_048

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        var batch = ByteBuffer()
        let parts = try OpBatch.encode(self.operations, version: self.version, into: &batch)
        buffer.writeInteger(UInt8((self.compressed ? 1 : 0) | (self.backfill ? 2 : 0)))
        buffer.writeUVarint(self.seq)
        if self.compressed {
            let raw = batch.readBytes(length: batch.readableBytes)!
            guard raw.count <= WireLimits.maxBatchRawSize else {
                throw WireError(.declaredSizeTooLarge, "batch is larger than \(WireLimits.maxBatchRawSize) bytes")
            }
            buffer.writeUVarint(UInt64(raw.count))
            // From version 4 each table and column of a large batch gets deflate blocks of its own ([W-8.5.8]).
            let blocks = self.version >= 4 && raw.count >= Self.blockedDeflateMinimum ? parts : []
            buffer.writeBytes(Zlib.deflate(raw, blocks: blocks))
        } else {
            buffer.writeBuffer(&batch)
        }
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        let flags = try r.u8("flags")
        guard flags & 0xFC == 0 else { throw WireError(.reservedBits, "OPS flags has reserved bits set") }
        self.compressed = flags & 1 != 0
        self.backfill = flags & 2 != 0
        self.seq = try r.uvarint("seq")
        self.version = r.version
        if self.compressed {
            let size = try r.uvarint("raw size")
            guard size <= UInt64(WireLimits.maxBatchRawSize) else {
                throw WireError(.declaredSizeTooLarge, "OPS raw size is over \(WireLimits.maxBatchRawSize) bytes")
            }
            let from = r.offset
            var stream = r.rest()
            let streamBytes = stream.readBytes(length: stream.readableBytes)!
            let raw = try Zlib.inflate(streamBytes, size: Int(size))
            r.note(from: from, "zlib stream (\(streamBytes.count) bytes) → \(size) raw bytes")
            let trace = r.trace.map { parent in parent.inflated(raw) }
            var inner = PayloadReader(ByteBuffer(bytes: raw), base: 0, trace: trace, depth: r.depth + 1, version: r.version)
            self.operations = try OpBatch.decode(&inner, version: r.version)
        } else {
            var inner = try r.sub(r.remaining, "batch")
            self.operations = try OpBatch.decode(&inner, version: r.version)
        }
    }
}
