/// Emphasis for terminal output, applied only when the output is ``ShellOutput/styled``.
///
/// A style does not write escape sequences: it marks the text with noncharacters (``TerminalText/Mark``), and the
/// output layer, which escapes every control character a value could carry, ESC included, turns the marks into SGR
/// sequences on a styled terminal (``TerminalText``). So a value can never bring its own escape sequence, and no
/// style can be forged by a value (the value rules refuse U+FDD0–U+FDEF).
///
/// Styles wrap whole, already aligned text: the marks take no columns on screen but would count in
/// ``DisplayWidth``, so they are added after padding.
///
/// ```swift
/// session.say(session.style.bold("王芳  [czp8ws]"))
/// ```
public struct Style: Sendable {
    /// Whether marks are written at all.
    public var enabled: Bool

    /// Makes a style.
    public init(enabled: Bool) { self.enabled = enabled }

    /// Whether colours are wanted on a terminal: `NO_COLOR` (https://no-color.org), when set to anything, turns
    /// them off; `TERM=dumb` too.
    public static func wanted(isTerminal: Bool, environment: [String: String]) -> Bool {
        isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// Bold.
    public func bold(_ text: String) -> String { wrap(text, .bold) }
    /// Dim, for secondary text.
    public func dim(_ text: String) -> String { wrap(text, .dim) }
    /// Red, for what is overdue or wrong.
    public func red(_ text: String) -> String { wrap(text, .red) }
    /// Yellow, for conflicts and warnings.
    public func yellow(_ text: String) -> String { wrap(text, .yellow) }
    /// Green, for what was done.
    public func green(_ text: String) -> String { wrap(text, .green) }

    private func wrap(_ text: String, _ mark: TerminalText.Mark) -> String {
        guard enabled, !text.isEmpty else { return text }
        var marked = String(Character(mark.scalar))
        marked += text
        marked.unicodeScalars.append(TerminalText.Mark.reset.scalar)
        return marked
    }
}
