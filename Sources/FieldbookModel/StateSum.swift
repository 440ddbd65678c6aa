/// A 256-bit unsigned integer taken modulo 2^256: the running sum of fact digests that a scope's state hash is
/// (``StateDigest``, SPEC §9.10).
///
/// Its bytes are the integer little-endian, so a SHA-256 output read as a sum and written back is unchanged.
/// Adding is commutative and every digest can be subtracted again, so a replica keeps a scope's sum up to date as
/// facts appear and disappear, in any order, without ever reading the scope's other facts:
///
/// ```swift
/// var sum = StateSum.zero
/// sum += StateDigest.digest(scope: "c:…", fact: fact)   // the fact appears
/// sum -= StateDigest.digest(scope: "c:…", fact: fact)   // and disappears: back to zero
/// ```
public struct StateSum: Hashable, Sendable, CustomStringConvertible {
    /// The four 64-bit limbs, least significant first.
    private var limbs: (UInt64, UInt64, UInt64, UInt64)

    /// The sum of no digests.
    public static let zero = StateSum(limbs: (0, 0, 0, 0))

    private init(limbs: (UInt64, UInt64, UInt64, UInt64)) { self.limbs = limbs }

    /// The integer whose little-endian bytes these are; `nil` unless there are exactly 32.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        // The bytes copied into four words on the stack, each then read as little-endian (any host alike).
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        limbs = (UInt64(littleEndian: words.0), UInt64(littleEndian: words.1), UInt64(littleEndian: words.2),
                 UInt64(littleEndian: words.3))
    }

    /// The integer whose 32 little-endian bytes `raw` holds (a SHA-256 output, read without copying).
    package init(littleEndian raw: UnsafeRawBufferPointer) {
        precondition(raw.count == 32, "a state sum is 32 bytes")
        func word(_ index: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)) }
        limbs = (word(0), word(1), word(2), word(3))
    }

    /// The 32 little-endian bytes.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Calls `body` with the 32 little-endian bytes, from the stack (binding a sum allocates nothing).
    package func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let words = (limbs.0.littleEndian, limbs.1.littleEndian, limbs.2.littleEndian, limbs.3.littleEndian)
        return try Swift.withUnsafeBytes(of: words, body)
    }

    /// Whether this is the sum of no digests (or, with negligible chance, of digests that cancel).
    public var isZero: Bool { self == .zero }

    /// Lowercase hex of the bytes.
    public var description: String { Bytes16.hex(bytes) }

    /// `a + b` mod 2^256.
    public static func + (a: StateSum, b: StateSum) -> StateSum {
        var carry = false
        func add(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let (partial, overflow1) = x.addingReportingOverflow(y)
            let (total, overflow2) = partial.addingReportingOverflow(carry ? 1 : 0)
            carry = overflow1 || overflow2
            return total
        }
        let l0 = add(a.limbs.0, b.limbs.0)
        let l1 = add(a.limbs.1, b.limbs.1)
        let l2 = add(a.limbs.2, b.limbs.2)
        let l3 = add(a.limbs.3, b.limbs.3)
        return StateSum(limbs: (l0, l1, l2, l3))
    }

    /// `a − b` mod 2^256.
    public static func - (a: StateSum, b: StateSum) -> StateSum {
        var borrow = false
        func subtract(_ x: UInt64, _ y: UInt64) -> UInt64 {
            let (partial, overflow1) = x.subtractingReportingOverflow(y)
            let (total, overflow2) = partial.subtractingReportingOverflow(borrow ? 1 : 0)
            borrow = overflow1 || overflow2
            return total
        }
        let l0 = subtract(a.limbs.0, b.limbs.0)
        let l1 = subtract(a.limbs.1, b.limbs.1)
        let l2 = subtract(a.limbs.2, b.limbs.2)
        let l3 = subtract(a.limbs.3, b.limbs.3)
        return StateSum(limbs: (l0, l1, l2, l3))
    }

    /// Adds `b` in place.
    public static func += (a: inout StateSum, b: StateSum) { a = a + b }

    /// Subtracts `b` in place.
    public static func -= (a: inout StateSum, b: StateSum) { a = a - b }

    public static func == (a: StateSum, b: StateSum) -> Bool {
        a.limbs.0 == b.limbs.0 && a.limbs.1 == b.limbs.1 && a.limbs.2 == b.limbs.2 && a.limbs.3 == b.limbs.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(limbs.0)
        hasher.combine(limbs.1)
        hasher.combine(limbs.2)
        hasher.combine(limbs.3)
    }
}
