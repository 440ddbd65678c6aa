import FieldbookModel
import Foundation
import Testing

/// The shell speaks Chinese (issue 19): every transcript's output, but JSON documents and files printed by `@cat`, is
/// scanned for ASCII words of three or more letters, and each must be allowed here, so that English cannot creep back
/// into messages, cards, conflicts, history lines or `check` lines.
///
/// A word is allowed when it is
/// - part of an ID or code: its run of letters and digits holds a digit (`czp8ws`, `M001`, `GF300`, `2468acf1`);
/// - a short ID without digits: six base32 characters inside `[…]` or first on a line (`[gxnxgw]`, `gxnxgw  11-12`);
/// - in a path: a blank-separated token that holds `/` or starts with `$` (`$TMP/客户.csv`);
/// - an option the user types, right after `--`, and listed in ``options``;
/// - a key the user types, right before `=` (or a comparison), or quoted as a suggestion (`是否要输入 "tier"`), and a
///   field key of the schema or listed in ``keys``;
/// - a word the transcript itself typed (a name, a tag, a wrong command), but not a field key or an English code of a
///   choice (`home`, `call`, `closed`): those have Chinese names the shell must use;
/// - listed in ``words`` (command names and the few product and format names the shell keeps).
@Suite("Chinese-only output")
struct TranscriptLanguageTests {
    /// Words allowed anywhere in output, each with why.
    static let words: [String: String] = [
        // Commands and their sub-words: hints name what to type (`用 find 查找`, `today 里提醒`).
        "add": "command", "show": "command", "set": "command (also `family set`)", "find": "command",
        "tag": "command", "family": "command", "contact": "command", "task": "command", "tasks": "command",
        "done": "command", "complaint": "command", "complaints": "command", "product": "command",
        "products": "command", "price": "command", "buy": "command", "movement": "command", "today": "command",
        "journal": "command", "plan": "command", "settings": "command", "conflicts": "command",
        "resolve": "command", "history": "command", "export": "command", "import": "command", "sync": "command",
        "status": "command", "check": "command", "help": "command", "quit": "command", "archive": "command",
        "unarchive": "command", "undo": "command",
        "close": "sub-command: complaint close", "remove": "sub-command: family remove",
        "movements": "sub-command: import movements", "csv": "sub-command and file type: export csv, import csv",
        "fieldbook": "the program, in `fieldbook init …`, `fieldbook admin`", "init": "fieldbook init",
        "admin": "fieldbook admin",
        // Settings keys the user types (`settings calls=25`); the settings table lists them.
        "cadence": "settings key cadence.层级", "calls": "settings key", "move": "settings key", "lease": "settings key",
        "overlap": "settings key (two channels, issue 18)",
        // Names of formats and programs, written as their makers write them.
        "CSV": "file format", "JSON": "output format of --json (help CMD explains the option)", "UTF": "encoding UTF-8", "GBK": "encoding", "gbk": "encoding as typed after --encoding",
        "Excel": "spreadsheet program", "WPS": "spreadsheet program", "SQLite": "database engine of the book",
        "TLS": "the secure connection to the central node",
        "memory": "the path `:memory:` of a book kept in memory (status)",
        "wangfang": "a pinyin query in find's help (find wf, find wangfang)",
    ]

    /// Options allowed right after `--`, each with why.
    static let options: [String: String] = [
        "all": "--all", "limit": "--limit N", "json": "--json", "force": "export --force",
        "encoding": "export --encoding gbk", "reveal": "show/history --reveal", "with-id-numbers": "export csv",
        "dry-run": "import --dry-run", "allow-duplicates": "import csv", "confirm": "buy/@ --confirm",
        "server": "sync --server", "principal": "fieldbook init --principal", "token": "fieldbook init --token",
        "bogus": "03-errors types an unknown option", "archived": "find --archived", "sort": "find --sort",
    ]

    /// Argument keys (`key=`) that are not fields of the schema, each with why.
    static let keys: [String: String] = [
        "at": "task at=HH:MM", "where": "task where=", "tag": "find tag=", "expected": "buy expected=%",
        "last_contact": "find last_contact>30d", "holdings": "find holdings>50万", "age": "find age>=60",
        "matures": "find matures<30d",
    ]

    /// English codes with Chinese names: field keys and the ASCII spellings of choices (`home`, `closed`, `gold`).
    static var coded: Set<String> {
        var set = Set(Schema.fields.map(\.name))
        for field in Schema.fields {
            for choice in field.choices {
                for spelling in [choice.canonical] + choice.aliases where spelling.allSatisfy(\.isASCII) {
                    set.insert(spelling.lowercased())
                }
            }
        }
        return set
    }

    /// The words of one line that nothing allows.
    static func strays(in line: String, typed: Set<String>) -> [String] {
        let characters = Array(line)
        func isWordCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c == "_" || c == "-") }
        func isAlphanumeric(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        let base32 = Set("0123456789abcdefghjkmnpqrstvwxyz")
        // Blank-separated tokens holding `/` or starting with `$` are paths.
        var inPath = [Bool](repeating: false, count: characters.count)
        var start = 0
        while start < characters.count {
            var end = start
            while end < characters.count, characters[end] != " " { end += 1 }
            let token = characters[start..<end]
            if token.contains("/") || token.first == "$" { for i in start..<end { inPath[i] = true } }
            start = end + 1
        }
        var strays: [String] = []
        var index = 0
        while index < characters.count {
            guard characters[index].isASCII, characters[index].isLetter else {
                index += 1
                continue
            }
            var end = index
            while end < characters.count, isWordCharacter(characters[end]) { end += 1 }
            while end > index + 1, characters[end - 1] == "-" { end -= 1 }
            let word = String(characters[index..<end])
            defer { index = end }
            guard word.filter(\.isLetter).count >= 3, !inPath[index] else { continue }
            // The run of letters and digits around the word: an ID or a code when it holds a digit.
            var runStart = index
            while runStart > 0, isAlphanumeric(characters[runStart - 1]) { runStart -= 1 }
            var runEnd = end
            while runEnd < characters.count, isAlphanumeric(characters[runEnd]) { runEnd += 1 }
            let run = characters[runStart..<runEnd]
            if run.contains(where: \.isNumber) { continue }
            let before = runStart > 0 ? characters[runStart - 1] : " "
            let after = runEnd < characters.count ? characters[runEnd] : " "
            let leading = characters[..<runStart].allSatisfy { $0 == " " }
            if run.count == 6, run.allSatisfy(base32.contains), (before == "[" && after == "]") || leading { continue }
            if index >= 2, characters[index - 2] == "-", characters[index - 1] == "-" {
                if options[word] != nil { continue }
                strays.append("--" + word)
                continue
            }
            let isKey = "=<>!".contains(after) || (before == "\"" && after == "\"")
            if isKey, coded.contains(word) || keys[word] != nil || words[word] != nil { continue }
            if words[word] != nil { continue }
            if typed.contains(word), !coded.contains(word.lowercased()) { continue }
            strays.append(word)
        }
        return strays
    }

    /// The ASCII words of the commands a transcript types (and of the files it writes).
    static func typedWords(_ lines: [String]) -> Set<String> {
        var words = Set<String>()
        for line in lines where line.hasPrefix("$ ") || line.hasPrefix("> ") {
            var word = ""
            for c in line + " " {
                if c.isASCII, c.isLetter || c == "_" || c == "-" {
                    word.append(c)
                } else {
                    if !word.isEmpty { words.insert(word.trimmingCharacters(in: CharacterSet(charactersIn: "-"))) }
                    word = ""
                }
            }
        }
        return words
    }

    @Test(arguments: TranscriptTests.names)
    func outputIsChinese(name: String) throws {
        let text = try String(contentsOf: TranscriptTests.folder.appendingPathComponent(name), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let typed = Self.typedWords(lines)
        var skipping = false
        var found: [String] = []
        for (number, line) in lines.enumerated() {
            if line.hasPrefix("$ ") {
                // JSON documents (`--json`) and files printed by `@cat` are not the shell's words.
                skipping = line.contains("--json") || line.hasPrefix("$ @cat ")
                continue
            }
            if line.hasPrefix("#") || line.hasPrefix(">") || line.hasPrefix("? ") || line.isEmpty { continue }
            let isError = line.hasPrefix("! ")
            if skipping, !isError { continue }
            for word in Self.strays(in: isError ? String(line.dropFirst(2)) : line, typed: typed) {
                found.append("line \(number + 1): \(word)  ← \(line)")
            }
        }
        #expect(found.isEmpty, "English in \(name)'s output:\n\(found.joined(separator: "\n"))")
    }

    @Test("the scanner finds what issue 19 named")
    func scannerFindsEnglish() {
        let typed: Set<String> = ["home", "phone", "VIP"]
        #expect(Self.strays(in: "已记录联系：王芳 [3hk3sx] call", typed: typed) == ["call"])
        #expect(Self.strays(in: "已更新 王芳 [3hk3sx]：phone address", typed: typed) == ["phone", "address"])
        #expect(Self.strays(in: "  ⚠ 有 1 个字段冲突（phone）：用 resolve 3hk3sx 字段=值 解决", typed: typed) == ["phone"])
        #expect(Self.strays(in: "2026-11-23 09:00  M001  设备 12345678  tags +VIP", typed: typed) == ["tags"])
        #expect(Self.strays(in: "新建联系 channel=home", typed: typed) == ["home"])
        #expect(Self.strays(in: "检查  op scopes and bodies", typed: typed) == ["scopes", "and", "bodies"])
        #expect(Self.strays(in: "channel 只能是：call visit home", typed: typed) == ["channel", "call", "visit", "home"])
        #expect(Self.strays(in: "用法：find [文字] [tier=层级] [--limit N]；已导出到 $TMP/客户.csv", typed: typed).isEmpty)
        #expect(Self.strays(in: "标签：VIP、理财沙龙  [gxnxgw]  GF300 M001", typed: typed).isEmpty)
        #expect(Self.strays(in: "未知选项 --frobnicate", typed: typed) == ["--frobnicate"])
    }
}
