import FieldbookModel
import FieldbookStore
import GRDB
import Testing

@Suite("Search and references")
struct SearchTests {
    static func book() throws -> Book {
        let book = try memoryBook()
        try addCustomer(book, "王芳", [FieldAssignment(Schema.F.phone, .text("13800138000"))])
        try addCustomer(book, "王小明", [FieldAssignment(Schema.F.note, .text("退休教师，喜欢喝茶"))])
        try addCustomer(book, "李明", [FieldAssignment(Schema.F.tier, .text("钻石"))])
        try addCustomer(book, "欧阳娜娜", [FieldAssignment(Schema.F.note, .text("Likes Golf"))])
        return book
    }

    @Test(arguments: [
        ("王", ["王小明", "王芳"]), ("李明", ["李明"]), ("明", ["李明", "王小明"]), ("欧阳娜", ["欧阳娜娜"]),
        ("退休教师", ["王小明"]), ("喝茶", ["王小明"]), ("0013", ["王芳"]), ("golf", ["欧阳娜娜"]), ("GOLF", ["欧阳娜娜"]),
        ("go", ["欧阳娜娜"]), ("张", []), ("不存在的人", []),
    ])
    func substrings(query: String, names: [String]) throws {
        let found = try Self.book().find(text: query).map(\.name)
        #expect(found == names)
    }

    @Test func filtersAndTags() throws {
        let book = try Self.book()
        let li = try book.resolveCustomer("李明")
        try book.write { tx in try tx.add(li, Schema.F.tags, "VIP") }
        #expect(try book.find(filters: [(Schema.F.tier, .text("钻石"))]).map(\.name) == ["李明"])
        #expect(try book.find(text: "明", tags: ["VIP"]).map(\.name) == ["李明"])
        #expect(try book.find(tags: ["沙龙"]).isEmpty)
        try book.write { tx in try tx.set(li, Schema.F.archived, .bool(true)) }
        #expect(try book.find(text: "李").isEmpty)
        #expect(try book.find(text: "李", includeArchived: true).map(\.name) == ["李明"])
    }

    @Test func searchFollowsEdits() throws {
        let book = try Self.book()
        let id = try book.resolveCustomer("王芳")
        try book.write { tx in try tx.set(id, Schema.F.name, .text("王芳芳")) }
        #expect(try book.find(text: "王芳芳").map(\.name) == ["王芳芳"])
        try book.write { tx in try tx.set(id, Schema.F.phone, .null) }
        #expect(try book.find(text: "0013").isEmpty)
    }

    /// What `find` answers with a pending index entry and once the index caught up: the current name, phone and
    /// note only (migration v10: a changed text is re-indexed between commands from 64 pending customers, or inside
    /// the commit that makes 256 wait).
    static func expectCurrentText(_ book: Book, _ expected: [(String, [String])]) throws {
        for (query, names) in expected {
            #expect(try book.find(text: query).map(\.name) == names, "find \(query)")
            #expect(try book.find(CustomerQuery(text: query)).matches.map(\.customer.name) == names, "segment \(query)")
        }
    }

    static func pending(_ book: Book) throws -> Int {
        try book.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer_fts_pending") ?? 0 }
    }

    @Test func noteEditsKeepFindRight() throws {
        let book = try Self.book()
        let id = try book.resolveCustomer("王小明")
        try book.write { tx in try tx.set(id, Schema.F.note, .text("计划买养老保险")) }
        let expected = [
            ("退休教师", [String]()), ("喜欢喝茶", []), ("喝茶", []), ("养老保险", ["王小明"]), ("养老", ["王小明"]),
            ("买养老", ["王小明"]), ("0013", ["王芳"]), ("欧阳娜", ["欧阳娜娜"]), ("golf", ["欧阳娜娜"]),
        ]
        #expect(try Self.pending(book) > 0)
        try Self.expectCurrentText(book, expected)
        // Back to the text the index still holds, then on.
        try book.write { tx in try tx.set(id, Schema.F.note, .text("退休教师，喜欢喝茶")) }
        try Self.expectCurrentText(book, [("喜欢喝茶", ["王小明"]), ("养老保险", [])])
        try book.write { tx in try tx.set(id, Schema.F.note, .text("计划买养老保险")) }
        #expect(try book.verifyProjections() == [])  // catches the index up, then checks it
        #expect(try Self.pending(book) == 0)
        try Self.expectCurrentText(book, expected)
    }

    @Test func theIndexCatchesUpBetweenCommandsOrInsideTheCommitOf256() throws {
        let book = try memoryBook()
        var ids: [EntityID] = []
        for index in 0..<300 {
            ids.append(try addCustomer(book, "客户\(index)号", [FieldAssignment(Schema.F.note, .text("原来的备注\(index)号"))]))
        }
        // Nothing paused between commands: the 256th new customer re-indexed the first 256 inside its own commit.
        #expect(try Self.pending(book) == 44)
        #expect(try book.catchUpSearchIndexIfDue() == false, "44 wait: below the threshold of 64")
        #expect(try Self.pending(book) == 44)
        for round in 0..<3 {
            for (index, id) in ids.enumerated() {
                try book.write { tx in try tx.set(id, Schema.F.note, .text("第\(round)轮备注\(index)号")) }
                // From round 1 on, what the shell does after each command.
                if round > 0 {
                    let due = try Self.pending(book) >= Book.searchIndexThreshold
                    #expect(try book.catchUpSearchIndexIfDue() == due)
                    #expect(try Self.pending(book) < Book.searchIndexThreshold)
                }
            }
            #expect(try Self.pending(book) < (round == 0 ? 256 : Book.searchIndexThreshold))
            for index in stride(from: 0, to: ids.count, by: 23) {
                try Self.expectCurrentText(book, [
                    ("第\(round)轮备注\(index)号", ["客户\(index)号"]), ("原来的备注\(index)号", []),
                    ("轮备注\(index)号", ["客户\(index)号"]), ("客户\(index)号", ["客户\(index)号"]),
                ])
                if round > 0 { try Self.expectCurrentText(book, [("第\(round - 1)轮备注\(index)号", [])]) }
            }
        }
        let archived = ids[5]
        try book.write { tx in try tx.set(archived, Schema.F.archived, .bool(true)) }
        #expect(try book.find(text: "第2轮备注5号").isEmpty)
        #expect(try book.find(text: "第2轮备注5号", includeArchived: true).map(\.id) == [archived])
        #expect(try book.verifyProjections() == [])
        #expect(try book.check().isClean)
    }

    @Test func references() throws {
        let book = try Self.book()
        let id = try book.resolveCustomer("李明")
        #expect(try book.resolveCustomer(String(id.text.prefix(4))) == id)
        #expect(try book.resolveCustomer(id.short.uppercased()) == id)
        #expect(try book.resolveCustomer(id.text) == id)
        #expect(throws: StoreError.self) { try book.resolveCustomer("李") }
        #expect(throws: StoreError.self) { try book.resolveCustomer("abc") }  // too short to be a prefix

        try addCustomer(book, "李明")
        do {
            _ = try book.resolveCustomer("李明")
            Issue.record("expected ambiguity")
        } catch {
            #expect(error.code == .ambiguous)
            #expect(!error.message.contains("李明"), "names in errors are masked")
            #expect(error.message.contains("李*"))
        }
    }
}
