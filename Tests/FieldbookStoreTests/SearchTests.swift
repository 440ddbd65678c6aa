import FieldbookModel
import FieldbookStore
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
