/// The identity of one replica: a device or the central node, 16 random bytes made at `init`.
///
/// Actors are ordered by their bytes; that order breaks ties between concurrent values that carry the
/// same hybrid logical clock reading.
///
/// ```swift
/// let actor = ActorID.random()
/// print(actor)            // 32 lowercase hex digits
/// ```
public struct ActorID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    public var high: UInt64
    /// The last 8 bytes, big-endian.
    public var low: UInt64

    /// Makes an actor from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Makes an actor from exactly 16 bytes, or `nil` for any other count.
    @inlinable  // specialized where it is called: generic over the collection, it is on every hot path
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        let (high, low) = Bytes16.split(bytes)
        self.init(high: high, low: low)
    }

    /// A new random actor.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> ActorID {
        ActorID(high: generator.next(), low: generator.next())
    }

    /// A new random actor from the system generator.
    public static func random() -> ActorID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    /// The 16 bytes, big-endian.
    @inlinable public var bytes: [UInt8] { Bytes16.join(high, low) }

    /// Parses 32 hex digits, or returns `nil`.
    public init?(hex: some StringProtocol) {
        guard let bytes = Bytes16.fromHex(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// 32 lowercase hex digits.
    public var hex: String { Bytes16.hex(bytes) }

    /// The first 8 hex digits: enough to tell a person which device wrote something.
    public var short: String { String(hex.prefix(8)) }

    public var description: String { hex }

    public static func < (lhs: ActorID, rhs: ActorID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// Helpers for 16-byte identifiers held as two big-endian `UInt64` halves.
@usableFromInline package enum Bytes16 {
    @inlinable package static func split(_ bytes: some Collection<UInt8>) -> (UInt64, UInt64) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { high = (high << 8) | UInt64(byte) } else { low = (low << 8) | UInt64(byte) }
        }
        return (high, low)
    }

    @inlinable package static func join(_ high: UInt64, _ low: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * index))
        }
        return bytes
    }

    package static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        var output = ""
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 15)])
        }
        return output
    }

    package static func fromHex(_ text: some StringProtocol) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count == 32 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: return c - 48
            case 97...102: return c - 87
            case 65...70: return c - 55
            default: return nil
            }
        }
        var index = 0
        while index < 32 {
            guard let hi = nibble(characters[index]), let lo = nibble(characters[index + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            index += 2
        }
        return bytes
    }
}
