// SessionPhase.swift: who may send which message in which phase of a session (protocol/SPEC.md §9.2).

/// The phases of a session and the messages each side may send in them: the table of SPEC §9.2, in code, for the
/// sync state machines to check against (SPEC `[W-9.5]`).
///
/// ```swift
/// SessionPhase.open.allows(.pull, from: .device)     // true
/// SessionPhase.open.allows(.done, from: .server)     // false: DONE only ends a pull
/// ```
public enum SessionPhase: Hashable, Sendable, CaseIterable {
    /// After the preambles, before HELLO.
    case hello
    /// After HELLO, before CHALLENGE.
    case challenge
    /// After CHALLENGE, before AUTH.
    case auth
    /// After AUTH, before WELCOME.
    case welcome
    /// After WELCOME, with no PULL outstanding.
    case open
    /// After a PULL, until its DONE.
    case pulling

    /// The side that sends a message.
    public enum Sender: Hashable, Sendable {
        /// The device (the client).
        case device
        /// The central node.
        case server
    }

    /// Whether `sender` may send a message of `type` in this phase.
    ///
    /// A receiver answers a message that is not allowed with a fatal ERROR `unexpectedMessage` (SPEC `[W-9.5]`).
    /// ERROR is allowed everywhere; types this version does not know are allowed from `open` on and skipped
    /// (SPEC `[W-13.1]`).
    ///
    /// - Parameters:
    ///   - type: The message type.
    ///   - sender: Who sends it.
    /// - Returns: Whether the table of §9.2 allows it.
    public func allows(_ type: MessageType, from sender: Sender) -> Bool {
        if type == .error { return true }
        if !MessageType.known.contains(type) { return self == .open || self == .pulling }
        switch (self, sender) {
        case (.hello, .device): return type == .hello
        case (.challenge, .server): return type == .challenge
        case (.auth, .device): return type == .auth
        case (.welcome, .server): return type == .welcome
        case (.open, .device): return [.ops, .pull, .ping, .pong].contains(type)
        case (.open, .server): return [.ack, .ping, .pong].contains(type)
        case (.pulling, .device): return [.ops, .ping, .pong].contains(type)
        case (.pulling, .server): return [.ack, .purge, .ops, .done, .ping, .pong].contains(type)
        default: return false
        }
    }
}
