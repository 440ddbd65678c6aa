import FieldbookShell
import FieldbookTestSupport
import Foundation
import Testing

@testable import fieldbook

/// Issue 19, "admin speaks Chinese too": ArgumentParser's own words through ``ChineseUsage``: the table of its
/// phrases, and every command of the real executable with a missing argument, an unknown option and `--help`.
@Suite("ArgumentParser's words in Chinese")
struct ChineseUsageTests {
    // MARK: - The table

    @Test("each of ArgumentParser's error sentences, in Chinese, keeping what it quotes")
    func sentences() {
        let cases: [(String, String)] = [
            ("Unknown option '--x'", "未知的选项 '--x'"),
            ("Unknown option '--tier2'. Did you mean '--tier'?", "未知的选项 '--tier2'，是不是 '--tier'？"),
            ("Missing value for '--name <姓名>'", "'--name <姓名>' 缺少值"),
            ("Missing value for '-c'", "'-c' 缺少值"),
            ("Missing expected argument '<工号>'", "缺少参数 '<工号>'"),
            ("Missing expected argument '--principal <工号>'", "缺少参数 '--principal <工号>'"),
            ("Missing one of: '--a', '--b'", "缺少其中之一：'--a'、'--b'"),
            ("Unexpected argument 'bogus'", "多余的参数 'bogus'"),
            ("2 unexpected arguments: 'a', 'b c'", "2 个多余的参数：'a'、'b c'"),
            ("The option '--json' does not take any value, but '3' was specified.", "选项 '--json' 不带值，却给了 '3'"),
            ("The value 'abc' is invalid for '--port <端口>'", "'--port <端口>' 的值 'abc' 无效"),
            ("The value 'x' is invalid for '<n>': not a number", "'<n>' 的值 'x' 无效：not a number"),
            (
                "The value 'red' is invalid for '--color <c>'. Please provide one of 'a', 'b' or 'c'.",
                "'--color <c>' 的值 'red' 无效，应为 'a'、'b' 或 'c'"
            ),
            ("The value 'q' is invalid for '--mode <m>'. Please provide one of 'x' and 'y'.", "'--mode <m>' 的值 'q' 无效，应为 'x' 或 'y'"),
            ("The value 'it's' is invalid.", "值 'it's' 无效"),
            ("Invalid option: ---x", "无效的选项：---x"),
            ("Missing required subcommand.", "缺少子命令"),
            ("Command 'x' is not a parent of the current command.", "'x' 不是当前命令的上级命令"),
            ("Value to be set with flag '-v' had already been set with flag '-q'", "选项 '-v' 要设置的值已由 选项 '-q' 设置过"),
            ("Can't generate completion scripts for 'tcsh'.", "无法为 'tcsh' 生成补全脚本"),
        ]
        for (english, chinese) in cases {
            #expect(ChineseUsage.sentence(english) == chinese, "\(english)")
        }
    }

    @Test("the lines around a message and a help screen; what no rule knows is kept as it is")
    func lines() {
        let cases: [(String, String)] = [
            ("Error: Unknown option '--x'", "错误：未知的选项 '--x'"),
            ("Error: --role 应为 manager、advisor、remote 或 admin", "错误：--role 应为 manager、advisor、remote 或 admin"),
            ("Error: Something a later ArgumentParser says.", "错误：Something a later ArgumentParser says."),
            ("Help:  <工号>  员工编号，如 M001。", "说明：<工号>  员工编号，如 M001。"),
            ("Usage: fieldbook admin <subcommand>", "用法：fieldbook admin <子命令>"),
            ("USAGE: fieldbook admin find [--db <数据库>] <内容>", "用法：fieldbook admin find [--db <数据库>] <内容>"),
            ("OVERVIEW: 运行中心节点。", "简介：运行中心节点。"),
            ("  See 'fieldbook admin --help' for more information.", "  详见 'fieldbook admin --help'。"),
            ("  See 'fieldbook help admin <subcommand>' for detailed help.", "  各子命令的详细说明见 'fieldbook help admin <子命令>'。"),
            ("   or: Missing value for '-x <v>' in '-xyz'", "   或者：'-x <v>' 缺少值（在 '-xyz' 中）"),
            ("A line nobody wrote a rule for.", "A line nobody wrote a rule for."),
            ("修改管户或协同时，操作人记入每条操作。", "修改管户或协同时，操作人记入每条操作。"),
            ("", ""),
        ]
        for (english, chinese) in cases {
            #expect(ChineseUsage.line(english) == chinese, "\(english)")
        }
        #expect(ChineseUsage.heading("OPTIONS:") == "选项：" && ChineseUsage.heading("ARGUMENTS:") == "参数：")
        #expect(ChineseUsage.heading("SUBCOMMANDS:") == "子命令：" && ChineseUsage.heading("REPORT SUBCOMMANDS:") == "REPORT 子命令：")
        #expect(ChineseUsage.heading("CUSTOM TITLE:") == "CUSTOM TITLE:" && ChineseUsage.heading("用法：x") == nil)
    }

    @Test("rows: realigned by display width, the help flag and the default values in Chinese")
    func rows() {
        let screen = """
            OPTIONS:
              --principal <工号>        员工编号，如 M001。
              --port <端口>             监听的端口。 (default: 7420)
              --host <地址>             监听的地址 (default: 0.0.0.0)
              --max-unauthenticated-per-address <个数>
                                      同一地址同时最多多少个未认证的连接。 (default: 16)
              -h, --help              Show help information.

            SUBCOMMANDS:
              shell (default)         打开账本。
              find                    Something English we wrote.

              See 'fieldbook help <subcommand>' for detailed help.
            """
        let expected = """
            选项：
              --principal <工号>      员工编号，如 M001。
              --port <端口>           监听的端口。默认 7420。
              --host <地址>           监听的地址（默认 0.0.0.0）
              --max-unauthenticated-per-address <个数>
                                      同一地址同时最多多少个未认证的连接。默认 16。
              -h, --help              显示帮助。

            子命令：
              shell（默认）           打开账本。
              find                    Something English we wrote.

              各子命令的详细说明见 'fieldbook help <子命令>'。
            """
        #expect(ChineseUsage.translate(screen) == expected)
    }

    @Test("wrapping by display width: rows hang at their text column, usage lines after 用法：, never past the width")
    func wrapping() {
        let row = "  --insecure              " + String(repeating: "不用明文连接，", count: 12)
        let wrapped = ChineseUsage.wrap(row, to: 80)
        #expect(wrapped.count > 1)
        #expect(wrapped.allSatisfy { DisplayWidth.of($0) <= 80 }, "\(wrapped)")
        #expect(wrapped.dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 26)) && $0.dropFirst(26).first != " " })
        // Closing punctuation never starts a line.
        #expect(wrapped.allSatisfy { !ChineseUsage.noLineStart.contains($0.trimmingCharacters(in: .whitespaces).first ?? "a") })
        let usage = "用法：fieldbook serve " + (1...12).map { "[--option-\($0) <个数>]" }.joined(separator: " ")
        let lines = ChineseUsage.wrap(usage, to: 60)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 60 }, "\(lines)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("      [--option-") }, "\(lines)")
        #expect(lines.joined(separator: " ").replacingOccurrences(of: "      ", with: "") == usage)
        #expect(ChineseUsage.wrap("short", to: 80) == ["short"])
    }

    // MARK: - Pinyin

    // `NamePinyin` moved to FieldbookModel with issue 18: its tests are FieldbookModelTests.PinyinTests.

    // MARK: - The real executable

    /// Every command, with arguments that satisfy what it requires (for an unknown option) and a usage error for
    /// a missing argument or value.
    static let commands: [(path: [String], complete: [String], missing: [String])] = [
        ([], [], ["-c"]),
        (["shell"], [], ["--book"]),
        (["init"], ["--principal", "M001"], []),
        (["serve"], [], ["--port"]),
        (["demo-data"], [], ["--seed"]),
        (["admin"], [], ["bogus"]),
        (["admin", "principal"], [], ["bogus"]),
        (["admin", "principal", "add"], ["M001", "--name", "张经理", "--role", "manager"], []),
        (["admin", "principal", "deactivate"], ["M001"], []),
        (["admin", "device"], [], ["bogus"]),
        (["admin", "device", "add"], ["M001"], []),
        (["admin", "device", "revoke"], ["abcd"], []),
        (["admin", "device", "log"], ["abcd"], []),
        (["admin", "find"], ["王"], []),
        (["admin", "customers"], [], ["--tier"]),
        (["admin", "assign"], ["王芳", "--to", "M002"], ["--to"]),
        (["admin", "cocover"], ["王芳", "--with", "W001"], []),
        (["admin", "uncover"], ["王芳", "--with", "W001"], []),
        (["admin", "status"], [], ["--db"]),
        (["admin", "report"], [], ["bogus"]),
        (["admin", "report", "sales"], [], ["--from"]),
        (["admin", "report", "overlap"], [], ["--days"]),
        (["admin", "report", "coverage"], [], ["--db"]),
        (["admin", "check"], [], ["--db"]),
    ]

    @Test("every command: a missing argument and an unknown option exit 2 in Chinese; --help exits 0 in Chinese")
    func everyCommand() throws {
        let home = TemporaryDirectory()
        for command in Self.commands {
            let missing = try Executable.run(command.path + command.missing, environment: ["FIELDBOOK_HOME": home.path])
            #expect(missing.code == 2, "\(command.path) missing: \(missing.code) \(missing.error)")
            #expect(missing.error.hasPrefix("错误："), "\(command.path): \(missing.error)")
            #expect(missing.error.contains("用法：fieldbook"), "\(command.path): \(missing.error)")
            #expect(Self.english(in: missing.error).isEmpty, "\(command.path): \(Self.english(in: missing.error)) in \(missing.error)")
            #expect(missing.output.isEmpty)

            let unknown = try Executable.run(command.path + command.complete + ["--bogus"], environment: ["FIELDBOOK_HOME": home.path])
            #expect(unknown.code == 2, "\(command.path) --bogus: \(unknown.code) \(unknown.error)")
            #expect(unknown.error.hasPrefix("错误：未知的选项 '--bogus'"), "\(command.path): \(unknown.error)")
            #expect(Self.english(in: unknown.error).isEmpty, "\(command.path): \(Self.english(in: unknown.error)) in \(unknown.error)")

            let help = try Executable.run(command.path + ["--help"], environment: ["FIELDBOOK_HOME": home.path, "COLUMNS": "80"])
            #expect(help.code == 0 && help.error.isEmpty, "\(command.path) --help: \(help.code) \(help.error)")
            #expect(help.output.hasPrefix("简介：") && help.output.contains("用法：fieldbook"), "\(command.path): \(help.output)")
            #expect(help.output.contains("  -h, --help              显示帮助。"), "\(command.path): \(help.output)")
            #expect(Self.english(in: help.output).isEmpty, "\(command.path): \(Self.english(in: help.output)) in \(help.output)")
            for line in help.output.split(separator: "\n") {
                #expect(DisplayWidth.of(String(line)) <= 80, "\(command.path): too wide: \(line)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: home.file("central.sqlite")), "a usage error opens nothing")
        #expect(!FileManager.default.fileExists(atPath: home.file("book.sqlite")), "a usage error creates nothing")
    }

    @Test("fieldbook help COMMAND is the same Chinese screen as COMMAND --help")
    func helpSubcommand() throws {
        let viaHelp = try Executable.run(["help", "admin", "find"], environment: ["COLUMNS": "80"])
        let viaFlag = try Executable.run(["admin", "find", "--help"], environment: ["COLUMNS": "80"])
        #expect(viaHelp.code == 0 && viaHelp.output == viaFlag.output && viaHelp.output.contains("拼音"))
        #expect(Self.english(in: viaHelp.output).isEmpty)
    }

    /// The words of ArgumentParser's English that must not appear, and runs of two or more English words that are
    /// not option names, command names, metavariables, quoted values, codes or paths.
    static func english(in text: String) -> [String] {
        var found: [String] = []
        for word in ["Error:", "Usage:", "USAGE:", "OVERVIEW:", "OPTIONS:", "ARGUMENTS:", "SUBCOMMANDS:", "Help:", "See '",
            "(default", "information", "Missing", "Unknown", "Unexpected", "invalid", "subcommand"]
        where text.contains(word) {
            found.append(word)
        }
        // What may be ASCII: 'quoted', <metavariables>, {json keys} (even across a wrapped line), --options, paths,
        // codes, command names.
        var stripped = text
        for pattern in [#"'[^'\n]*'"#, #"<[^>\n]*>"#, #"\{[^}]*\}"#, #"(?<![A-Za-z])--?[A-Za-z][A-Za-z0-9-]*(=\S*)?"#, #"\S*[/$_.:=]\S*"#] {
            stripped = stripped.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let allowed: Set<String> = [
            "fieldbook", "shell", "init", "serve", "admin", "demo", "data", "principal", "device", "add", "deactivate",
            "revoke", "log", "find", "customers", "assign", "cocover", "uncover", "status", "report", "sales", "overlap",
            "coverage", "check", "help", "history", "today", "sync", "manager", "advisor", "remote", "standard", "gold",
            "diamond", "private", "json", "sqlite", "tls", "tcp", "pem", "vip", "host", "port", "ps", "id", "wangfang", "wangf",
            "customer",
        ]
        // Runs of ASCII words separated by spaces or ASCII punctuation only.
        var run: [String] = []
        func close() {
            if run.count >= 2 { found.append(run.joined(separator: " ")) }
            run = []
        }
        var word = ""
        for character in stripped + "\n" {
            if character.isASCII, character.isLetter {
                word.append(character)
                continue
            }
            if !word.isEmpty {
                if word.count >= 3, !allowed.contains(word.lowercased()) { run.append(word) } else { close() }
                word = ""
            }
            if !(character == " " || character == "," || character == "(" || character == ")") { close() }
        }
        return found
    }
}

extension ChineseUsageTests {
    @Test("the English detector of these tests finds ArgumentParser's English and our old help text")
    func detector() {
        #expect(!Self.english(in: "Error: Missing expected argument '<code>'").isEmpty)
        #expect(!Self.english(in: "  -h, --help              Show help information.").isEmpty)
        #expect(!Self.english(in: "  --book <路径>           The book file to create.").isEmpty)
        #expect(!Self.english(in: "简介：Create a demo book with invented customers.").isEmpty)
        #expect(Self.english(in: "错误：缺少参数 '<工号>'\n用法：fieldbook admin principal add [--db <数据库>] <工号>").isEmpty)
        #expect(Self.english(in: "  --json                  以 JSON 输出 [{id, name, tier, owner, cocoverers,\n archived}]。").isEmpty)
    }
}

/// `admin find` by the name's pinyin and initials, on a master file filled by a real sync.
@Suite("admin find: pinyin and initials", .serialized)
struct AdminFindPinyinTests: CentralHomeTests {
    let home = TemporaryDirectory()

    @Test("wf, wangfang, lxy find their customers after the ones the text itself finds; JSON too")
    func pinyin() throws {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        let server = try CentralProcess(home: home.path)
        try enrol("M001", "a.sqlite", server: server)
        let added = try book("a.sqlite", "add 王芳 tier=钻石; add 汪峰; add 吕小雨; add 李明 note=wf资料; add 陈静; sync")
        #expect(added.code == 0, "\(added.output)\(added.error)")
        #expect(server.stop() == 0)

        func names(_ query: String) throws -> [String] {
            let found = try admin("find", query)
            #expect(found.code == 0, "\(query): \(found.error)")
            return found.output.split(separator: "\n").dropFirst().dropLast().map { $0.split(separator: " ")[1] }.map(String.init)
        }
        // 李明's note has "wf": found by the text itself, so listed first; then 汪峰 (wang feng) and 王芳 by initials.
        #expect(try names("wf") == ["李明", "汪峰", "王芳"])
        #expect(try names("wangfang") == ["王芳"])
        #expect(try names("WangF") == ["汪峰", "王芳"])
        #expect(try names("fang") == ["王芳"])
        #expect(try names("lxy") == ["吕小雨"] && names("lvxiaoyu") == ["吕小雨"] && names("luxiaoyu") == ["吕小雨"])
        #expect(try names("cj") == ["陈静"])
        #expect(try names("王") == ["王芳"], "Chinese text is found as before")
        #expect(try admin("find", "zzz").output == "没有找到客户\n")
        #expect(try admin("find", "x").output == "没有找到客户\n", "one letter is no pinyin query")

        let json = try admin("find", "wf", "--json")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
        #expect(array.compactMap { $0["name"] as? String } == ["李明", "汪峰", "王芳"])
        #expect(array.allSatisfy { $0["owner"] as? String == "M001" })
    }
}

extension ChineseUsageTests {
    @Test("completion scripts and the help dump are printed as ArgumentParser makes them: not translated, not wrapped")
    func completionScripts() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try Executable.run(["--generate-completion-script", shell], environment: ["COLUMNS": "40"])
            #expect(script.code == 0 && !script.output.isEmpty && script.error.isEmpty, "\(shell)")
            #expect(!script.output.hasPrefix("简介") && !script.output.contains("错误"), "\(shell)")
        }
        // zsh puts each option's help on one line: a wrapped one would break the script.
        let zsh = try Executable.run(["--generate-completion-script", "zsh"], environment: ["COLUMNS": "40"])
        #expect(zsh.output.contains("'--keep-going[批处理和 -c 模式下，命令失败后继续执行后面的命令（退出码仍会报告失败）。]'"))
        let dump = try Executable.run(["--experimental-dump-help"])
        #expect(dump.code == 0 && (try? JSONSerialization.jsonObject(with: Data(dump.output.utf8))) != nil)
        #expect(ChineseUsage.isHelpScreen("OVERVIEW: x\n") && ChineseUsage.isHelpScreen("USAGE: fieldbook x\n"))
        #expect(!ChineseUsage.isHelpScreen("#!/bin/bash\n") && !ChineseUsage.isHelpScreen("{\n"))
    }
}
