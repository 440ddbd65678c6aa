import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

/// What a book keeps on disk (issue 20): the first pull's compaction, and no index that no query reads.
@Suite("Book size")
struct BookSizeTests {
    /// A manager's ops: customers with notes, a tag and contacts, as another device would send them.
    static func history(customers: Int) throws -> [Op] {
        let source = try memoryBook("M001", seed: 11)
        for index in 0..<customers {
            let id = try addCustomer(source, "客户\(index)", [FieldAssignment(Schema.F.phone, .text("138\(10_000_000 + index)"))])
            try source.write { tx in
                try tx.set(id, Schema.F.note, .text("年初电话回访，关注理财 \(index)"))
                try tx.add(id, Schema.F.tags, index % 2 == 0 ? "理财沙龙" : "VIP")
                try tx.create(.contact, scope: .customer(id), fields: [
                    FieldAssignment(Schema.F.channel, .text("call")), FieldAssignment(Schema.F.text, .text("电话回访第\(index)次")),
                ])
            }
        }
        return try source.allOps()
    }

    static func pragma(_ book: Book, _ name: String) throws -> Int {
        try book.database.read { db in try Int.fetchOne(db, sql: "PRAGMA \(name)") ?? 0 }
    }

    @Test("the DONE that ends the first pull compacts the book: fewer pages, none free, the same ops in the same order, the same state")
    func firstPullCompacts() throws {
        let directory = TemporaryDirectory()
        let ops = try Self.history(customers: 300)
        let book = try Book.create(at: directory.file("book.sqlite"), principal: "M001",
                                   options: .fixed(milliseconds: 1_795_400_000_000, seed: 12))
        for start in stride(from: 0, to: ops.count, by: 500) {
            try book.applyRemote(Array(ops[start..<min(ops.count, start + 500)]), meta: Book.SyncState.rows(for: .deltaApplied(seq: 1)))
        }
        let pages = try Self.pragma(book, "page_count")
        let order = try book.allOps().map(\.id)
        let hash = try book.stateHash()
        #expect(order == ops.map(\.id))

        try book.record(.done(cursor: 40, clean: true))
        #expect(try Self.pragma(book, "page_count") < pages)
        #expect(try Self.pragma(book, "freelist_count") == 0)
        #expect(try book.allOps().map(\.id) == order)
        #expect(try book.stateHash() == hash)
        #expect(try book.stateHash() == book.stateHashRecomputed())
        #expect(try book.verifyProjections() == [])
        #expect(try book.check().isClean)
        #expect(try book.syncCursor() == 40)
        #expect(try book.find(text: "客户12").map(\.name).contains("客户12"))
    }

    @Test("a later DONE does not compact: the pages a purge freed stay free for the next writes")
    func laterPullsDoNotCompact() throws {
        let directory = TemporaryDirectory()
        let ops = try Self.history(customers: 120)
        let book = try Book.create(at: directory.file("book.sqlite"), principal: "M001",
                                   options: .fixed(milliseconds: 1_795_400_000_000, seed: 13))
        try book.applyRemote(ops)
        try book.record(.done(cursor: 5, clean: true))
        let customers = try book.find(limit: 60).map(\.id)
        try book.purge(customers.map { Book.PurgeRecord(customer: $0, reason: 2, newOwner: nil) })
        let free = try Self.pragma(book, "freelist_count")
        #expect(free > 0)
        try book.record(.done(cursor: 9, clean: true))
        #expect(try Self.pragma(book, "freelist_count") == free)
        #expect(try book.check().isClean)
    }

    @Test("nothing is stored twice: the registers have no (field, value) index, the log no time index and no entity column beside its body's")
    func noDuplicateIndexes() throws {
        let book = try memoryBook()
        let indexes = try book.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        #expect(!indexes.contains("reg_value_field"))
        #expect(!indexes.contains("op_hlc"))
        #expect(indexes.contains("op_scope"))
        #expect(try book.database.read { db in try db.columns(in: "op").map(\.name) }
            == ["actor", "counter", "hlc", "scope", "principal", "schema", "body"])
    }
}
