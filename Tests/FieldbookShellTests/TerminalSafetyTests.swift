import FieldbookModel
import FieldbookShell
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// Output a reader can trust (issue 15): control characters, C1 controls and bidirectional controls are refused when
/// typed, refused on receipt, and escaped when a book holds them anyway; styles come from marks the output layer
/// turns into SGR sequences.
@Suite("Terminal-safe output")
struct TerminalSafetyTests {
    /// The characters the issue names, each with the way it is shown.
    static let hostile: [(label: String, text: String, shown: String)] = [
        ("CR", "\r", "\\r"),
        ("ESC", "\u{1B}[2J", "\\u{1B}[2J"),
        ("NUL", "\u{0}", "\\u{0}"),
        ("8-bit CSI", "\u{9B}31m", "\\u{9B}31m"),
        ("RLO", "\u{202E}", "\\u{202E}"),
    ]

    /// A noncharacter (Swift literals refuse them).
    static func noncharacter(_ value: UInt32) -> String { String(Character(Unicode.Scalar(value)!)) }

    /// Everything written to standard output and standard error, as written (before any splitting).
    final class Recorder: @unchecked Sendable {
        // @unchecked because `storage` is only touched under `lock`.
        private let lock = NSLock()
        private var storage: [(error: Bool, text: String)] = []

        private var entries: [(error: Bool, text: String)] {
            lock.lock()
            defer { lock.unlock() }
            return storage
        }
        var output: [String] { entries.filter { !$0.error }.map(\.text) }
        var errors: [String] { entries.filter(\.error).map(\.text) }
        var all: String { entries.map(\.text).joined(separator: "\n") }

        private func append(_ error: Bool, _ text: String) {
            lock.lock()
            storage.append((error, text))
            lock.unlock()
        }

        func shellOutput(styled: Bool) -> ShellOutput {
            ShellOutput(
                line: { [self] text in append(false, text) }, error: { [self] text in append(true, text) }, styled: styled)
        }
    }

    /// Runs one script line on a session of `book`.
    @discardableResult
    static func run(_ book: Book, _ line: String, styled: Bool = false) -> (code: Int32, recorder: Recorder) {
        let recorder = Recorder()
        let session = Session(book: book, output: recorder.shellOutput(styled: styled))
        return (BatchRunner(session: session).run(script: line, numberLines: false), recorder)
    }

    /// No raw ESC, CR, NUL, 8-bit CSI, RLO or style mark in what was written. On a styled output an ESC may only
    /// start one of the style marks' SGR sequences.
    static func expectClean(_ text: String, styled: Bool = false, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var rest = text
        if styled {
            for mark in TerminalText.Mark.allCases { rest = rest.replacingOccurrences(of: mark.sequence, with: "") }
        }
        let bytes = Array(rest.utf8)
        #expect(!bytes.contains(0x1B) && !bytes.contains(0x0D) && !bytes.contains(0x00), "\(what)", sourceLocation: sourceLocation)
        let scalars = rest.unicodeScalars
        #expect(!scalars.contains("\u{9B}") && !scalars.contains("\u{202E}"), "\(what)", sourceLocation: sourceLocation)
        #expect(!scalars.contains { (0xFDD0...0xFDEF).contains($0.value) }, "\(what): a style mark left", sourceLocation: sourceLocation)
        #expect(!scalars.contains { TerminalText.needsEscape($0) && $0 != "\n" }, "\(what)", sourceLocation: sourceLocation)
    }

    // MARK: - The output layer

    @Test("TerminalText escapes controls in one form and keeps deliberate line breaks")
    func escapes() {
        let cases: [(String, String)] = [
            ("王芳", "王芳"),
            ("a\rb", "a\\rb"),
            ("a\tb", "a\\tb"),
            ("\u{0}\u{7}\u{8}\u{1B}[2J\u{7F}", "\\u{0}\\u{7}\\u{8}\\u{1B}[2J\\u{7F}"),
            ("\u{85}\u{9B}\u{9F}", "\\u{85}\\u{9B}\\u{9F}"),
            ("\u{61C}\u{200E}\u{200F}\u{202A}\u{202E}\u{2066}\u{2069}", "\\u{61C}\\u{200E}\\u{200F}\\u{202A}\\u{202E}\\u{2066}\\u{2069}"),
            ("\u{2028}\u{2029}" + Self.noncharacter(0xFDEF), "\\u{2028}\\u{2029}\\u{FDEF}"),
            // Neither escaped nor touched: a backslash, zero-width joiners, CJK punctuation, emoji.
            ("C:\\路径 \u{200D}👨‍👩‍👧 ，。", "C:\\路径 \u{200D}👨‍👩‍👧 ，。"),
        ]
        for (input, shown) in cases {
            #expect(TerminalText.line(input, styled: false) == shown, "\(shown)")
            #expect(TerminalText.text(input, styled: true) == shown, "\(shown)")
        }
        // A line feed is a line break in output text, escaped in a one-line error; a CR LF shows its CR.
        #expect(TerminalText.text("备注\n  第二行", styled: false) == "备注\n  第二行")
        #expect(TerminalText.text("a\r\nb\u{1B}", styled: false) == "a\\r\nb\\u{1B}")
        #expect(TerminalText.line("a\nb", styled: false) == "a\\nb")
    }

    @Test("Style writes marks, never ESC; the output layer makes them SGR only on a styled output")
    func styleMarks() {
        let plain = Style(enabled: false)
        #expect(plain.bold("王芳") == "王芳")
        let style = Style(enabled: true)
        let marked = style.bold("王芳") + " " + style.red("逾期") + style.dim("") + style.yellow("⚠") + style.green("好")
        #expect(!marked.unicodeScalars.contains("\u{1B}"))
        #expect(TerminalText.text(marked, styled: false) == "王芳 逾期⚠好")
        #expect(
            TerminalText.text(marked, styled: true)
                == "\u{1B}[1m王芳\u{1B}[0m \u{1B}[31m逾期\u{1B}[0m\u{1B}[33m⚠\u{1B}[0m\u{1B}[32m好\u{1B}[0m")
        // A value's own escape sequence inside styled text stays visible.
        #expect(TerminalText.text(style.bold("王\u{1B}[2J芳"), styled: true) == "\u{1B}[1m王\\u{1B}[2J芳\u{1B}[0m")
        // Through a session: both streams are guarded, and styled stays as it was.
        let recorder = Recorder()
        let output = TerminalText.guarding(recorder.shellOutput(styled: true))
        #expect(output.styled)
        output.line(style.red("a\u{9B}b") + "\nc\r")
        output.error(style.red("x\ny\u{202E}"))
        #expect(recorder.output == ["\u{1B}[31ma\\u{9B}b\u{1B}[0m\nc\\r"])
        #expect(recorder.errors == ["\u{1B}[31mx\\ny\\u{202E}\u{1B}[0m"])
    }

    @Test("JSON strings escape C0, C1, bidirectional controls and style marks as \\uXXXX")
    func json() {
        let value = JSON.object([("name", .string("a\u{1B}b\u{9B}c\u{202E}d\u{2066}e" + Self.noncharacter(0xFDD0) + "f\u{7F}g\r\n\t\u{0}\"\\王"))])
        let rendered = value.render()
        #expect(rendered == "{\n  \"name\": \"a\\u001bb\\u009bc\\u202ed\\u2066e\\ufdd0f\\u007fg\\r\\n\\t\\u0000\\\"\\\\王\"\n}")
        #expect(TerminalText.text(rendered, styled: true) == rendered, "the guard finds nothing to change")
        let decoded = try? JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: String]
        #expect(decoded?["name"] == "a\u{1B}b\u{9B}c\u{202E}d\u{2066}e" + Self.noncharacter(0xFDD0) + "f\u{7F}g\r\n\t\u{0}\"\\王")
    }

    // MARK: - Typed at the shell: refused, naming the field and never the value

    /// Expects `line` refused with one error line that names `field`, contains none of `secret`, and wrote nothing.
    func expectRefused(
        _ book: Book, _ line: String, field: String, secret: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let ops = try book.opCount()
        let (code, recorder) = Self.run(book, line)
        #expect(code == 1, "\(line.debugDescription): exit \(code)", sourceLocation: sourceLocation)
        #expect(recorder.output.isEmpty && recorder.errors.count == 1, "\(recorder.errors)", sourceLocation: sourceLocation)
        let message = recorder.errors.joined()
        #expect(message.hasPrefix(field), "\(message)", sourceLocation: sourceLocation)
        for fragment in secret {
            #expect(!message.contains(fragment), "\(message) repeats the value", sourceLocation: sourceLocation)
        }
        Self.expectClean(recorder.all, "error for \(line.debugDescription)", sourceLocation: sourceLocation)
        #expect(try book.opCount() == ops, "nothing written", sourceLocation: sourceLocation)
    }

    @Test("CR, ESC, NUL, U+009B and U+202E typed in a name, a note, a product name or a contact are refused")
    func typedRefused() throws {
        let book = try CSVTests.book()
        #expect(Self.run(book, "add 王芳 phone=13912345678; product WJ01 稳健理财 risk=R2").code == 0)
        for (label, text, _) in Self.hostile {
            let secret = ["赵", "敏", "秘密", "理财", "聊了"]
            try expectRefused(book, "add '赵\(text)敏'", field: "姓名", secret: secret)
            try expectRefused(book, "set 王芳 note='秘\(text)密'", field: "备注", secret: secret)
            try expectRefused(book, "product WJ02 '理\(text)财' risk=R2", field: "姓名", secret: secret)
            try expectRefused(book, "contact 王芳 call '聊了\(text)'", field: "内容", secret: secret)
            _ = label
        }
        // A CR says what it is (a CR LF typed in a note too); a noncharacter (a forged style mark) is a control
        // character.
        let session = Session(book: book, output: Recorder().shellOutput(styled: false))
        do {
            try session.execute(["set", "王芳", "note=第一行\r\n第二行"])
            Issue.record("a CR LF in a note was accepted")
        } catch {
            #expect(error.message.hasPrefix("备注含有回车符（CR）"), "\(error.message)")
        }
        try expectRefused(book, "add '赵\(Self.noncharacter(0xFDD0))敏'", field: "姓名", secret: ["赵"])
        // Tab and line feed: only in free text.
        try expectRefused(book, "add '赵\t敏'", field: "姓名", secret: ["赵"])
        try expectRefused(book, "tag 王芳 '+V\tIP'", field: "标签", secret: ["V"])
        #expect(throws: ShellError.self) { try session.execute(["add", "赵\n敏"]) }
        #expect(throws: ShellError.self) { try session.execute(["set", "王芳", "address=城东\n3 号楼"]) }
        try session.execute(["set", "王芳", "note=第一行\n第二行\t完"])
        #expect(try book.snapshot(of: book.resolveCustomer("王芳"))?.text(Schema.F.note) == "第一行\n第二行\t完")
    }

    // MARK: - Received: refused on receipt

    @Test("a received op with CR, U+009B, U+202E, a style mark or a line feed in a name is not applied")
    func receivedRefused() throws {
        let book = try CSVTests.book()
        let peer = ActorID(bytes: Array(repeating: 0x5A, count: 16))!
        let names = ["王\r芳", "王\u{9B}芳", "王\u{202E}芳", "王\(Self.noncharacter(0xFDD2))芳", "王\n芳", "王\t芳"]
        let ops = names.enumerated().map { index, name in
            let customer = EntityID(high: 0x0190_0000_0000_9301, low: UInt64(index + 1))
            return Op(
                id: OpID(actor: peer, counter: UInt64(index + 1)), hlc: HLC(milliseconds: CSVTests.start, logical: 0),
                scope: .customer(customer), principal: "M002",
                body: .create(kind: .customer, entity: customer, fields: [FieldAssignment(Schema.F.name, .text(name))]))
        }
        let result = try book.applyRemote(ops)
        #expect(result.invalid == names.count && result.applied == 0)
        #expect(try book.find(includeArchived: true).isEmpty)
        // A line feed in a note is still fine.
        let note = Op(
            id: OpID(actor: peer, counter: 99), hlc: HLC(milliseconds: CSVTests.start, logical: 0),
            scope: .customer(EntityID(high: 0x0190_0000_0000_9302, low: 1)), principal: "M002",
            body: .create(kind: .customer, entity: EntityID(high: 0x0190_0000_0000_9302, low: 1), fields: [
                FieldAssignment(Schema.F.name, .text("李明")), FieldAssignment(Schema.F.note, .text("一\n二\t三")),
            ]))
        #expect(try book.applyRemote([note]).applied == 1)
    }

    // MARK: - Present in the book anyway: every listing escapes

    /// A book whose customers, notes, family, product, purchase, contacts, tasks and complaints hold the hostile
    /// characters: built with the shell around markers `§0`…`§4`, then every op rewritten with the markers replaced and
    /// appended to a second book without the value rules, as a book of an older version or a rule-breaking peer would
    /// hold them.
    static func hostileBook() throws -> Book {
        let source = try CSVTests.book()
        var script: [String] = []
        for index in Self.hostile.indices {
            script += [
                "add 客§\(index)户 phone=1380013800\(index) tier=钻石 risk=C3 risk_date=2026-06-01 birthday=1970-11-23 note=注§\(index)备",
                "family 客§\(index)户 家§\(index)人 relation=女儿 birthday=2004-11-24",
                "product WJ0\(index) 品§\(index)名 risk=R2",
                "price WJ0\(index) 1.05",
                "buy 客§\(index)户 WJ0\(index) amount=10万",
                "contact 客§\(index)户 call 联§\(index)系 outcome=结§\(index)果 next=today",
                "task 客§\(index)户 待§\(index)办 due=today",
                "complaint 客§\(index)户 投§\(index)诉",
                "tag 客§\(index)户 +标§\(index)签",
            ]
        }
        let (code, recorder) = run(source, script.joined(separator: "\n"))
        #expect(code == 0, "\(recorder.errors)")
        func plant(_ text: String) -> String {
            var text = text
            for (index, hostile) in Self.hostile.enumerated() {
                text = text.replacingOccurrences(of: "§\(index)", with: hostile.text)
            }
            return text
        }
        func plant(_ value: Value) -> Value {
            if case .text(let text) = value { return .text(plant(text)) }
            return value
        }
        let ops = try source.allOps().map { op in
            var op = op
            switch op.body {
            case .create(let kind, let entity, let fields):
                op.body = .create(kind: kind, entity: entity, fields: fields.map { FieldAssignment($0.field, plant($0.value)) })
            case .set(let entity, let field, let value, let pred):
                op.body = .set(entity: entity, field: field, value: plant(value), pred: pred)
            case .add(let entity, let field, let element):
                op.body = .add(entity: entity, field: field, element: plant(element))
            case .remove(let entity, let field, let element, let observed):
                op.body = .remove(entity: entity, field: field, element: plant(element), observed: observed)
            }
            return op
        }
        #expect(ops.contains { $0.valueProblem != nil }, "the planted values break today's rules")
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: CSVTests.start, seed: 77))
        try book.appendUnchecked(ops)
        #expect(try book.customerCount() == Self.hostile.count)
        return book
    }

    @Test("names, notes and product names holding CR, ESC, NUL, U+009B, U+202E are shown escaped in every listing")
    func listingsEscape() throws {
        let book = try Self.hostileBook()
        let ids = try book.find(includeArchived: true).map(\.id.short)
        #expect(ids.count == Self.hostile.count)
        var commands = [
            "find", "find 客", "find --json", "today", "today --all", "today --json", "tasks", "tasks --json", "complaints",
            "complaints --json", "products", "products --json", "journal", "journal --json", "conflicts", "status",
        ]
        for id in ids {
            commands += ["show \(id)", "show \(id) --json", "history \(id)", "history \(id) --json", "tasks \(id)"]
        }
        var seen = ""
        for styled in [false, true] {
            for command in commands {
                let (code, recorder) = Self.run(book, command, styled: styled)
                #expect(code == 0, "\(command): \(recorder.errors)")
                Self.expectClean(recorder.all, styled: styled, "\(command)\(styled ? " (styled)" : "")")
                seen += recorder.all + "\n"
            }
        }
        // Shown, escaped: every hostile character, in names, notes, family, products, contacts, tasks, complaints.
        for (label, _, shown) in Self.hostile {
            for text in ["客\(shown)户", "注\(shown)备", "家\(shown)人", "品\(shown)名", "联\(shown)系", "待\(shown)办", "投\(shown)诉"] {
                #expect(seen.contains(text), "\(label): \(text) not shown")
            }
        }
        // JSON stays valid and gives back the exact values.
        let (_, json) = Self.run(book, "find --json")
        struct Row: Decodable { var name: String }
        let decoded = try JSONDecoder().decode([Row].self, from: Data(json.output.joined().utf8))
        // (The search projection keeps a name cut at a NUL, as SQLite reads text: one more reason NUL is refused.)
        #expect(Set(decoded.map(\.name)) == Set(try book.find(includeArchived: true).map(\.name)))
        #expect(decoded.contains { $0.name == "客\u{202E}户" } && decoded.contains { $0.name == "客\u{1B}[2J户" })
    }
}
