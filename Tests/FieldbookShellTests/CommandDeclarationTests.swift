import FieldbookModel
import FieldbookShell
import FieldbookStore
import Testing

/// Every command is declared once (``Commands``); parsing, usage errors, `help` and tab completion are derived from
/// the declaration. These tests walk the whole table, so a new command or flag is covered by being declared.
@Suite("Command declarations")
struct CommandDeclarationTests {
    let completer = Completer(source: FixedSource())

    /// Runs a line on a fresh book with two customers named 王芳 and one 李明.
    static func run(_ lines: [String]) throws -> (book: Book, results: [(code: Int32, output: [String], error: [String])]) {
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000))
        var results: [(code: Int32, output: [String], error: [String])] = []
        for line in lines { results.append(CSVTests.run(book, line)) }
        return (book, results)
    }

    /// The words that choose a form: its keyword, if it begins with one.
    static func lead(_ form: CommandForm) -> [String] {
        if case .literal(let word, _)? = form.elements.first { return [word] }
        return []
    }

    @Test("every declared flag is accepted by the parser, completes after --, and is explained by help CMD")
    func everyFlag() throws {
        for command in Commands.all {
            let completions = completer.complete(line: "\(command.name) --", cursor: command.name.count + 3).candidates
            let page = try Self.run(["help \(command.name)"]).results[0].output.joined(separator: "\n")
            for form in command.forms {
                for flag in form.flags + command.flags {
                    let tokens = Self.lead(form) + (flag.takesValue ? ["--\(flag.name)", "1"] : ["--\(flag.name)"])
                    let parsed = try Arguments(tokens, command: command)
                    if flag.takesValue {
                        #expect(parsed.assignments.contains { $0.key == flag.name && $0.value == "1" }, "\(command.name) --\(flag.name)")
                        let joined = try Arguments(Self.lead(form) + ["--\(flag.name)=2"], command: command)
                        #expect(joined.assignments.contains { $0.key == flag.name && $0.value == "2" })
                    } else {
                        #expect(parsed.flags.contains(flag.name), "\(command.name) --\(flag.name)")
                    }
                    #expect(completions.contains("--" + flag.name), "\(command.name): \(completions)")
                    #expect(page.contains("--" + flag.name) && page.contains(flag.help), "\(command.name): \(page)")
                    #expect(command.usage.contains("--" + flag.name) == flag.inUsage)
                }
            }
            #expect(completions.count == Set(command.allFlags.map(\.name)).count, "\(command.name): \(completions)")
        }
    }

    @Test("an undeclared flag is a usage error (exit 2) that names the allowed flags, and changes nothing")
    func undeclaredFlag() throws {
        for command in Commands.all {
            let form = command.forms[0]
            #expect(throws: ShellError.self) { try Arguments(Self.lead(form) + ["--frobnicate"], command: command) }
            do {
                _ = try Arguments(Self.lead(form) + ["--frobnicate"], command: command)
            } catch {
                #expect(error.kind == .usage)
                #expect(error.message.hasPrefix("未知选项 --frobnicate："), "\(error.message)")
                for flag in form.flags + command.flags { #expect(error.message.contains("--" + flag.name), "\(error.message)") }
                #expect(error.message.contains("用法：\(command.name)"))
            }
        }
        let (book, results) = try Self.run(["add 王芳 --jsno", "find 王 --bogus", "status --json=1", "tasks --limit"])
        #expect(results.map(\.code) == [2, 2, 2, 2])
        #expect(results[0].error == ["未知选项 --jsno：可用的选项有 --json；用法：add 姓名 [字段=值 …] [--json]"])
        #expect(results[1].error[0].hasPrefix("未知选项 --bogus：可用的选项有 --sort --limit --all --archived --json；用法：find "))
        #expect(results[2].error[0].hasPrefix("--json 不带数值；用法：status"))
        #expect(results[3].error[0].hasPrefix("--limit 后面缺少数值；用法：tasks"))
        #expect(try book.customerCount() == 0)
    }

    @Test("a command without free fields takes only its declared keys; Chinese labels and aliases count")
    func declaredKeys() throws {
        let (book, results) = try Self.run([
            "journal 今天 frob=1", "plan 李明 date=明天 事由=续作 extra=1", "settings calls=25 周期.钻石=20", "settings speed=1",
            "today 日期=today",
        ])
        #expect(results[0].code == 2 && results[0].error == ["未知参数 frob=：可用的有 date=；用法：journal [内容] [date=日期] [--json]"])
        #expect(results[1].code == 2 && results[1].error[0].hasPrefix("未知参数 extra=：可用的有 date= note=；"))
        #expect(results[2].code == 0, "\(results[2].error)")
        #expect(results[3].code == 2 && results[3].error[0].hasPrefix("未知参数 speed=：可用的有 cadence.层级= calls= move= lease= overlap="))
        #expect(results[4].error.allSatisfy { !$0.hasPrefix("未知参数") }, "\(results[4].error)")
        #expect(try book.agendaSettings().callTarget == 25)
    }

    @Test("usage lines are derived from the declaration: forms, keys, flags")
    func usageLines() {
        #expect(
            Commands.find("find")!.usage
                == "find [文字] [条件 …] [tag=标签] [--sort [-]字段] [--limit N] [--all] [--archived] [--json]")
        #expect(Commands.find("tag")!.usage == "tag 客户 +标签 -标签 …")
        #expect(Commands.find("done")!.usage == "done 待办ID …")
        #expect(Commands.find("archive")!.usage == "archive 客户")
        #expect(Commands.find("show")!.usage == "show 客户 [--reveal] [--json]")
        #expect(
            Commands.find("complaint")!.usage
                == "complaint 客户 内容 [date=日期] [due=日期] [--json] ｜ complaint close 投诉ID 处理结果")
        #expect(
            Commands.find("import")!.usage
                == "import csv 文件 [--dry-run] [--allow-duplicates] ｜ import movements 文件 [--dry-run]")
        #expect(Commands.find("sync")!.usage == "sync [--server 主机:端口]")
    }

    @Test("names and aliases are unique, and every example parses")
    func namesAndExamples() throws {
        var names = Set<String>()
        for command in Commands.all {
            for name in [command.name] + command.aliases {
                #expect(names.insert(name).inserted, "\(name) twice")
                #expect(Commands.find(name)?.name == command.name)
            }
            let tokens = try Tokenizer.split(command.example)[0]
            #expect(Commands.find(tokens[0])?.name == command.name, "\(command.example)")
            _ = try Arguments(Array(tokens.dropFirst()), command: command)
        }
    }

    @Test("help CMD shows every form, the options with their help, the example and the aliases")
    func helpPage() throws {
        let page = try Self.run(["help import"]).results[0].output
        #expect(page == [
            "用法：import csv 文件 [--dry-run] [--allow-duplicates]",
            "      import movements 文件 [--dry-run]",
            "从 CSV 导入客户（有 id 的更新，没有的新建）；import movements 文件 导入核心系统的大额异动；有一行不对就整个不导入",
            "选项：",
            "  --dry-run           只检查，不导入",
            "  --allow-duplicates  疑似重复的客户也导入",
            "例子：import csv 客户.csv --dry-run",
            "别名：导入",
        ])
        let overview = try Self.run(["help"]).results[0].output
        for command in Commands.all { #expect(overview.contains { $0.hasPrefix("  \(command.name) ") }, "\(command.name)") }
    }

    @Test("completion follows the declaration: option values, keywords, keys, product codes")
    func completionFromDeclaration() {
        func complete(_ line: String) -> [String] { completer.complete(line: line, cursor: line.unicodeScalars.count).candidates }
        #expect(complete("export csv a.csv --encoding ") == ["gb18030", "gbk", "utf8"])
        #expect(complete("export csv a.csv --encoding g") == ["gb18030", "gbk"])
        #expect(complete("import ") == ["csv", "movements"])
        #expect(complete("import 异") == ["异动"])
        #expect(complete("import movements --") == ["--dry-run"])
        #expect(complete("today d") == ["date="])
        #expect(complete("plan 王芳 no") == ["note="])
        #expect(complete("buy 王芳 JX01 amount=50万 ta") == ["take_profit="])
        #expect(complete("product JX01 稳健 risk=") == ["risk=R1", "risk=R2", "risk=R3", "risk=R4", "risk=R5"])
        // Segment filters: field names, then values by the field (ordered choices, months, day counts, tags).
        #expect(complete("find ag") == ["age="])
        #expect(complete("find tier>=钻") == ["tier>=钻石"])
        #expect(complete("find risk<=C") == ["risk<=C1", "risk<=C2", "risk<=C3", "risk<=C4", "risk<=C5"])
        #expect(complete("find birthday=12") == ["birthday=12月"])
        #expect(complete("find last_contact>") == ["last_contact>7d", "last_contact>30d", "last_contact>90d"])
        #expect(complete("find tag=理") == ["tag=理财沙龙"])
        #expect(complete("find --sort -a") == ["-age", "-aum"])
        // After an option's value, the next word is positional again.
        #expect(complete("tasks --limit 5 欧阳") == ["欧阳修", "欧阳娜娜"])
    }

    @Test("the completion list pads by display width, not by bytes")
    func completionLayout() {
        let lines = Completer.layout(["group=退休", "group=企业老板", "group=炒股", "group=港澳台"], width: 40)
        // Widest is 14 columns: each column is 16 wide, two fit in 40; filled down the columns.
        #expect(lines == ["group=退休      group=炒股", "group=企业老板  group=港澳台"])
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 })
        #expect(Completer.layout(["欧阳娜娜", "王芳", "李明"], width: 80) == ["欧阳娜娜  王芳      李明"])
        #expect(Completer.layout(["a", "b"], width: 1) == ["a", "b"])
        #expect(Completer.layout([], width: 80) == [])
    }

    @Test("tag REF WORD without + or - is a usage error and tags nothing")
    func tagNeedsASign() throws {
        let (book, results) = try Self.run(["add 王芳", "tag 王芳 理财沙龙", "tag 王芳 +理财沙龙 李明"])
        #expect(results[1].code == 2)
        #expect(results[1].error == ["标签前要写 +（加上）或 -（去掉），例如 +理财沙龙；用法：tag 客户 +标签 -标签 …"])
        #expect(results[2].code == 2)
        #expect(try book.setElements(Schema.F.tags).isEmpty)
    }

    @Test("several customers match: each candidate with its short ID, masked name, phone tail and tier")
    func ambiguousCandidates() throws {
        let (book, results) = try Self.run([
            "add 王芳 phone=13800138000 tier=钻石", "add 王芳 phone=13900001234", "add 王芳", "set 王芳 note=x",
        ])
        let ids = try book.find(text: "王芳").map(\.id.short)
        #expect(results[3].code == 1)
        let message = results[3].error[0]
        #expect(message.hasPrefix("有 3 个客户符合："), "\(message)")
        for id in ids { #expect(message.contains(id)) }
        #expect(message.contains("王*（尾号8000，钻石）") && message.contains("王*（尾号1234）"), "\(message)")
        #expect(!message.contains("13800138000") && !message.contains("王芳"))
    }
}
