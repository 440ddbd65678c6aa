// MessageType.swift: the first byte of every frame payload (protocol/SPEC.md §7).

/// The type byte of a frame: which message its payload holds (SPEC §7).
///
/// A struct over its byte rather than an enum, so that a type from a newer version still decodes: a receiver skips
/// a type it does not know by its frame length and keeps it as ``Message/unknown(type:payload:)`` (SPEC `[W-13.1]`).
///
/// ```
/// ┌────────┬────────────────────────┐
/// │ type u8│ payload …              │   [W-6.1]
/// └────────┴────────────────────────┘
/// ```
public struct MessageType: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The byte on the wire.
    public var rawValue: UInt8

    /// Wraps a byte.
    ///
    /// - Parameter rawValue: The type byte.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `0x01` HELLO, device → server (SPEC §8.1).
    public static let hello = MessageType(rawValue: 0x01)
    /// `0x02` CHALLENGE, server → device (SPEC §8.2).
    public static let challenge = MessageType(rawValue: 0x02)
    /// `0x03` AUTH, device → server (SPEC §8.3).
    public static let auth = MessageType(rawValue: 0x03)
    /// `0x04` WELCOME, server → device (SPEC §8.4).
    public static let welcome = MessageType(rawValue: 0x04)
    /// `0x10` OPS, either direction (SPEC §8.5).
    public static let ops = MessageType(rawValue: 0x10)
    /// `0x11` ACK, server → device (SPEC §8.8).
    public static let ack = MessageType(rawValue: 0x11)
    /// `0x20` PULL, device → server (SPEC §8.9).
    public static let pull = MessageType(rawValue: 0x20)
    /// `0x21` PURGE, server → device (SPEC §8.10).
    public static let purge = MessageType(rawValue: 0x21)
    /// `0x22` DONE, server → device (SPEC §8.11).
    public static let done = MessageType(rawValue: 0x22)
    /// `0x30` PING, either direction (SPEC §8.13).
    public static let ping = MessageType(rawValue: 0x30)
    /// `0x31` PONG, either direction (SPEC §8.13).
    public static let pong = MessageType(rawValue: 0x31)
    /// `0x7F` ERROR, either direction (SPEC §8.12).
    public static let error = MessageType(rawValue: 0x7F)

    /// Every type version 1 defines.
    public static let known: [MessageType] = [
        .hello, .challenge, .auth, .welcome, .ops, .ack, .pull, .purge, .done, .ping, .pong, .error,
    ]

    /// The name the spec uses (`HELLO`), or `TYPE_0x55` for a type this version does not define.
    public var name: String {
        switch self {
        case .hello: return "HELLO"
        case .challenge: return "CHALLENGE"
        case .auth: return "AUTH"
        case .welcome: return "WELCOME"
        case .ops: return "OPS"
        case .ack: return "ACK"
        case .pull: return "PULL"
        case .purge: return "PURGE"
        case .done: return "DONE"
        case .ping: return "PING"
        case .pong: return "PONG"
        case .error: return "ERROR"
        default: return "TYPE_0x" + Hex.byte(rawValue)
        }
    }

    /// The name.
    public var description: String { self.name }

    /// Orders by byte.
    public static func < (lhs: MessageType, rhs: MessageType) -> Bool { lhs.rawValue < rhs.rawValue }
}
