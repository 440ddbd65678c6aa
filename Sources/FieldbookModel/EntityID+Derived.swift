import Crypto

/// Entity IDs named by the op that creates them (protocol version 3; docs/DECISIONS.md, "Entities named by their
/// creating op").
///
/// A derived ID is a UUID of version 8 computed from the creating op's actor and counter:
///
/// ```
/// A     = SHA-256("fieldbook entity id v1" | actor's 16 bytes)     A_hi, A_lo = its first two big-endian u64s
/// high  = (A_hi & ~0xF000) | 0x8000                                version nibble 8; constant per actor
/// low   = 0x8000_0000_0000_0000 | (((counter · K) mod 2^62) ^ (A_lo & (2^62 − 1)))        variant 10
/// K     = 0x1E37_79B9_7F4A_7C15                                   odd: multiplying by it permutes 62-bit numbers
/// ```
///
/// Within one actor the IDs differ in `low` (the counter is below 2^62); across actors they differ in `high` (but for
/// a 60-bit hash collision). The text form starts with `low`'s low bits: the multiplication spreads consecutive
/// counters over them (a plain XOR would leave one device's customers differing in one character), and since it
/// permutes the low 30 bits too, one actor's 6-character short IDs never collide below 2^30 creates. Only `derived(op.actor, op.counter)` may create an entity whose ID is version 8
/// ([W-10.9], ``EntityID/isValidCreation(by:)``): anyone can compute another actor's next ID, and the rule keeps
/// them from taking it first.
extension EntityID {
    /// Counters of ops that create a derived entity stay below this (2^62): `low` keeps 62 bits of them.
    public static let derivedCounterLimit: UInt64 = 1 << 62

    /// The bits of `low` that carry the counter.
    @usableFromInline static let derivedCounterMask: UInt64 = 0x3FFF_FFFF_FFFF_FFFF
    /// The odd multiplier that spreads counters (the 62 low bits of the golden ratio's 2^64 fraction, made odd).
    @usableFromInline static let derivedMultiplier: UInt64 = 0x1E37_79B9_7F4A_7C15
    /// Its inverse modulo 2^64 (and so modulo 2^62): `derivedMultiplier &* derivedInverse == 1`.
    @usableFromInline static let derivedInverse: UInt64 = 0x71DE_83E1_9937_733D

    /// The ID of the entity created by op `counter` of `actor`. `counter` must be below ``derivedCounterLimit``
    /// (every counter a book or the centre accepts is); a larger one is reduced modulo 2^62.
    public static func derived(actor: ActorID, counter: UInt64) -> EntityID {
        DerivationKey(actor: actor).entity(counter: counter)
    }

    /// Whether the ID is a UUID of version 8: named by its creating op (``derived(actor:counter:)``).
    @inlinable public var isDerived: Bool { high & 0xF000 == 0x8000 }

    /// Whether an op of `op` may create an entity with this ID: any ID that is not version 8, and a version-8 ID
    /// only when it is `derived(op.actor, op.counter)` with a counter below ``derivedCounterLimit``.
    public func isValidCreation(by op: OpID) -> Bool {
        guard isDerived else { return true }
        return op.counter < Self.derivedCounterLimit && self == Self.derived(actor: op.actor, counter: op.counter)
    }

    /// What derives the IDs of one actor's entities: one SHA-256, kept so that a batch of many entities of one actor
    /// hashes once.
    public struct DerivationKey: Hashable, Sendable {
        /// The `high` half shared by every ID the actor derives.
        public let high: UInt64
        /// The second 8 bytes of the hash, XORed into the counter.
        public let mix: UInt64

        /// The key of `actor`.
        public init(actor: ActorID) {
            var hasher = SHA256()
            hasher.update(data: Array("fieldbook entity id v1".utf8))
            hasher.update(data: actor.bytes)
            let digest = Array(hasher.finalize())
            var hi: UInt64 = 0
            var lo: UInt64 = 0
            for index in 0..<8 {
                hi = hi << 8 | UInt64(digest[index])
                lo = lo << 8 | UInt64(digest[8 + index])
            }
            high = (hi & ~0xF000) | 0x8000
            mix = lo
        }

        /// The ID of the actor's op `counter` (modulo 2^62).
        @inlinable public func entity(counter: UInt64) -> EntityID {
            let spread = counter &* EntityID.derivedMultiplier
            return EntityID(high: high, low: 0x8000_0000_0000_0000 | ((spread ^ mix) & EntityID.derivedCounterMask))
        }

        /// The counter of the op that created `id`, when `id` is one of this actor's derived IDs; `nil` otherwise.
        @inlinable public func counter(of id: EntityID) -> UInt64? {
            guard id.high == high, id.low >> 62 == 0b10 else { return nil }
            return ((id.low ^ mix) &* EntityID.derivedInverse) & EntityID.derivedCounterMask
        }
    }
}
