// ErrorCode.swift: the codes an ERROR message carries (protocol/SPEC.md §11.2).

/// The code of an ERROR message: what went wrong in the session (SPEC §11.2).
///
/// A struct over its number, so a code added by a newer peer still decodes; the ERROR's `fatal` flag, not the
/// code, says whether the session goes on (SPEC `[W-11.2.2]`).
///
/// ```swift
/// let error = Message.ErrorMessage(code: .authFailed, fatal: true, message: "authentication failed")
/// ```
public struct ErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// The number on the wire.
    public var rawValue: UInt16

    /// Wraps a number.
    ///
    /// - Parameter rawValue: The code.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// `1` (fatal): a frame could not be decoded.
    public static let malformed = ErrorCode(rawValue: 1)
    /// `2` (fatal): no protocol version in common, or a HELLO with another version than the preamble's.
    public static let unsupportedVersion = ErrorCode(rawValue: 2)
    /// `3` (fatal): a message not allowed in the receiver's state.
    public static let unexpectedMessage = ErrorCode(rawValue: 3)
    /// `4` (fatal): unknown device or wrong MAC; the two are not told apart.
    public static let authFailed = ErrorCode(rawValue: 4)
    /// `5` (fatal): the device authenticated but is no longer enrolled.
    public static let deviceRevoked = ErrorCode(rawValue: 5)
    /// `6` (fatal): a frame or batch over a limit of §12.
    public static let limitExceeded = ErrorCode(rawValue: 6)
    /// `7` (recoverable): the batch holds an op outside the device's scope; the batch was not stored.
    public static let scopeViolation = ErrorCode(rawValue: 7)
    /// `8` (recoverable): the batch writes a field the principal may not write; the batch was not stored.
    public static let permissionDenied = ErrorCode(rawValue: 8)
    /// `9` (recoverable): the batch does not continue from the held counter; resend from `held + 1`.
    public static let counterGap = ErrorCode(rawValue: 9)
    /// `10` (recoverable): the device's state hash differs from DONE's; it will PULL with `resync`.
    public static let stateMismatch = ErrorCode(rawValue: 10)
    /// `11` (fatal): the server is overloaded or shutting down; retry later.
    public static let busy = ErrorCode(rawValue: 11)
    /// `12` (fatal): a peer waited too long for a message.
    public static let timeout = ErrorCode(rawValue: 12)
    /// `13` (fatal): a failure inside the peer, not caused by the other side.
    public static let `internal` = ErrorCode(rawValue: 13)
    /// `14` (fatal): the device proved its enrolment token, but the token was already used by another book: a
    /// token enrols one book, once.
    public static let tokenUsed = ErrorCode(rawValue: 14)

    /// `15` (recoverable, version 2): the server admits sessions to its store first come, first served, and this
    /// one waits for its turn; the message gives its place. The server keeps the connection alive with PING until
    /// the session's request is served (SPEC [W-12.8]).
    public static let queued = ErrorCode(rawValue: 15)
    /// Every code the protocol defines.
    public static let known: [ErrorCode] = [
        .malformed, .unsupportedVersion, .unexpectedMessage, .authFailed, .deviceRevoked, .limitExceeded,
        .scopeViolation, .permissionDenied, .counterGap, .stateMismatch, .busy, .timeout, .internal, .tokenUsed, .queued,
    ]

    /// Whether a sender sets the `fatal` flag with this code (SPEC §11.2).
    public var isFatal: Bool {
        switch self {
        case .scopeViolation, .permissionDenied, .counterGap, .stateMismatch, .queued: return false
        default: return true
        }
    }

    /// The name the spec uses (`authFailed`), or `code<n>`.
    public var description: String {
        switch self {
        case .malformed: return "malformed"
        case .unsupportedVersion: return "unsupportedVersion"
        case .unexpectedMessage: return "unexpectedMessage"
        case .authFailed: return "authFailed"
        case .deviceRevoked: return "deviceRevoked"
        case .limitExceeded: return "limitExceeded"
        case .scopeViolation: return "scopeViolation"
        case .permissionDenied: return "permissionDenied"
        case .counterGap: return "counterGap"
        case .stateMismatch: return "stateMismatch"
        case .busy: return "busy"
        case .timeout: return "timeout"
        case .internal: return "internal"
        case .tokenUsed: return "tokenUsed"
        case .queued: return "queued"
        default: return "code\(rawValue)"
        }
    }
}
