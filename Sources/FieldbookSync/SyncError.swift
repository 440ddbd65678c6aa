import FieldbookWire

/// Why a sync session failed, as the device user or the server log sees it.
///
/// Messages are one line and never contain customer data.
public struct SyncError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case protocolViolation, authFailed, revoked, rejected, remote, local, unreachable, timeout, clockAhead
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The peer sent something the protocol does not allow here.
        public static let protocolViolation = Code(.protocolViolation)
        /// The device is unknown, its secret is wrong, or the server's proof is wrong.
        public static let authFailed = Code(.authFailed)
        /// The device's enrolment was revoked.
        public static let revoked = Code(.revoked)
        /// The peer refused part of what was sent (scope, permission) but the session went on.
        public static let rejected = Code(.rejected)
        /// The peer ended the session with an ERROR.
        public static let remote = Code(.remote)
        /// The local replica failed (disk full, damaged book).
        public static let local = Code(.local)
        /// The central node could not be reached.
        public static let unreachable = Code(.unreachable)
        /// The peer went silent.
        public static let timeout = Code(.timeout)
        /// The device's clock is too far ahead of the central node's (SPEC [W-10.8]); nothing was pushed.
        public static let clockAhead = Code(.clockAhead)

        public var description: String { base.rawValue }
    }

    /// What kind of failure.
    public var code: Code
    /// One line, free of customer data.
    public var message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
