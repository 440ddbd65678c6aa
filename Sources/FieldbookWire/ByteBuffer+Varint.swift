// ByteBuffer+Varint.swift: strict LEB128 uvarints and ZigZag svarints on NIO's ByteBuffer (SPEC §4.1, §4.2).
import NIOCore

extension ByteBuffer {
    /// Reads a strict LEB128 unsigned varint at an index without moving the reader index.
    ///
    /// At most 10 bytes are read; the 10th may only be `0x00` or `0x01`, and a final group of zero after other
    /// groups is an overlong encoding (SPEC `[W-4.1.2]`, `[W-4.1.3]`).
    ///
    /// - Parameter index: Where the varint starts.
    /// - Returns: The value and its byte count, or `nil` when the readable bytes end before the varint does.
    /// - Throws: ``WireError`` `.overlongVarint` or `.varintOverflow`.
    func getUVarint(at index: Int) throws(WireError) -> (value: UInt64, length: Int)? {
        let start = index - self.readerIndex
        guard start >= 0 else { return nil }
        // One access to the bytes for the whole varint: `getInteger` per byte took its own access to the storage,
        // with a dynamic exclusivity check, which was 13 % of decoding a batch. The closure reports; this throws.
        let (value, length, outcome): (UInt64, Int, VarintOutcome) = self.withUnsafeReadableBytes { bytes in
            var result: UInt64 = 0
            var shift: UInt64 = 0
            var offset = 0
            while true {
                let position = start + offset
                guard position < bytes.count else { return (0, 0, .needMore) }
                let byte = bytes[position]
                offset += 1
                if offset == 10 && byte > 1 { return (0, 0, .past64Bits) }
                result |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 {
                    if byte == 0 && offset > 1 { return (0, 0, .overlong) }
                    return (result, offset, .complete)
                }
                if offset == 10 { return (0, 0, .tooLong) }
                shift += 7
            }
        }
        switch outcome {
        case .complete: return (value, length)
        case .needMore: return nil
        case .past64Bits: throw WireError(.varintOverflow, "varint past 64 bits")
        case .overlong: throw WireError(.overlongVarint, "varint with a redundant zero group")
        case .tooLong: throw WireError(.varintOverflow, "varint longer than 10 bytes")
        }
    }

    /// Reads a strict LEB128 unsigned varint and moves the reader index past it.
    ///
    /// - Returns: The value, or `nil` (reader index unmoved) when more bytes are needed.
    /// - Throws: ``WireError`` `.overlongVarint` or `.varintOverflow`.
    mutating func readUVarint() throws(WireError) -> UInt64? {
        guard let (value, length) = try self.getUVarint(at: self.readerIndex) else { return nil }
        self.moveReaderIndex(forwardBy: length)
        return value
    }

    /// Appends a LEB128 unsigned varint in its shortest form.
    ///
    /// - Parameter value: The value.
    /// - Returns: The number of bytes written.
    @discardableResult
    mutating func writeUVarint(_ value: UInt64) -> Int {
        var v = value
        var count = 0
        while v >= 0x80 {
            self.writeInteger(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
            count += 1
        }
        self.writeInteger(UInt8(v))
        return count + 1
    }

    /// Appends a ZigZag-mapped signed varint (SPEC `[W-4.2.1]`).
    ///
    /// - Parameter value: The value.
    /// - Returns: The number of bytes written.
    @discardableResult
    mutating func writeSVarint(_ value: Int64) -> Int {
        self.writeUVarint(ZigZag.encode(value))
    }

    /// Appends a uvarint length and the bytes (SPEC `[W-4.3.1]`).
    ///
    /// - Parameter bytes: The bytes.
    mutating func writeLengthPrefixed(_ bytes: some Collection<UInt8>) {
        self.writeUVarint(UInt64(bytes.count))
        self.writeBytes(bytes)
    }

    /// Appends a uvarint length and the UTF-8 of a string (SPEC `[W-4.3.1]`).
    ///
    /// - Parameter text: The string.
    mutating func writeLengthPrefixedString(_ text: String) {
        self.writeUVarint(UInt64(text.utf8.count))
        self.writeString(text)
    }
}

/// How reading one varint ended (``ByteBuffer/getUVarint(at:)``).
private enum VarintOutcome {
    case complete, needMore, past64Bits, overlong, tooLong
}

/// The ZigZag mapping of signed to unsigned integers: 0, -1, 1, -2 … become 0, 1, 2, 3 … (SPEC §4.2).
enum ZigZag {
    /// Maps a signed value to its unsigned ZigZag form.
    ///
    /// - Parameter value: The signed value.
    /// - Returns: `(value << 1) ^ (value >> 63)` as unsigned.
    static func encode(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// Maps an unsigned ZigZag value back to its signed form.
    ///
    /// - Parameter value: The unsigned form.
    /// - Returns: The signed value.
    static func decode(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}
