import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

/// ``CheckpointPolicy``: the shell's book checkpoints its WAL between commands, never inside a commit below the
/// ceiling, and commits exactly as durably as before (issue 20).
@Suite("Checkpoints between commands")
struct CheckpointTests {
    static func options(_ checkpoints: CheckpointPolicy) -> BookOptions {
        var options = BookOptions.fixed(milliseconds: 1_795_400_000_000)
        options.checkpoints = checkpoints
        return options
    }

    /// One commit of `count` new customers.
    static func addCustomers(_ book: Book, _ count: Int, from first: Int) throws {
        try book.write { tx in
            for n in first..<first + count {
                _ = try tx.create(.customer, scope: nil, fields: [
                    FieldAssignment(Schema.F.name, .text("客户\(n)")), FieldAssignment(Schema.F.note, .text("第\(n)位，到期提醒")),
                ])
            }
        }
    }

    static func pragmas(_ book: Book) throws -> (autocheckpoint: Int?, synchronous: Int?, journal: String?) {
        try book.database.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            )
        }
    }

    static func walBytes(_ book: Book) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: book.path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The WAL file's 32-byte header.
    static func walHeader(_ book: Book) throws -> Data {
        let handle = try #require(FileHandle(forReadingAtPath: book.path + "-wal"))
        defer { try? handle.close() }
        return try handle.read(upToCount: 32) ?? Data()
    }

    static func pageSize(_ book: Book) throws -> Int {
        try book.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096 }
    }

    @Test("Between commands, created or reopened: SQLite's automatic checkpoint is off, WAL and synchronous=FULL as before")
    func pragmasBetweenCommands() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let options = Self.options(.betweenCommands())
        for book in [try Book.create(at: path, principal: "M001", options: options), try Book.open(at: path, options: options)] {
            let (autocheckpoint, synchronous, journal) = try Self.pragmas(book)
            // GRDB's WAL set-up runs after `prepareDatabase`, where the hook goes: it must not bring SQLite's back.
            #expect(autocheckpoint == 0)
            #expect(synchronous == 2)
            #expect(journal == "wal")
            #expect(book.walActivity != nil)
        }
    }

    @Test("By default a book keeps SQLite's automatic checkpoint at 1,000 pages, and checkpointIfDue does nothing")
    func automaticByDefault() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        for book in [try Book.create(at: path, principal: "M001"), try Book.open(at: path)] {
            let (autocheckpoint, synchronous, _) = try Self.pragmas(book)
            #expect(autocheckpoint == 1_000)
            #expect(synchronous == 2)
            #expect(book.walActivity == nil)
            try Self.addCustomers(book, 5, from: 0)
            #expect(try book.checkpointIfDue() == false)
        }
        let memory = try Book.inMemory(principal: "M001", options: Self.options(.betweenCommands(threshold: 1, ceiling: 1)))
        try Self.addCustomers(memory, 5, from: 0)
        #expect(try memory.checkpointIfDue() == false)
    }

    @Test("No commit checkpoints below the ceiling: the WAL passes SQLite's 1,000 pages until checkpointIfDue copies it all")
    func noCheckpointInsideCommits() throws {
        let directory = TemporaryDirectory()
        let book = try Book.create(
            at: directory.file("book.sqlite"), principal: "M001", options: Self.options(.betweenCommands(threshold: 1_000, ceiling: 100_000)))
        let page = try Self.pageSize(book)
        try Self.addCustomers(book, 20, from: 0)
        var added = 20
        // Below the threshold, between commands, nothing happens.
        #expect(book.walActivity!.frames < 1_000)
        #expect(try book.checkpointIfDue() == false)
        while book.walActivity!.frames <= 1_100, added < 20_000 {
            try Self.addCustomers(book, 20, from: added)
            added += 20
        }
        let frames = book.walActivity!.frames
        #expect(frames > 1_000)
        #expect(book.walActivity!.checkpointsBetween == 0)
        #expect(book.walActivity!.checkpointsInCommit == 0)
        // The log really holds them all: no commit copied it back and restarted it.
        #expect(Self.walBytes(book) >= 32 + frames * (page + 24))

        #expect(try book.checkpointIfDue() == true)
        #expect(book.walActivity!.checkpointsBetween == 1)
        // Everything was copied, and the log was started over (one page: the header's user_version, unchanged).
        #expect(book.walActivity!.frames == 1)
        #expect(try book.checkpointIfDue() == false)
        // So the next command's commit appends to the new log, in the same file, without starting it over: the WAL
        // header (its salts change at every restart) is the one the checkpoint wrote.
        let size = Self.walBytes(book)
        let header = try Self.walHeader(book)
        try Self.addCustomers(book, 20, from: added)
        #expect(book.walActivity!.frames > 1 && book.walActivity!.frames < 200)
        #expect(try Self.walHeader(book) == header)
        #expect(Self.walBytes(book) == size)
        #expect(try book.find(limit: 100_000).count == added + 20)
        // Nothing but that log is left to copy.
        let (logged, copied) = try book.database.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        #expect(logged == book.walActivity!.frames && copied == logged)
    }

    @Test("After a purge, which empties the WAL file, nothing is due between commands")
    func purgeEmptiesTheLog() throws {
        let directory = TemporaryDirectory()
        let book = try Book.create(
            at: directory.file("book.sqlite"), principal: "M001", options: Self.options(.betweenCommands(threshold: 50, ceiling: 10_000)))
        try Self.addCustomers(book, 10, from: 0)
        let customer = try #require(book.find(limit: 1).first?.id)
        var added = 10
        while book.walActivity!.frames < 50 {
            try Self.addCustomers(book, 10, from: added)
            added += 10
        }
        try book.purge([Book.PurgeRecord(customer: customer, reason: 1, newOwner: "M002")])
        #expect(Self.walBytes(book) == 0)
        #expect(book.walActivity!.frames == 0)
        #expect(try book.checkpointIfDue() == false)
        #expect(Self.walBytes(book) == 0)
        #expect(try book.find(limit: 1_000).count == added - 1)
    }

    @Test("A caller that never pauses keeps a bounded WAL: the commit that reaches the ceiling checkpoints")
    func ceilingBoundsTheLog() throws {
        let directory = TemporaryDirectory()
        let book = try Book.create(
            at: directory.file("book.sqlite"), principal: "M001", options: Self.options(.betweenCommands(threshold: 50, ceiling: 300)))
        let page = try Self.pageSize(book)
        var largest = 0
        var longest = 0
        for n in 0..<150 {
            let before = book.walActivity!.frames
            try Self.addCustomers(book, 10, from: n * 10)
            let after = book.walActivity!.frames
            if after > before { largest = max(largest, after - before) }
            #expect(after < 300)
            longest = max(longest, Self.walBytes(book))
        }
        #expect(book.walActivity!.checkpointsInCommit >= 2)
        #expect(book.walActivity!.checkpointsBetween == 0)
        // The file never grew past the ceiling plus one commit's pages.
        #expect(longest > 32 + 2 * 50 * (page + 24))
        #expect(longest <= 32 + (300 + largest) * (page + 24))
        // A long command whose last commit checkpointed the whole WAL: the log is started over between commands too,
        // though no checkpoint is due, and the file is cut back to twice the threshold (`journal_size_limit`).
        var more = 1_500
        let inCommit = book.walActivity!.checkpointsInCommit
        while book.walActivity!.checkpointsInCommit == inCommit, more < 5_000 {
            try Self.addCustomers(book, 10, from: more)
            more += 10
        }
        #expect(book.walActivity!.frames == 0)
        #expect(try book.checkpointIfDue() == false)
        #expect(book.walActivity!.frames == 1)
        #expect(Self.walBytes(book) <= 2 * 50 * (page + 24))
        let header = try Self.walHeader(book)
        try Self.addCustomers(book, 10, from: more)
        more += 10
        #expect(try Self.walHeader(book) == header)
        #expect(try book.find(limit: 100_000).count == more)
    }
}
