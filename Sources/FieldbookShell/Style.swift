/// ANSI emphasis for terminal output, applied only when the output is ``ShellOutput/styled``.
///
/// Styles wrap whole, already aligned text: escape sequences take no columns on screen but would count in
/// ``DisplayWidth``, so they are added after padding.
///
/// ```swift
/// session.say(session.style.bold("王芳  [czp8ws]"))
/// ```
public struct Style: Sendable {
    /// Whether escape sequences are written at all.
    public var enabled: Bool

    /// Makes a style.
    public init(enabled: Bool) { self.enabled = enabled }

    /// Whether colours are wanted on a terminal: `NO_COLOR` (https://no-color.org), when set to anything, turns
    /// them off; `TERM=dumb` too.
    public static func wanted(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// Bold.
    public func bold(_ text: String) -> String { wrap(text, "1") }
    /// Dim, for secondary text.
    public func dim(_ text: String) -> String { wrap(text, "2") }
    /// Red, for what is overdue or wrong.
    public func red(_ text: String) -> String { wrap(text, "31") }
    /// Yellow, for conflicts and warnings.
    public func yellow(_ text: String) -> String { wrap(text, "33") }
    /// Green, for what was done.
    public func green(_ text: String) -> String { wrap(text, "32") }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
