import FieldbookModel
import FieldbookShell
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// Masked ID numbers and the work-log record of every reveal (issue 19); the transcript
/// `17-chinese-and-reveal.txt` shows the same from the user's side.
@Suite("Masked ID numbers")
struct IDRevealTests {
    static let number = "110101198003081234"
    static let masked = "110101********1234"

    /// A book with one customer who has an ID number, and one who has none.
    static func book() throws -> Book {
        let book = try CSVTests.book()
        #expect(CSVTests.run(book, "add 王芳 id_number=\(number) tier=钻石; add 李明").code == 0)
        return book
    }

    /// The work-log entries that record a reveal.
    static func records(_ book: Book) throws -> [WorkLogEntry] {
        try book.workLog().filter { !$0.isPlan && $0.customer != nil }
    }

    @Test("JSON of show and history masks the number unless --reveal")
    func jsonMasks() throws {
        let book = try Self.book()
        for line in ["show 王芳 --json", "history 王芳 --json", "conflicts --json", "show 王芳", "history 王芳"] {
            let result = CSVTests.run(book, line)
            #expect(result.code == 0)
            #expect(!result.output.joined().contains(Self.number), "\(line)")
        }
        #expect(CSVTests.run(book, "show 王芳 --json").output.joined().contains("\"id_number\": \"\(Self.masked)\""))
        #expect(try Self.records(book).isEmpty)
        #expect(CSVTests.run(book, "show 王芳 --reveal --json").output.joined().contains("\"id_number\": \"\(Self.number)\""))
        #expect(CSVTests.run(book, "history 王芳 --reveal --json").output.joined().contains("id_number=\(Self.number)"))
        #expect(try Self.records(book).count == 2)
    }

    @Test("a reveal is a journal entry in the principal's scope that every peer accepts, and holds no ID number")
    func recordIsCompatible() throws {
        let book = try Self.book()
        let before = try book.opCount()
        #expect(CSVTests.run(book, "show 王芳 --reveal").code == 0)
        #expect(CSVTests.run(book, "show 李明 --reveal").code == 0)  // no ID number: nothing revealed, nothing recorded
        #expect(try book.opCount() == before + 1)
        let op = try #require(try book.allOps().first { if case .create(.worklog, _, _) = $0.body { true } else { false } })
        #expect(op.scope == .principal("M001"))
        #expect(op.valueProblem == nil)
        guard case .create(let kind, _, let fields) = op.body else {
            Issue.record("not a create")
            return
        }
        #expect(kind == .worklog)
        #expect(fields.contains { $0.field == Schema.F.entry && $0.value == .text("journal") })
        let customer = try book.resolveCustomer("王芳")
        #expect(fields.contains { $0.field == Schema.F.customer && $0.value == .text(customer.text) })
        #expect(!fields.contains { $0.value.display.contains(Self.number) || $0.value.display.contains("王芳") })
        // Every value of the record is one the current schema already accepted before issue 19.
        for field in fields { #expect(Schema.field(field.field)?.accepts(field.value) == true) }
    }

    @Test("export masks unless --with-id-numbers, which records one entry per customer shown; import skips a mask")
    func exportAndImport() throws {
        let book = try Self.book()
        let folder = TemporaryDirectory()
        let masked = folder.path + "/masked.csv"
        let whole = folder.path + "/whole.csv"
        #expect(CSVTests.run(book, "export csv \(masked)").code == 0)
        let maskedText = try String(contentsOfFile: masked, encoding: .utf8)
        #expect(maskedText.contains(Self.masked) && !maskedText.contains(Self.number))
        #expect(try Self.records(book).isEmpty)
        #expect(CSVTests.run(book, "export csv \(whole) --with-id-numbers").code == 0)
        #expect(try String(contentsOfFile: whole, encoding: .utf8).contains(Self.number))
        #expect(try Self.records(book).count == 1)  // 李明 has no ID number

        // Importing the masked export back changes nothing, into this book; a dry run accepts it too.
        let ops = try book.opCount()
        #expect(CSVTests.run(book, "import csv \(masked) --dry-run").code == 0)
        let imported = CSVTests.run(book, "import csv \(masked)")
        #expect(imported.code == 0, "\(imported.error)")
        #expect(try book.opCount() == ops)
        let card = try #require(try book.snapshot(of: try book.resolveCustomer("王芳")))
        #expect(card.text(Schema.F.idNumber) == Self.number)
    }

    @Test("a mask is the first 6 and last 4 characters; only that shape counts as one on import")
    func maskShape() {
        for (cell, isMask): (String, Bool) in [
            (Self.masked, true), ("110105********002X", true), (Self.number, false),
            ("110101*******1234", false), ("1101011********234", false), ("", false),
        ] {
            #expect(CSVTests.maskLike(cell) == isMask, "\(cell)")
        }
    }
}

extension CSVTests {
    /// Whether import treats a cell as a masked ID number: it then leaves the customer's number as it is.
    static func maskLike(_ cell: String) -> Bool {
        let book = try! CSVTests.book()
        let folder = TemporaryDirectory()
        let path = folder.path + "/one.csv"
        try! "name,id_number\n赵敏,\(cell)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = run(book, "import csv \(path)")
        // A mask is skipped (the row is added without a number); anything else is parsed and refused or written.
        return result.code == 0 && (try? book.snapshot(of: book.resolveCustomer("赵敏"))?.value(Schema.F.idNumber)) == nil
            && !cell.isEmpty
    }
}
