import FieldbookModel
import FieldbookShell
import FieldbookStore
import Testing

/// Fixed candidates, so that each case shows exactly what TAB offers.
struct FixedSource: CompletionSource {
    var people: [(id: String, name: String)] = [
        ("g011b4", "欧阳娜娜"), ("k3m9x2", "欧阳修"), ("czp8ws", "王芳"), ("1f4m5v", "李明"), ("ep2je4", "王 小明"),
    ]
    var tagList = ["VIP", "理财沙龙", "待激活"]

    func customers(prefix: String) -> [(id: String, name: String)] {
        let normalized = Base32.normalize(prefix)
        return people.filter { $0.name.hasPrefix(prefix) || (normalized.map($0.id.hasPrefix) ?? false) }
    }
    func tags() -> [String] { tagList }
    func openTasks() -> [String] { ["hahdf4", "jskp2x"] }
    func openComplaints() -> [String] { ["1f4m5v"] }
}

@Suite("Tab completion")
struct CompletionTests {
    let completer = Completer(source: FixedSource())

    /// Completes with the cursor at the end of the line.
    func complete(_ line: String) -> [String] {
        completer.complete(line: line, cursor: line.unicodeScalars.count).candidates
    }

    @Test func commandNames() {
        #expect(complete("") .contains("add"))
        #expect(complete("co") == ["complaint", "complaints", "conflicts", "contact"])
        #expect(complete("ex") == ["exit", "export"])
        #expect(complete("h") == ["help", "history"])
        // Chinese aliases when typing Chinese.
        #expect(complete("查") == ["查找", "查看"])
        #expect(complete("frob ") == [])
        // After `;` a new command starts.
        #expect(complete("add 王芳; fi") == ["find"])
    }

    @Test func customerNamesAndShortIDs() {
        #expect(complete("show 欧阳") == ["欧阳修", "欧阳娜娜"])
        #expect(complete("show 欧阳娜") == ["欧阳娜娜"])
        #expect(complete("set 王") == ["王\\ 小明", "王芳"])
        #expect(complete("show g01") == ["g011b4"])
        // Typing is forgiving: `o` is read as `0`.
        #expect(complete("show go1") == ["g011b4"])
        #expect(complete("contact 欧阳娜") == ["欧阳娜娜"])
        #expect(complete("history 李") == ["李明"])
        // The name being created by `add` is new: nothing to offer.
        #expect(complete("add 欧阳") == [])
    }

    @Test func cursorInTheMiddle() {
        let line = "show 欧阳 --json"
        let result = completer.complete(line: line, cursor: 7)
        #expect(result.start == 5)
        #expect(result.word == "欧阳")
        #expect(result.candidates == ["欧阳修", "欧阳娜娜"])
    }

    @Test func fieldsAndValues() {
        #expect(complete("set 王芳 ti") == ["tier="])
        #expect(complete("add 张伟 tier=") == ["tier=普通", "tier=金葵花", "tier=钻石", "tier=私人银行"])
        #expect(complete("set 王芳 tier=钻") == ["tier=钻石"])
        #expect(complete("set 王芳 group=退") == ["group=退休"])
        #expect(complete("set 王芳 生日=") == ["生日=today", "生日=tomorrow", "生日=+7d", "生日=+30d"])
        #expect(complete("find tag=") == ["tag=VIP", "tag=待激活", "tag=理财沙龙"])
        #expect(complete("contact 王芳 call 聊了 next=to") == ["next=today", "next=tomorrow"])
        #expect(complete("task 王芳 回电话 du") == ["due="])
        #expect(complete("set 王芳 risk=C") == ["risk=C1", "risk=C2", "risk=C3", "risk=C4", "risk=C5"])
        #expect(completer.complete(line: "set 王芳 ti", cursor: 10).continues)
        #expect(!completer.complete(line: "set 王芳 tier=钻", cursor: 14).continues)
    }

    @Test func tagsChannelsAndIDs() {
        #expect(complete("tag 王芳 +") == ["+VIP", "+待激活", "+理财沙龙"])
        #expect(complete("tag 王芳 -理") == ["-理财沙龙"])
        #expect(complete("contact 王芳 ") == ["call", "电话", "visit", "到店", "面谈", "home", "上门", "message", "短信", "微信", "event", "活动"].sorted())
        #expect(complete("contact 王芳 h") == ["home"])
        #expect(complete("done ") == ["hahdf4", "jskp2x"])
        #expect(complete("done js") == ["jskp2x"])
        #expect(complete("complaint cl") == ["close"])
        #expect(complete("complaint close ") == ["1f4m5v"])
        #expect(complete("export ") == ["csv"])
        #expect(complete("help con") == ["conflicts", "contact"])
        #expect(complete("find --") == ["--all", "--archived", "--json", "--limit", "--sort"])
        #expect(complete("import csv --d") == ["--dry-run"])
    }

    @Test func fileNamesAreLeftToTheLineEditor() {
        let result = completer.complete(line: "import csv ~/Do", cursor: 15)
        #expect(result.fileName)
        #expect(result.candidates.isEmpty)
    }

    @Test func fromARealBook() throws {
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000))
        let session = Session(book: book, output: ShellOutput(line: { _ in }, error: { _ in }))
        for line in ["add 欧阳娜娜 tier=钻石", "add 欧阳修", "add 王芳", "tag 王芳 +理财沙龙", "set 欧阳修 archived=是"] {
            try session.execute(try Tokenizer.split(line)[0])
        }
        let completer = Completer(source: BookCompletionSource(book: book))
        // Archived customers are not offered.
        #expect(completer.complete(line: "show 欧阳", cursor: 7).candidates == ["欧阳娜娜"])
        #expect(completer.complete(line: "tag 欧阳娜娜 +理", cursor: 11).candidates == ["+理财沙龙"])
        let id = try book.resolveCustomer("欧阳娜娜")
        let prefix = String(id.short.prefix(3))
        #expect(completer.complete(line: "show " + prefix, cursor: 8).candidates == [id.short])
    }
}
