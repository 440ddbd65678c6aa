/// The 16-byte identity of a customer, family member, purchase, contact, task, complaint, movement, product or
/// work-log entry.
///
/// Two layouts are valid: an entity created by an op of protocol version 3 or later is named by that op
/// (``derived(actor:counter:)``: a UUID of version 8, hashed from the op's actor, with its counter), and older ones
/// follow the UUIDv7 layout (48-bit Unix milliseconds, version 7, variant, random; ``make(milliseconds:using:)``).
/// Nothing depends on an ID's time or order beyond determinism. The **text** form is Crockford base32 of the bytes in *reverse* order: it begins
/// with random bits, so a 4–6 character prefix tells customers apart even when they were all created on the same
/// day (docs/DECISIONS.md, "Short IDs").
///
/// ```swift
/// let id = EntityID.make(milliseconds: 1_795_000_000_000, using: &rng)
/// id.text        // 26 characters
/// id.short       // the first 6: what listings show
/// ```
public struct EntityID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian (timestamp, version and the start of the random part).
    public var high: UInt64
    /// The last 8 bytes, big-endian.
    public var low: UInt64

    /// The number of characters of ``short``, the form listings show.
    public static let shortLength = 6
    /// The fewest characters a typed prefix may have.
    public static let minimumPrefix = 4
    /// The length of ``text``.
    public static let textLength = 26

    /// Makes an ID from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Makes an ID from exactly 16 bytes, or `nil` for any other count.
    @inlinable  // specialized where it is called: generic over the collection, it is on every hot path
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let (high, low) = Bytes16.split(bytes)
        self.init(high: high, low: low)
    }

    /// A new UUIDv7-layout ID for the given time.
    public static func make<G: RandomNumberGenerator>(milliseconds: UInt64, using generator: inout G) -> EntityID {
        let randomHigh: UInt64 = generator.next()
        let randomLow: UInt64 = generator.next()
        // 48 bits of time, 4 bits of version (7), 12 random bits.
        let high = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | 0x7000 | (randomHigh & 0x0FFF)
        // 2 bits of variant (10), 62 random bits.
        let low = 0x8000_0000_0000_0000 | (randomLow & 0x3FFF_FFFF_FFFF_FFFF)
        return EntityID(high: high, low: low)
    }

    /// The 16 bytes, big-endian.
    @inlinable public var bytes: [UInt8] { Bytes16.join(high, low) }

    /// The full text form: 26 base32 characters of the reversed bytes.
    public var text: String { Base32.encode(bytes.reversed()) }

    /// The first ``shortLength`` characters of ``text``.
    public var short: String { String(text.prefix(Self.shortLength)) }

    /// Parses the full 26-character text form, or returns `nil`.
    public init?(text: some StringProtocol) {
        guard let reversed = Base32.decode(text, byteCount: 16) else { return nil }
        self.init(bytes: reversed.reversed())
    }

    /// The creation time encoded in a UUIDv7 ID, in Unix milliseconds. Only version-7 IDs carry a time: for a
    /// derived ID (version 8) this is part of a hash and means nothing.
    public var milliseconds: UInt64 { high >> 16 }

    public var description: String { text }

    public static func < (lhs: EntityID, rhs: EntityID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
