import Crypto

/// Where ``StateDigest`` writes a fact's bytes: a ``ByteWriter`` (the fact as an array, for tests, the in-memory
/// replica and recomputing a whole book) or a ``FactHasher`` (straight into SHA-256, for the store's running sums).
/// The layout of each fact is written once, generic over the sink, so the two cannot disagree.
package protocol FactSink {
    /// One byte.
    mutating func byte(_ value: UInt8)
    /// A 16-byte ID from its two halves, big-endian.
    mutating func id(_ high: UInt64, _ low: UInt64)
    /// Two bytes, big-endian.
    mutating func bigEndian16(_ value: UInt16)
    /// Eight bytes, big-endian.
    mutating func bigEndian64(_ value: UInt64)
    /// LEB128.
    mutating func uvarint(_ value: UInt64)
    /// Bytes as they are.
    mutating func raw(_ data: UnsafeRawBufferPointer)
    /// A string's UTF-8 bytes, without a length.
    mutating func utf8(_ text: String)
}

extension ByteWriter: FactSink {}

/// SHA-256 of one fact's digest input (``StateDigest``: domain, scope key, fact), fed piece by piece without building
/// the fact or the prefix as arrays.
///
/// The fixed-size pieces gather in a 64-byte buffer on the stack and go to SHA-256 in one call; bytes of any length
/// (an encoded value, an element, the scope key) go straight from their own storage. The only allocation is
/// swift-crypto's hash context.
package struct FactHasher: FactSink {
    private var hasher = SHA256()
    /// Pending bytes not yet given to the hasher (8 words: 64 bytes).
    private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var count = 0
    private static let capacity = 64

    /// A hasher that has taken the prefix of every fact digest in scope `scope`:
    /// `domain | 00 | uvarint(len key) | key`.
    package init(scope: String) {
        for byte in StateDigest.domain.utf8 { self.byte(byte) }
        byte(0)
        uvarint(UInt64(scope.utf8.count))
        utf8(scope)
    }

    private mutating func room(_ needed: Int) {
        if count + needed > Self.capacity { flush() }
    }

    private mutating func flush() {
        guard count > 0 else { return }
        let used = count
        withUnsafeBytes(of: &pending) { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<used])) }
        count = 0
    }

    package mutating func byte(_ value: UInt8) {
        room(1)
        let at = count
        withUnsafeMutableBytes(of: &pending) { $0[at] = value }
        count += 1
    }

    package mutating func id(_ high: UInt64, _ low: UInt64) {
        bigEndian64(high)
        bigEndian64(low)
    }

    package mutating func bigEndian16(_ value: UInt16) {
        room(2)
        let at = count
        withUnsafeMutableBytes(of: &pending) { $0.storeBytes(of: value.bigEndian, toByteOffset: at, as: UInt16.self) }
        count += 2
    }

    package mutating func bigEndian64(_ value: UInt64) {
        room(8)
        let at = count
        withUnsafeMutableBytes(of: &pending) { $0.storeBytes(of: value.bigEndian, toByteOffset: at, as: UInt64.self) }
        count += 8
    }

    package mutating func uvarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            byte(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        byte(UInt8(v))
    }

    package mutating func raw(_ data: UnsafeRawBufferPointer) {
        if data.count <= Self.capacity - count {
            let at = count
            withUnsafeMutableBytes(of: &pending) { buffer in
                UnsafeMutableRawBufferPointer(rebasing: buffer[at..<at + data.count]).copyMemory(from: data)
            }
            count += data.count
        } else {
            flush()
            hasher.update(bufferPointer: data)
        }
    }

    package mutating func utf8(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { raw(UnsafeRawBufferPointer($0)) }
        if done == nil {
            for byte in text.utf8 { self.byte(byte) }
        }
    }

    /// The digest, read as the integer a scope's sum adds up.
    package mutating func finalize() -> StateSum {
        flush()
        return hasher.finalize().withUnsafeBytes { StateSum(littleEndian: $0) }
    }
}
