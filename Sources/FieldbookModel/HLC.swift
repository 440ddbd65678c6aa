/// A hybrid logical clock reading: 48 bits of Unix milliseconds and a 16-bit logical counter, packed in one `UInt64`
/// so that readings compare as integers.
///
/// ```
///  63                              16 15            0
/// ┌──────────────────────────────────┬───────────────┐
/// │ physical: Unix milliseconds (48)  │ logical (16)  │
/// └──────────────────────────────────┴───────────────┘
/// ```
public struct HLC: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed value.
    public var rawValue: UInt64

    /// Wraps a packed value.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Packs a physical time and a logical counter.
    public init(milliseconds: UInt64, logical: UInt16) {
        self.rawValue = (milliseconds & 0xFFFF_FFFF_FFFF) << 16 | UInt64(logical)
    }

    /// The zero reading, before any event.
    public static let zero = HLC(rawValue: 0)

    /// How far ahead of a receiver's wall clock a reading may move the receiver's clock, and how far ahead of the
    /// central node's clock a pushed op may be: 10 minutes, in milliseconds (protocol/SPEC.md [W-10.8]).
    public static let aheadBound: UInt64 = 10 * 60 * 1000

    /// Unix milliseconds.
    public var milliseconds: UInt64 { rawValue >> 16 }

    /// The logical counter.
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public var description: String { "\(milliseconds).\(logical)" }

    public static func < (lhs: HLC, rhs: HLC) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The clock state of one replica: the last reading it issued or observed.
///
/// `tick` never goes backwards, even when the wall clock does: the physical part is the greater of the wall clock
/// and the last reading, and the logical part counts events within one physical value. Persisting ``last`` (the book
/// stores every op's reading) means a restart never reuses a timestamp.
///
/// A replica's own readings are **whole seconds** (protocol version 4, SPEC §4.5 [W-4.5.3]): the wall clock is read
/// to the second and the logical counter orders the events of one second. The packed layout keeps milliseconds, so
/// readings of older replicas (and a reading observed from one) stay valid; a whole-second reading costs about a
/// byte in an OPS batch's clock column where a millisecond one costs two to three (§8.7), and `history` shows minutes.
///
/// ```swift
/// var clock = HybridClock(last: .zero)
/// let a = clock.tick(now: 1_000)   // 1000.0
/// let b = clock.tick(now: 1_999)   // 1000.1: the same second
/// let c = clock.tick(now: 900)     // 1000.2: the wall clock went back, the reading did not
/// let d = clock.tick(now: 2_500)   // 2000.0
/// ```
public struct HybridClock: Sendable {
    /// The last reading issued or observed.
    public private(set) var last: HLC

    /// Resumes a clock from its last reading.
    public init(last: HLC) {
        self.last = last
    }

    /// The resolution of a replica's own readings: one second, in milliseconds.
    public static let resolution: UInt64 = 1_000

    /// Issues the reading for a new local event: the wall clock to the whole second, or the last reading's physical
    /// part with the next logical value when that is not behind.
    ///
    /// - Parameter milliseconds: The wall clock, in Unix milliseconds.
    public mutating func tick(now milliseconds: UInt64) -> HLC {
        last = Self.advance(last, now: milliseconds / Self.resolution * Self.resolution)
        return last
    }

    /// Takes a remote reading into account, so that later local readings are greater than it.
    public mutating func observe(_ remote: HLC) {
        if remote > last { last = remote }
    }

    private static func advance(_ last: HLC, now: UInt64) -> HLC {
        if now > last.milliseconds { return HLC(milliseconds: now, logical: 0) }
        if last.logical == UInt16.max {
            // The logical counter is spent (65,536 events in one second): borrow the next whole second rather than
            // wrap, so the reading stays a whole second.
            return HLC(milliseconds: (last.milliseconds / resolution + 1) * resolution, logical: 0)
        }
        return HLC(milliseconds: last.milliseconds, logical: last.logical + 1)
    }
}
