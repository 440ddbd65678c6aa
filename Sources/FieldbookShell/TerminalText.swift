/// Text made safe to write to a terminal: the last step of every line the shell prints (issue 15).
///
/// A value the shell shows may have come from anywhere: an old book, a peer's op, a CSV file, the centre. Shown raw, an
/// ESC or an 8-bit CSI (U+009B) would run as a terminal command, a CR would let the rest of a line overwrite its start,
/// and a right-to-left override (U+202E) would make `王芳 13800138000` read backwards. So the output layer, not each
/// command, escapes every such character, and no render path can forget it: ``Session`` wraps the output it is given
/// with ``guarding(_:)``, so `say`, JSON, sync progress and error lines all pass through here exactly once.
///
/// What is escaped, always in one form, the escapes of a Swift string literal:
///
/// | character | shown as |
/// |---|---|
/// | tab, carriage return, line feed (where it is not a line break) | `\t`, `\r`, `\n` |
/// | other C0 controls, DEL, C1 controls (U+0080–U+009F) | `\u{1B}`, `\u{0}`, `\u{7F}`, `\u{9B}` |
/// | bidirectional controls: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 | `\u{202E}` |
/// | line and paragraph separators U+2028, U+2029 | `\u{2028}` |
/// | noncharacters U+FDD0–U+FDEF that are not style marks | `\u{FDEF}` |
///
/// Hex digits are upper case, without leading zeros. A backslash is shown as it is: the escapes are there so that
/// nothing invisible or terminal-controlling reaches the screen, not to make output reversible (a value typed as
/// `\u{1B}` reads the same as an escaped ESC, and is just as harmless).
///
/// **Line breaks.** Text passed to ``Session/say(_:)`` may hold line breaks on purpose (a multi-line note on a card,
/// indented by `Render.indented`; a rendered JSON document): a line feed stays a line break, and each line between
/// them is escaped on its own. Only free-text fields (`note`, `text`, `resolution`) may hold a line feed at all
/// (``FieldbookModel/Operation/textProblem(_:_:)``), and renderers mostly show them indented (`Render.indented`) or
/// as `↵` (`Render.oneLine`). The one gap: a book written before that rule may hold a line feed in a name, which then
/// shows as a line break (still with nothing raw in it). An error is one line (SHELL.md): there a line feed is escaped
/// as `\n` too.
///
/// **Styles.** ``Style`` does not write escape sequences itself, since this layer escapes every ESC. It marks styled
/// text with Unicode noncharacters (``Mark``), which no value may hold (the value rules refuse U+FDD0–U+FDEF); here
/// each mark becomes its SGR sequence when the output is styled, and is dropped when it is not.
///
/// ```swift
/// TerminalText.line("王\u{202E}芳\r", styled: false)            // "王\\u{202E}芳\\r"
/// TerminalText.text("备注\n  第二行", styled: false)             // unchanged: the line feed is a line break
/// TerminalText.line(Style(enabled: true).bold("王芳"), styled: true) // "\u{1B}[1m王芳\u{1B}[0m"
/// ```
public enum TerminalText {
    /// A style mark: a noncharacter that ``Style`` puts around emphasised text, and the SGR parameter it stands for.
    public enum Mark: UInt32, CaseIterable, Sendable {
        /// Bold (SGR 1).
        case bold = 0xFDD0
        /// Dim (SGR 2).
        case dim = 0xFDD1
        /// Red (SGR 31).
        case red = 0xFDD2
        /// Yellow (SGR 33).
        case yellow = 0xFDD3
        /// Green (SGR 32).
        case green = 0xFDD4
        /// Back to plain (SGR 0).
        case reset = 0xFDD5

        /// The noncharacter written into text.
        public var scalar: Unicode.Scalar { Unicode.Scalar(rawValue)! }

        /// The escape sequence the mark becomes on a styled terminal.
        public var sequence: String {
            switch self {
            case .bold: "\u{1B}[1m"
            case .dim: "\u{1B}[2m"
            case .red: "\u{1B}[31m"
            case .yellow: "\u{1B}[33m"
            case .green: "\u{1B}[32m"
            case .reset: "\u{1B}[0m"
            }
        }
    }

    /// Whether a scalar is never written raw: C0 controls (line feed included; ``text(_:styled:)`` keeps it as a line
    /// break before asking), DEL, C1 controls, bidirectional controls, the line and paragraph separators, and the
    /// noncharacters U+FDD0–U+FDEF (the style marks are handled before this is asked).
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        case 0x2028, 0x2029: true
        case 0xFDD0...0xFDEF: true
        default: false
        }
    }

    /// How an escaped scalar is shown: `\t`, `\r`, `\n`, else `\u{…}` in upper-case hex.
    public static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\t": "\\t"
        case "\r": "\\r"
        case "\n": "\\n"
        default: "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }

    /// One line for the terminal: every character of ``needsEscape(_:)`` escaped (line feeds too), style marks
    /// turned into SGR sequences when `styled`, dropped when not.
    public static func line(_ text: some StringProtocol, styled: Bool) -> String {
        var output = ""
        for scalar in text.unicodeScalars { append(scalar, styled: styled, to: &output) }
        return output
    }

    /// Text that may span lines: each line between line feeds made safe as ``line(_:styled:)`` does, the line feeds
    /// kept as line breaks. In a CR LF the CR shows as `\r` and the line feed stays a line break.
    public static func text(_ text: String, styled: Bool) -> String {
        // The common case, plain text, costs one scan and no copy.
        if !text.unicodeScalars.contains(where: { $0 != "\n" && (needsEscape($0) || Mark(rawValue: $0.value) != nil) }) {
            return text
        }
        var output = ""
        for scalar in text.unicodeScalars {
            if scalar == "\n" { output.unicodeScalars.append(scalar) } else { append(scalar, styled: styled, to: &output) }
        }
        return output
    }

    private static func append(_ scalar: Unicode.Scalar, styled: Bool, to output: inout String) {
        if let mark = Mark(rawValue: scalar.value) {
            if styled { output += mark.sequence }
        } else if needsEscape(scalar) {
            output += escape(scalar)
        } else {
            output.unicodeScalars.append(scalar)
        }
    }

    /// An output whose every line goes through this type: standard output with ``text(_:styled:)`` (line breaks kept),
    /// standard error with ``line(_:styled:)`` (one line). `styled` is kept.
    ///
    /// Wrap the raw streams once (``Session`` does): escaping twice would show a styled output's SGR sequences.
    public static func guarding(_ output: ShellOutput) -> ShellOutput {
        let styled = output.styled
        let line = output.line
        let error = output.error
        return ShellOutput(
            line: { line(text($0, styled: styled)) },
            error: { error(Self.line($0, styled: styled)) },
            styled: styled)
    }
}
