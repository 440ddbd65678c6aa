import Foundation

/// Splits a line into commands and arguments, shell-style (SHELL.md "Invocation").
///
/// Whitespace (including the ideographic space) separates arguments; single and double quotes group; a backslash
/// escapes the next character; `;` outside quotes ends a command; `#` at the start of an argument starts a comment
/// that runs to the end of the line. Chinese text needs no quotes.
///
/// ```swift
/// try Tokenizer.split("add 王芳 note='老客户; 爱喝茶'; find 王")
/// // [["add", "王芳", "note=老客户; 爱喝茶"], ["find", "王"]]
/// ```
public enum Tokenizer {
    /// Splits a line.
    ///
    /// - Returns: The commands, each a non-empty list of arguments.
    /// - Throws: ``ShellError`` (usage) for an unterminated quote or a trailing backslash.
    public static func split(_ line: String) throws(ShellError) -> [[String]] {
        var commands: [[String]] = []
        var current: [String] = []
        var token = ""
        var inToken = false
        var quote: Character?
        var escaping = false

        func endToken() {
            if inToken { current.append(token) }
            token = ""
            inToken = false
        }
        func endCommand() {
            endToken()
            if !current.isEmpty { commands.append(current) }
            current = []
        }

        // Canonically equal text is stored as the same bytes: the store, the hash and the wire compare bytes.
        for character in line.precomposedStringWithCanonicalMapping {
            if escaping {
                token.append(character)
                escaping = false
                continue
            }
            if let q = quote {
                if character == q {
                    quote = nil
                } else if character == "\\" && q == "\"" {
                    escaping = true
                } else {
                    token.append(character)
                }
                continue
            }
            switch character {
            case "\\":
                escaping = true
                inToken = true
            case "\"", "'":
                quote = character
                inToken = true
            case ";":
                endCommand()
            case "#" where !inToken:
                endCommand()
                return commands
            case " ", "\t", "\u{3000}", "\n", "\r":
                endToken()
            default:
                token.append(character)
                inToken = true
            }
        }
        if quote != nil { throw .usage("引号没有闭合：请检查 \" 或 ' 是否成对") }
        if escaping { throw .usage("行尾多了一个反斜杠 \\") }
        endCommand()
        return commands
    }
}
