import FieldbookModel
import FieldbookShell
import FieldbookStore
import Testing

/// `buy` asks before recording a sale that needs a suitability warning when the shell is interactive.
@Suite("Suitability confirmation")
struct SuitabilityTests {
    static func session(answer: Bool?) throws -> (Session, Collector, Book) {
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000, seed: 3))
        let collector = Collector()
        let session = Session(book: book, output: collector.output)
        for line in ["add 王芳 risk=C2 risk_date=2026-10-01", "product GF300 沪深300 risk=R4", "price GF300 1.0"] {
            try session.execute(try Tokenizer.split(line)[0])
        }
        if let answer { session.confirm = { _ in answer } }
        return (session, collector, book)
    }

    static func purchases(_ book: Book) throws -> [Holding] {
        try book.holdings(customer: try book.resolveCustomer("王芳"))
    }

    @Test func declinedInteractivelyRecordsNothing() throws {
        let (session, collector, book) = try Self.session(answer: false)
        let before = try book.opCount()
        try session.execute(["buy", "王芳", "GF300", "amount=10万"])
        #expect(try book.opCount() == before)
        #expect(try Self.purchases(book).isEmpty)
        #expect(collector.lines.contains { $0.hasPrefix("适当性提示：产品风险等级 R4 高于客户的风险评估 C2") })
        #expect(collector.lines.last == "已取消，没有记录")
    }

    @Test func confirmedInteractivelyRecordsTheWarning() throws {
        let (session, _, book) = try Self.session(answer: true)
        try session.execute(["buy", "王芳", "GF300", "amount=10万"])
        let purchase = try #require(try Self.purchases(book).first)
        #expect(purchase.warning == "产品风险等级 R4 高于客户的风险评估 C2")
        #expect(purchase.price == 10_000)
    }

    @Test func batchModeNeedsConfirmAndChangesNothingWithout() throws {
        let (session, _, book) = try Self.session(answer: nil)
        let before = try book.opCount()
        #expect(throws: ShellError.self) { try session.execute(["buy", "王芳", "GF300", "amount=10万"]) }
        #expect(try book.opCount() == before)
        try session.execute(["buy", "王芳", "GF300", "amount=10万", "--confirm"])
        #expect(try Self.purchases(book).count == 1)
    }

    @Test func noWarningNoQuestion() throws {
        let (session, _, book) = try Self.session(answer: false)
        try session.execute(["product", "JX1", "稳健", "risk=R2"])
        try session.execute(["buy", "王芳", "JX1", "amount=10万", "price=1"])
        #expect(try Self.purchases(book).first?.warning == nil)
    }
}
