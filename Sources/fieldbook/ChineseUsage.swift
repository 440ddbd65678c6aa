import FieldbookShell
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// ArgumentParser's own words in Chinese: the usage errors (`Error:`, `Missing expected argument '<…>'`,
/// `Unknown option '--x'`, `Usage:`, `See '… --help' for more information.`) and the help screens (`OVERVIEW:`,
/// `USAGE:`, the `ARGUMENTS:`/`OPTIONS:`/`SUBCOMMANDS:` headings, `-h, --help  Show help information.`,
/// `(default: 7420)`).
///
/// ArgumentParser 1.x has no localization hook, so ``FieldbookCommand/main()`` translates the text it renders,
/// line by line, with the tables below: each known English phrase becomes its Chinese one, keeping what it quotes
/// (option names, metavariables, the values typed) exactly; a line no rule knows (our own Chinese messages, a
/// phrase a later ArgumentParser adds) is kept as it is, never half-translated.
///
/// Help screens are rendered unwrapped (``unwrapped`` columns) and wrapped here by display width, since
/// ArgumentParser counts a Chinese character as one column where a terminal gives it two.
enum ChineseUsage {
    /// The width to ask ArgumentParser for: wide enough that it never wraps a line itself.
    static let unwrapped = 100_000

    /// Whether what ArgumentParser prints on success is a help screen (not a completion script, not the JSON of
    /// `--experimental-dump-help`, not a version).
    static func isHelpScreen(_ text: String) -> Bool {
        text.hasPrefix("OVERVIEW: ") || text.hasPrefix("USAGE: ")
    }

    /// A full error message or help screen of ArgumentParser, in Chinese. `width` wraps it by display width (help
    /// screens); `nil` leaves the lines as they are (errors: one line each, for scripts and logs).
    ///
    /// The rows of the `参数`/`选项`/`子命令` sections are laid out again by display width: ArgumentParser pads a
    /// label to its text column by counting characters, which misaligns a Chinese metavariable (`<工号>`).
    static func translate(_ text: String, width: Int? = nil) -> String {
        var lines: [String] = []
        var inSection = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let original = String(raw)
            if original.isEmpty {
                inSection = false
                lines.append(original)
            } else if let heading = heading(original) {
                inSection = true
                lines.append(heading)
            } else if inSection, original.hasPrefix("  "), original.dropFirst(2).first != " " {
                lines += row(original)
            } else if inSection {
                // The text of a row whose label was too long for the label column, on a line of its own.
                let indent = original.prefix { $0 == " " }
                lines.append(indent + rowText(String(original.dropFirst(indent.count))))
            } else {
                lines.append(Self.line(original))
            }
        }
        guard let width else { return lines.joined(separator: "\n") }
        return lines.flatMap { wrap($0, to: width) }.joined(separator: "\n")
    }

    /// A section heading (`OPTIONS:`) in Chinese, `nil` when the line is none; one it does not know stays as it is.
    static func heading(_ line: String) -> String? {
        guard line.hasSuffix(":"), line.first?.isUppercase == true,
            line.allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == " " || $0 == ":" || $0 == "-") })
        else { return nil }
        switch line {
        case "ARGUMENTS:": return "参数："
        case "OPTIONS:": return "选项："
        case "SUBCOMMANDS:": return "子命令："
        default:
            if line.hasSuffix(" SUBCOMMANDS:") { return line.dropLast(" SUBCOMMANDS:".count) + " 子命令：" }
            return line
        }
    }

    /// A row of a section (`  --port <端口>           监听的端口。 (default: 7420)`), with its text at the text
    /// column by display width, or below its label when the label is too wide.
    static func row(_ line: String) -> [String] {
        let characters = Array(line)
        var label = line
        var text = ""
        if characters.count > textColumn, characters[textColumn - 1] == " ", characters[textColumn] != " " {
            label = String(characters[..<textColumn])
            text = String(characters[textColumn...])
        }
        while label.last == " " { label.removeLast() }
        if label.hasSuffix(" (default)") { label = label.dropLast(" (default)".count) + "（默认）" }
        guard !text.isEmpty else { return [label] }
        text = rowText(text)
        if DisplayWidth.of(label) < textColumn - 1 {
            return [DisplayWidth.pad(label, to: textColumn) + text]
        }
        return [label, String(repeating: " ", count: textColumn) + text]
    }

    /// The text of a row in Chinese: the help flags' own abstracts, and ArgumentParser's `(default: …)`.
    static func rowText(_ text: String) -> String {
        for rule in rowRules {
            if let groups = rule.match(text) { return rule.translate(groups) }
        }
        return text
    }

    /// One line of an error message or of a help screen outside its sections in Chinese, or the line itself when
    /// no rule knows it.
    static func line(_ line: String) -> String {
        for rule in lineRules {
            if let groups = rule.match(line) { return rule.translate(groups) }
        }
        return sentence(line)
    }

    /// One of ArgumentParser's error sentences (what follows `Error: `) in Chinese, or the sentence itself.
    static func sentence(_ text: String) -> String {
        for rule in sentenceRules {
            if let groups = rule.match(text) { return rule.translate(groups) }
        }
        return text
    }

    /// A usage line: the generic placeholders in Chinese, the command, option names and metavariables unchanged.
    static func usage(_ text: String) -> String {
        text.replacingOccurrences(of: "<subcommand>", with: "<子命令>")
            .replacingOccurrences(of: "[<options>]", with: "[<选项>]")
            .replacingOccurrences(of: " <options>", with: " <选项>")
    }

    /// A pattern (matched against a whole line or sentence) and what its captured groups become.
    struct Rule: Sendable {
        let pattern: NSRegularExpression
        let translate: @Sendable ([String]) -> String

        init(_ pattern: String, _ translate: @escaping @Sendable ([String]) -> String) {
            // The patterns are literals of this file: a bad one is a programming error, caught by the tests.
            self.pattern = try! NSRegularExpression(pattern: "^" + pattern + "$", options: [.dotMatchesLineSeparators])
            self.translate = translate
        }

        /// The captured groups (group 0 excluded; an unmatched optional group is empty), or `nil`.
        func match(_ text: String) -> [String]? {
            let range = NSRange(text.startIndex..., in: text)
            guard let found = pattern.firstMatch(in: text, range: range) else { return nil }
            return (1..<max(found.numberOfRanges, 1)).map { index in
                Range(found.range(at: index), in: text).map { String(text[$0]) } ?? ""
            }
        }
    }

    /// Whole lines of an error message or a help screen.
    static let lineRules: [Rule] = [
        Rule(#"Error: (.*)"#) { "错误：" + sentence($0[0]) },
        Rule(#"Help:  (.*)"#) { "说明：" + $0[0] },
        Rule(#"Usage: (.*)"#) { "用法：" + usage($0[0]) },
        Rule(#"USAGE: (.*)"#) { "用法：" + usage($0[0]) },
        Rule(#"OVERVIEW: (.*)"#) { "简介：" + $0[0] },
        Rule(#"  See '(.+)' for more information\."#) { "  详见 '\($0[0])'。" },
        Rule(#"  See '(.+)' for detailed help\."#) { "  各子命令的详细说明见 '\(usage($0[0]))'。" },
        // The second line of a short option that is unknown or misses its value (`-xyz`).
        Rule(#"   or: (.+) in '(.+)'"#) { "   或者：\(sentence($0[0]))（在 '\($0[1])' 中）" },
    ]

    /// The text of a row of the help screen: the generated help flags, the default values.
    static let rowRules: [Rule] = [
        Rule(#"Show help information\."#) { _ in "显示帮助。" },
        Rule(#"Show subcommand help information\."#) { _ in "显示子命令的帮助。" },
        Rule(#"Show the version\."#) { _ in "显示版本。" },
        Rule(#"The subcommand to get help for\."#) { _ in "要查看帮助的子命令。" },
        Rule(#"(.*?) ?\((?:values: (.*?); )?default(?: as flag)?: (.*)\)"#) { groups in
            noting(groups[0], values: groups[1], defaultValue: groups[2])
        },
        Rule(#"(.*?) ?\(values: (.*)\)"#) { noting($0[0], values: $0[1], defaultValue: "") },
    ]

    /// A help row with ArgumentParser's `(values: …; default: …)` in Chinese: `…。默认 7420。`.
    static func noting(_ text: String, values: String, defaultValue: String) -> String {
        var parts: [String] = []
        if !values.isEmpty { parts.append("可选 \(values.replacingOccurrences(of: ", ", with: "、"))") }
        if !defaultValue.isEmpty { parts.append("默认 \(defaultValue)") }
        let note = parts.joined(separator: "，")
        if text.hasSuffix("。") { return text + note + "。" }
        return text + "（\(note)）"
    }

    /// ArgumentParser's error sentences (its `ErrorMessageGenerator`).
    static let sentenceRules: [Rule] = [
        Rule(#"Unknown option '(.+)'\. Did you mean '(.+)'\?"#) { "未知的选项 '\($0[0])'，是不是 '\($0[1])'？" },
        Rule(#"Unknown option '(.+)'"#) { "未知的选项 '\($0[0])'" },
        Rule(#"Missing value for '(.+)'"#) { "'\($0[0])' 缺少值" },
        Rule(#"Missing expected argument '(.+)'"#) { "缺少参数 '\($0[0])'" },
        Rule(#"Missing one of: '(.+)'"#) { "缺少其中之一：'\(list($0[0]))'" },
        Rule(#"Unexpected argument '(.*)'"#) { "多余的参数 '\($0[0])'" },
        Rule(#"(\d+) unexpected arguments: '(.*)'"#) { "\($0[0]) 个多余的参数：'\(list($0[1]))'" },
        Rule(#"The option '(.+)' does not take any value, but '(.*)' was specified\."#) {
            "选项 '\($0[0])' 不带值，却给了 '\($0[1])'"
        },
        Rule(#"The value '(.*)' is invalid for '([^']+)'(|: .*|\. Please provide one of .*)"#) {
            "'\($0[1])' 的值 '\($0[0])' 无效" + reason($0[2])
        },
        Rule(#"The value '(.*)' is invalid\.(|: .*|\. Please provide one of .*)"#) {
            "值 '\($0[0])' 无效" + reason($0[1])
        },
        Rule(#"Invalid option: (.+)"#) { "无效的选项：\($0[0])" },
        Rule(#"Missing required subcommand\."#) { _ in "缺少子命令" },
        Rule(#"Command '(.+)' is not a parent of the current command\."#) { "'\($0[0])' 不是当前命令的上级命令" },
        Rule(#"Value to be set with (.+) had already been set with (.+)"#) {
            "\(origin($0[0])) 要设置的值已由 \(origin($0[1])) 设置过"
        },
        Rule(#"Internal error\. Parsing command-line arguments hit unimplemented code path\."#) { _ in
            "内部错误：解析命令行时遇到未实现的情形"
        },
        Rule(#"Internal error\. Invalid state while parsing command-line arguments\."#) { _ in "内部错误：解析命令行时状态无效" },
        Rule(#"Can't autodetect a supported shell\."#) { _ in "无法识别当前的 shell" },
        Rule(#"Can't generate completion scripts for '(.+)'\."#) { "无法为 '\($0[0])' 生成补全脚本" },
        Rule(#"Please use --generate-completion-script=<shell> with one of:"#) { _ in
            "请用 --generate-completion-script=<shell>，shell 为下列之一："
        },
    ]

    /// `a', 'b` (inside quotes) as `a'、'b`.
    static func list(_ text: String) -> String { text.replacingOccurrences(of: "', '", with: "'、'") }

    /// `flag '-x'` or `position N`, as the duplicate-value message names where a value came from.
    static func origin(_ text: String) -> String {
        if text.hasPrefix("flag ") {
            return "选项 " + text.dropFirst(5).replacingOccurrences(of: "' in '", with: "'，在 '")
        }
        if text.hasPrefix("position ") { return "位置 " + text.dropFirst(9) }
        return text
    }

    /// The tail of an invalid-value message: the value type's own reason, or the values allowed.
    static func reason(_ tail: String) -> String {
        if tail.isEmpty { return "" }
        if tail.hasPrefix(": ") { return "：" + tail.dropFirst(2) }
        if tail.hasPrefix(". Please provide one of the following:") {
            return "，应为下列之一：" + tail.dropFirst(". Please provide one of the following:".count)
        }
        var values = String(tail.dropFirst(". Please provide one of ".count))
        if values.hasSuffix(".") { values.removeLast() }
        values = values.replacingOccurrences(of: "' and '", with: "' 或 '")
            .replacingOccurrences(of: "' or '", with: "' 或 '")
        return "，应为 " + list(values)
    }

    // MARK: - Wrapping by display width

    /// The terminal's width: `$COLUMNS`, else the width of the terminal on standard output, else 80 (as
    /// ArgumentParser decides it).
    static func screenWidth() -> Int {
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// The column where a help row's text starts (ArgumentParser's `labelColumnWidth`).
    static let textColumn = 26

    /// A line of a help screen cut into lines of at most `width` columns where it can be (between words, and on
    /// either side of a Chinese character except before closing or after opening punctuation). A help row's
    /// continuation starts at its text column, a usage line's after `用法：`, any other line's at its own indent.
    static func wrap(_ line: String, to width: Int) -> [String] {
        guard DisplayWidth.of(line) > width else { return [line] }
        let isUsage = line.hasPrefix("用法：")
        let indent = hangingIndent(line)
        guard width - indent >= 10 else { return [line] }
        var lines: [String] = []
        var rest = Substring(line)
        var first = true
        while true {
            let room = first ? width : width - indent
            let prefix = first ? "" : String(repeating: " ", count: indent)
            guard DisplayWidth.of(String(rest)) > room, let cut = breakIndex(in: rest, room: room, usage: isUsage)
            else {
                lines.append(prefix + rest)
                break
            }
            var head = rest[..<cut]
            while head.last == " " { head.removeLast() }
            lines.append(prefix + head)
            rest = rest[cut...].drop { $0 == " " }
            if rest.isEmpty { break }
            first = false
        }
        return lines
    }

    /// Where a continuation line starts.
    static func hangingIndent(_ line: String) -> Int {
        if line.hasPrefix("用法：") { return DisplayWidth.of("用法：") }
        let leading = line.prefix { $0 == " " }.count
        // A row: `  --label<spaces>text` with the text at the text column.
        if leading == 2 || leading == 4, let gap = line.dropFirst(leading).range(of: "  ") {
            let label = line[..<gap.lowerBound]
            let text = line[gap.upperBound...].drop { $0 == " " }
            if !text.isEmpty, DisplayWidth.of(String(line[..<text.startIndex])) == textColumn, !label.isEmpty {
                return textColumn
            }
        }
        return leading
    }

    /// Closing punctuation never starts a line; opening punctuation never ends one.
    static let noLineStart: Set<Character> = [
        "，", "。", "、", "；", "：", "？", "！", "）", "」", "』", "”", "’", "》", ")", ",", ".", ";", ":",
    ]
    static let noLineEnd: Set<Character> = ["（", "「", "『", "“", "‘", "《", "("]

    /// The last place at or before `room` columns where `text` may be broken, or `nil` when there is none.
    static func breakIndex(in text: Substring, room: Int, usage: Bool) -> String.Index? {
        var columns = 0
        var best: String.Index?
        var depth = 0
        var previous: Character?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if let previous, index != text.startIndex {
                let between =
                    usage
                    ? (character == " " && depth == 0)
                    : character == " "
                        || ((isWide(previous) || isWide(character)) && previous != " "
                            && !noLineStart.contains(character) && !noLineEnd.contains(previous))
                if between { best = index }
            }
            if usage {
                if "[<".contains(character) { depth += 1 }
                if "]>".contains(character) { depth = max(0, depth - 1) }
            }
            columns += DisplayWidth.of(String(character))
            if columns > room { break }
            previous = character
            index = text.index(after: index)
        }
        if columns <= room { return nil }
        return best
    }

    static func isWide(_ character: Character) -> Bool {
        character.unicodeScalars.first.map { DisplayWidth.of($0) == 2 } ?? false
    }
}
