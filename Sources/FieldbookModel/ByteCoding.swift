/// A growable byte buffer with LEB128 varints, for the store's encoding of op bodies and the state digest.
///
/// This is the *storage* encoding; the wire has its own columnar format (protocol/SPEC.md).
package struct ByteWriter: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init() {}

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

    package mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        uvarint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    package mutating func bigEndian16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    package mutating func bigEndian64(_ value: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
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
        let data = try raw(Int(count))
        guard let text = String(validating: data, as: UTF8.self) else { throw Self.malformed }
        return text
    }

    package mutating func bigEndian16() throws(ModelError) -> UInt16 {
        let d = try raw(2)
        return UInt16(d[0]) << 8 | UInt16(d[1])
    }

    package mutating func bigEndian64() throws(ModelError) -> UInt64 {
        try raw(8).reduce(0) { $0 << 8 | UInt64($1) }
    }
}
