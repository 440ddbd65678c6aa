import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

/// `Book.check()` and the storage faults of issue 9: a damaged log, a full disk, a locked book, a corrupt file.
@Suite("Storage faults and the integrity check")
struct StorageFaultTests {
    let directory = TemporaryDirectory()

    func makeBook(customers: Int = 3) throws -> (Book, String) {
        let path = directory.file("book-\(UUID().uuidString.prefix(8)).sqlite")
        let book = try Book.create(at: path, principal: "M001")
        for index in 0..<customers { _ = try addCustomer(book, "客户\(index)", [FieldAssignment(Schema.F.note, .text("备注"))]) }
        return (book, path)
    }

    @Test("a healthy book passes every check, and the check changes nothing")
    func clean() throws {
        let (book, _) = try makeBook()
        let hash = try book.stateHash()
        let report = try book.check()
        #expect(report.isClean, "\(report.problems)")
        #expect(report.checks.count == 6)
        #expect(try book.stateHash() == hash)
        #expect(try book.opCount() == 3)
    }

    @Test("each broken invariant is reported by name, without customer data")
    func brokenInvariants() throws {
        let cases: [(String, String)] = [
            ("UPDATE customer SET tier = '钻石'", "投影与操作日志不一致：customer"),
            ("UPDATE meta SET value = '1' WHERE key = 'counter'", "保存的操作计数器 1 落后于日志中的最大编号 3"),
            (
                "INSERT INTO op SELECT actor, counter + 7, hlc, scope, principal, schema, body FROM op WHERE counter = 1",
                "本机操作编号不连续：共 4 个，最大编号 8"
            ),
            (
                "INSERT INTO op SELECT actor, counter + 1, hlc, 'x:什么', principal, schema, body FROM op WHERE counter = 3",
                "1 个操作的范围无法识别"
            ),
        ]
        for (sql, expected) in cases {
            let (book, path) = try makeBook()
            // Damage the file the way another SQLite client could.
            let raw = try DatabaseQueue(path: path)
            try raw.write { db in
                try db.execute(sql: "DROP TRIGGER IF EXISTS op_no_update")
                try db.execute(sql: sql)
            }
            let report = try book.check()
            #expect(report.problems.contains { $0.contains(expected) }, "\(sql): \(report.problems)")
            #expect(!report.problems.joined().contains("客户0") && !report.problems.joined().contains("备注"), "no customer data")
        }
    }

    @Test("a purge leaves gaps in the own counters that the check accepts")
    func purgedGaps() throws {
        let (book, _) = try makeBook()
        let first = try book.resolveCustomer("客户0")
        try book.purge([Book.PurgeRecord(customer: first, reason: 1, newOwner: "M002")])
        #expect(try book.opCount() == 2)
        let report = try book.check()
        #expect(report.isClean, "\(report.problems)")
    }

    @Test("disk full: a clear error, nothing written, and the book still passes its check")
    func diskFull() throws {
        let (book, _) = try makeBook()
        // SQLite's page limit stands in for a full disk (tests run as root, so a full file system is not at hand).
        let pages = try book.database.read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 }
        try book.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages)") }
        let note = String(repeating: "很长的备注", count: 600)
        let full = #expect(throws: StoreError.self) {
            _ = try addCustomer(book, "新客户", [FieldAssignment(Schema.F.note, .text(note))])
        }
        #expect(full?.message == "磁盘已满，这次修改没有保存")
        #expect(try book.opCount() == 3)
        #expect(try book.customerCount() == 3)
        #expect(try book.check().isClean)
        // With room again, the same change goes through.
        try book.database.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = 1073741823") }
        _ = try addCustomer(book, "新客户", [FieldAssignment(Schema.F.note, .text(note))])
        #expect(try book.opCount() == 4)
        #expect(try book.check().isClean)
    }

    @Test("a book locked by another process: a clear error after the busy timeout, nothing written")
    func locked() throws {
        let (book, path) = try makeBook()
        let busy = try ExclusiveLock.holding(path) {
            #expect(throws: StoreError.self) { _ = try addCustomer(book, "新客户") }
        }
        #expect(busy?.message == "账本正被另一个程序使用，请稍后再试")
        #expect(try book.opCount() == 3)
        _ = try addCustomer(book, "新客户")
        #expect(try book.opCount() == 4)
    }

    @Test("a corrupt file: opening or checking fails clearly, never silently")
    func corrupt() throws {
        let path: String
        do {
            let (book, made) = try makeBook(customers: 200)
            path = made
            try book.database.writeWithoutTransaction { _ = try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        // Garbage over the middle pages: the header survives, so the file opens, and the check must notice.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        let size = try handle.seekToEnd()
        #expect(size > 4096 * 8)
        try handle.seek(toOffset: 4096 * 3)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096 * 3))
        try handle.close()
        let outcome = Result { () throws(StoreError) -> IntegrityReport in try Book.open(at: path).check() }
        switch outcome {
        case .success(let report): #expect(!report.isClean)
        case .failure(let error): #expect(error.code == .corrupt, "\(error.message)")
        }

        // Garbage over the header: not a book at all.
        let other = directory.file("not-a-book.sqlite")
        FileManager.default.createFile(atPath: other, contents: Data(repeating: 0x42, count: 8192))
        let notABook = #expect(throws: StoreError.self) {
            _ = try Book.open(at: other)
        }
        #expect(notABook?.code == .corrupt)
    }
}
