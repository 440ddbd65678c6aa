/// A growable byte buffer with LEB128 varints, for the store's encoding of op bodies and the state digest.
///
/// This is the *storage* encoding; the wire has its own columnar format (protocol/SPEC.md).
package struct ByteWriter: Sendable {
    package private(set) var bytes: [UInt8] = []

    /// A writer with room for 64 bytes (an op body or a value usually fits: growing from empty took 3–4
    /// allocations).
    package init() { bytes.reserveCapacity(64) }

    /// A writer whose buffer already holds `capacity` bytes' room, so that writing that many allocates once.
    package init(capacity: Int) { bytes.reserveCapacity(capacity) }

    package mutating func byte(_ value: UInt8) { bytes.append(value) }

    package mutating func uvarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    package mutating func svarint(_ value: Int64) { uvarint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    package mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// Appends bytes from a buffer (a column read in place, a stack value).
    package mutating func raw(_ data: UnsafeRawBufferPointer) { bytes.append(contentsOf: data) }

    /// Appends a 16-byte ID from its two halves, big-endian (the layout of `ActorID.bytes` and `EntityID.bytes`,
    /// without building that array).
    package mutating func id(_ high: UInt64, _ low: UInt64) {
        bigEndian64(high)
        bigEndian64(low)
    }

    /// Appends a string's UTF-8 bytes, without a length.
    package mutating func utf8(_ text: String) { bytes.append(contentsOf: text.utf8) }

    package mutating func string(_ text: String) {
        uvarint(UInt64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
    }

    package mutating func bigEndian16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    package mutating func bigEndian64(_ value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what ``ByteWriter`` wrote; throws on truncated or malformed input.
package struct ByteReader {
    private let bytes: [UInt8]
    private(set) var index = 0

    package init(_ bytes: [UInt8]) { self.bytes = bytes }

    package var isAtEnd: Bool { index == bytes.count }

    private static let malformed = ModelError(.badOperation, "操作记录已损坏，无法读取")

    package mutating func byte() throws(ModelError) -> UInt8 {
        guard index < bytes.count else { throw Self.malformed }
        defer { index += 1 }
        return bytes[index]
    }

    package mutating func uvarint() throws(ModelError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64, !(shift == 63 && b > 1) else { throw Self.malformed }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    package mutating func svarint() throws(ModelError) -> Int64 {
        let u = try uvarint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    package mutating func raw(_ count: Int) throws(ModelError) -> [UInt8] {
        guard count >= 0, bytes.count - index >= count else { throw Self.malformed }
        defer { index += count }
        return Array(bytes[index..<index + count])
    }

    package mutating func string() throws(ModelError) -> String {
        let count = try uvarint()
        guard count <= UInt64(bytes.count - index) else { throw Self.malformed }
        let end = index + Int(count)
        // Validated in place: no intermediate array.
        guard let text = String(validating: bytes[index..<end], as: UTF8.self) else { throw Self.malformed }
        index = end
        return text
    }

    package mutating func bigEndian16() throws(ModelError) -> UInt16 {
        guard bytes.count - index >= 2 else { throw Self.malformed }
        defer { index += 2 }
        return UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }

    package mutating func bigEndian64() throws(ModelError) -> UInt64 {
        guard bytes.count - index >= 8 else { throw Self.malformed }
        defer { index += 8 }
        return bytes[index..<index + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }
}
