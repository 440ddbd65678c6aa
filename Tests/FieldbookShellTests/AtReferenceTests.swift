import FieldbookModel
import FieldbookShell
import FieldbookStore
import Testing

/// `@`: every customer of the last listing of the session (issue 18), asked about above 20 customers.
@Suite("@ names the last listing")
struct AtReferenceTests {
    /// A book with 25 diamond customers and 3 gold ones, and a session on it (batch mode: no questions).
    static func session() throws -> (Session, Collector) {
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000))
        let collector = Collector()
        let session = Session(book: book, output: collector.output)
        for n in 1...25 { try session.execute(["add", "钻石客户\(n)", "tier=钻石"]) }
        for n in 1...3 { try session.execute(["add", "金葵花客户\(n)", "tier=金葵花"]) }
        return (session, collector)
    }

    @Test("interactively, more than 20 customers asks y/N; no changes nothing, yes acts on all in one go")
    func asksAbove20() throws {
        for answer in [false, true] {
            let (session, collector) = try Self.session()
            let questions = QuestionLog()
            session.confirm = { questions.append($0); return answer }
            try session.execute(["find", "tier=钻石"])
            let before = try session.book.opCount()
            try session.execute(["tag", "@", "+年末沙龙"])
            #expect(questions.all == ["@ 指 25 位客户，确定要改标签（+年末沙龙）吗？"])
            let tagged = try session.book.find(CustomerQuery(filters: [try .parse("tag=年末沙龙", today: session.book.today)]))
            if answer {
                #expect(tagged.total == 25)
                #expect(collector.lines.last == "已为 25 位客户改标签（+年末沙龙）")
                #expect(try session.book.opCount() == before + 25)
            } else {
                #expect(tagged.total == 0)
                #expect(collector.lines.last == "已取消，没有改动")
                #expect(try session.book.opCount() == before)
            }
        }
    }

    @Test("20 or fewer customers are not asked about; the listing is of this session only")
    func noQuestionAtOrBelow20() throws {
        let (session, collector) = try Self.session()
        try session.execute(["find", "tier=金葵花"])
        try session.execute(["task", "@", "发送新品介绍", "due=tomorrow"])
        #expect(collector.lines.last?.hasPrefix("已为 3 位客户各建一条待办：11-24") == true)
        #expect(collector.lines.last?.hasSuffix("发送新品介绍") == true)
        #expect(try session.book.entities(kind: .task).count == 3)
        // A new session has no listing.
        let other = Session(book: session.book, output: Collector().output)
        #expect(throws: ShellError.self) { try other.execute(["plan", "@"]) }
        // In batch mode, more than 20 needs --confirm.
        try session.execute(["find", "tier=钻石"])
        #expect(throws: ShellError.self) { try session.execute(["plan", "@"]) }
        try session.execute(["plan", "@", "--confirm"])
        #expect(collector.lines.last?.hasPrefix("已把 25 位客户加入 11-24") == true)
    }

    @Test("archived customers leave @ unless the listing asked for them")
    func archivedLeaveAt() throws {
        let (session, _) = try Self.session()
        try session.execute(["archive", "金葵花客户1"])
        try session.execute(["find", "tier=金葵花"])
        #expect(session.lastListing?.count == 2)
        try session.execute(["find", "tier=金葵花", "--archived"])
        #expect(session.lastListing?.count == 3)
    }
}

/// The questions a test session was asked.
final class QuestionLog: @unchecked Sendable {
    // @unchecked because the session asks from the test's own thread only.
    private(set) var all: [String] = []
    func append(_ question: String) { all.append(question) }
}
