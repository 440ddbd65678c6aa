import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

@Suite("The op log")
struct OpLogTests {
    @Test("UPDATE and DELETE on the op table are refused by triggers")
    func insertOnly() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let book = try Book.create(at: path, principal: "M001", options: .fixed(milliseconds: 1_795_400_000_000))
        let id = try addCustomer(book, "王芳")
        #expect(try book.opCount() == 1)

        // Open the file directly, as any other SQLite client could.
        let raw = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "UPDATE op SET principal = 'X'") } }
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "DELETE FROM op") } }
        #expect(throws: DatabaseError.self) { try raw.write { try $0.execute(sql: "UPDATE op SET hlc = hlc + 1") } }
        #expect(try raw.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM op") } == 1)

        // A purge of the op's scope (the only deletion a book does) is the one way through.
        try raw.write { db in
            let scope = "(SELECT no FROM scope_key WHERE key = ?)"
            try db.execute(sql: "INSERT INTO purging (scope) VALUES (\(scope))", arguments: [Scope.customer(id).key])
            try db.execute(sql: "DELETE FROM op WHERE scope = \(scope)", arguments: [Scope.customer(id).key])
            try db.execute(sql: "DELETE FROM purging")
        }
        #expect(try raw.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM op") } == 0)
    }

    @Test("A book file is created readable by its owner only")
    func permissions() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        _ = try Book.create(at: path, principal: "M001")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(throws: StoreError.self) { try Book.create(at: path, principal: "M001") }
    }

    @Test("A book on disk, created or reopened, commits in WAL mode with synchronous=FULL")
    func fullSync() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        for book in [try Book.create(at: path, principal: "M001"), try Book.open(at: path)] {
            // GRDB's WAL set-up leaves NORMAL (1); FULL is 2.
            let (mode, journal) = try book.database.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
            }
            #expect(mode == 2)
            #expect(journal == "wal")
        }
    }

    @Test("A failing change rolls back every op it appended")
    func atomicWrites() throws {
        let book = try memoryBook()
        try addCustomer(book, "王芳")
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try book.write { tx in
                try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("李明"))])
                throw Boom()
            }
        }
        #expect(try book.opCount() == 1)
        #expect(try book.find(text: "李明").isEmpty)
    }

    @Test("Counters are dense and the clock never goes back, even across a reopen with an earlier wall clock")
    func countersAndClock() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let early = try Book.create(at: path, principal: "M001", options: .fixed(milliseconds: 1_795_400_000_000))
        for index in 0..<5 { try addCustomer(early, "客户\(index)") }
        let last = try early.allOps().map(\.hlc).max()!
        // The wall clock is now a day earlier.
        let reopened = try Book.open(at: path, options: .fixed(milliseconds: 1_795_300_000_000, seed: 2))
        try addCustomer(reopened, "后来的客户")
        let ops = try reopened.allOps()
        #expect(ops.map(\.id.counter) == [1, 2, 3, 4, 5, 6])
        #expect(ops.last!.hlc > last)
        #expect(try reopened.versionVector()[reopened.actor] == 6)
    }

    @Test("Admin-only fields are refused on a device, except owning what it creates")
    func permissionsOnFields() throws {
        let book = try memoryBook()
        let id = try addCustomer(book, "王芳")
        #expect(try book.snapshot(of: id)?.value(Schema.F.owner) == .text("M001"))
        #expect(throws: StoreError.self) { try book.write { tx in try tx.set(id, Schema.F.owner, .text("M002")) } }
        #expect(throws: StoreError.self) { try book.write { tx in try tx.add(id, Schema.F.cocoverers, "W001") } }
        #expect(throws: StoreError.self) {
            try book.write { tx in try tx.set(id, FieldID(rawValue: 30), .text("儿子")) }  // a family field
        }
        #expect(try book.opCount() == 1)
    }

    @Test("Structurally invalid remote ops reject the whole batch")
    func invalidRemoteBatch() throws {
        let book = try memoryBook()
        let other = try memoryBook("W001", seed: 2)
        try addCustomer(other, "王芳")
        var ops = try other.allOps()
        var bad = ops[0]
        bad.scope = .global
        ops.append(bad)
        #expect(throws: StoreError.self) { try book.applyRemote(ops) }
        #expect(try book.opCount() == 0)
    }
}
