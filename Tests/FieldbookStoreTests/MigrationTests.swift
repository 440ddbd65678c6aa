import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

/// Books written by an earlier Fieldbook open with the current one: the migrations run, nothing is lost.
@Suite("Migrations")
struct MigrationTests {
    /// Undoes migration v10 in an open book: the index caught up, the pending table gone, the triggers as v1 and v3
    /// made them.
    static func downgradeToV9(_ db: Database) throws {
        try Book.catchUpSearchIndex(db)
        try db.execute(
            sql: """
                DROP TABLE customer_fts_pending;
                DROP TRIGGER customer_ai;
                DROP TRIGGER customer_ad;
                DROP TRIGGER customer_au;
                CREATE TRIGGER customer_ai AFTER INSERT ON customer BEGIN
                    INSERT INTO customer_fts (rowid, search) VALUES (new.rowid, new.search);
                END;
                CREATE TRIGGER customer_ad AFTER DELETE ON customer BEGIN
                    INSERT INTO customer_fts (customer_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
                END;
                CREATE TRIGGER customer_au AFTER UPDATE OF search ON customer WHEN old.search IS NOT new.search
                BEGIN
                    INSERT INTO customer_fts (customer_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
                    INSERT INTO customer_fts (rowid, search) VALUES (new.rowid, new.search);
                END;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v10%';
                """)
    }

    /// Turns a current book back into what migrations v1 and v2 alone made: the triggers and the hash cache as they
    /// were, and the later migrations not yet applied.
    static func downgradeToV2(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try downgradeToV9(db)
            try db.execute(
                sql: """
                    DROP TRIGGER customer_au;
                    CREATE TRIGGER customer_au AFTER UPDATE OF search ON customer BEGIN
                        INSERT INTO customer_fts (customer_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
                        INSERT INTO customer_fts (rowid, search) VALUES (new.rowid, new.search);
                    END;
                    DROP TRIGGER op_delete_drops_scope_hash;
                    -- v2's cache: one SHA-256 per scope, no count of entities (v7 replaced it with sums). A row in
                    -- the old form stays, so the upgrade must replace it, not trust it.
                    DROP TABLE scope_hash;
                    CREATE TABLE scope_hash (scope TEXT PRIMARY KEY NOT NULL, hash BLOB NOT NULL) WITHOUT ROWID;
                    INSERT INTO scope_hash (scope, hash) SELECT scope, randomblob(32) FROM (SELECT DISTINCT scope FROM op);
                    CREATE TRIGGER op_delete_drops_scope_hash AFTER DELETE ON op
                    BEGIN DELETE FROM scope_hash WHERE scope = OLD.scope; END;
                    -- v6 made `purged_contact`; `purge_log` stays, as the lazily created table of an older purge.
                    DROP TABLE purged_contact;
                    CREATE TABLE IF NOT EXISTS purge_log (
                        customer TEXT NOT NULL, reason INTEGER NOT NULL, new_owner TEXT, at INTEGER NOT NULL);
                    DELETE FROM grdb_migrations WHERE identifier NOT IN ('v1', 'v2: scope hash cache');
                    """)
        }
    }

    @Test("A book from before v3 and v4 opens with its data, its hash and a working search; purges and edits still drop the cached whole-book hash")
    func upgradeFromV2() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let options = BookOptions.fixed(milliseconds: 1_795_400_000_000, seed: 3)
        var hash: [UInt8] = []
        var ids: [EntityID] = []
        do {
            let book = try Book.create(at: path, principal: "M001", options: options)
            ids.append(try addCustomer(book, "王芳", [FieldAssignment(Schema.F.phone, .text("13800138000"))]))
            ids.append(try addCustomer(book, "李明"))
            hash = try book.stateHash()
        }
        try Self.downgradeToV2(path)

        let book = try Book.open(at: path, options: options)
        #expect(try book.stateHash() == hash)
        #expect(try book.stateHash() == book.stateHashRecomputed())
        #expect(try book.find(text: "王芳").map(\.id) == [ids[0]])
        #expect(try book.verifyProjections() == [])

        // The v3 trigger: a rename re-indexes, a tier change leaves the search text alone.
        try book.write { tx in try tx.set(ids[0], Schema.F.name, .text("欧阳芳")) }
        try book.write { tx in try tx.set(ids[0], Schema.F.tier, .text("钻石")) }
        #expect(try book.find(text: "欧阳").map(\.tier) == ["钻石"])
        #expect(try book.find(text: "王芳").isEmpty)

        // The v4 trigger: a purge drops the cached whole-book hash with the scope's.
        let before = try book.stateHash()
        #expect(try book.purge([Book.PurgeRecord(customer: ids[1], reason: 2, newOwner: nil)]).count == 1)
        #expect(try book.stateHash() != before)
        #expect(try book.stateHash() == book.stateHashRecomputed())
        #expect(try book.verifyProjections() == [])
        #expect(try book.check().isClean)
    }

    @Test("v7 replaces the cached SHA-256 of each scope by the sum of its fact digests, equal to the in-memory replica's")
    func upgradeToSums() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let options = BookOptions.fixed(milliseconds: 1_795_400_000_000, seed: 4)
        var ids: [EntityID] = []
        do {
            let book = try Book.create(at: path, principal: "M001", options: options)
            ids.append(try addCustomer(book, "王芳", [FieldAssignment(Schema.F.tier, .text("钻石"))]))
            ids.append(try addCustomer(book, "李明"))
            try book.write { tx in _ = try tx.set(ids[0], Schema.F.tier, .text("金葵花")) }
        }
        try Self.downgradeToV2(path)

        let book = try Book.open(at: path, options: options)
        var replica = Replica()
        for op in try book.allOps() { replica.apply(op) }
        #expect(try book.stateHash() == replica.stateHash())
        for id in ids {
            #expect(try book.stateHash(scope: .customer(id)) == replica.stateHash(scope: .customer(id)))
        }
        #expect(try book.check().isClean)
        // And the projector keeps the migrated sums from then on.
        try book.write { tx in _ = try tx.set(ids[1], Schema.F.note, .text("回访")) }
        replica = Replica()
        for op in try book.allOps() { replica.apply(op) }
        #expect(try book.stateHash() == replica.stateHash())
        #expect(try book.stateHash() == book.stateHashRecomputed())
    }
    @Test("v9 drops the (field, value) index of the registers, the log's time index and its entity column; search and segments still answer (the centre's owner lookup: CentralOwnerIndexTests)")
    func upgradeDropsIndexes() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let options = BookOptions.fixed(milliseconds: 1_795_400_000_000, seed: 5)
        var ids: [EntityID] = []
        do {
            let book = try Book.create(at: path, principal: "M001", options: options)
            ids.append(try addCustomer(book, "王芳", [FieldAssignment(Schema.F.tier, .text("钻石"))]))
            ids.append(try addCustomer(book, "李明"))
            try book.write { tx in _ = try tx.set(ids[0], Schema.F.note, .text("关注理财")) }
        }
        // Back to v8: the two indexes as v1 made them, the log's entity column (its values do not matter: v9 drops
        // it, and the ops are read from their bodies), v9 not applied.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE INDEX reg_value_field ON reg_value (field, value);
                    CREATE INDEX op_hlc ON op (hlc);
                    ALTER TABLE op ADD COLUMN entity BLOB NOT NULL DEFAULT x'00';
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v9%';
                    """)
        }
        try queue.close()

        let book = try Book.open(at: path, options: options)
        let indexes = try book.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        #expect(!indexes.contains("reg_value_field") && !indexes.contains("op_hlc"))
        #expect(try book.database.read { db in try db.columns(in: "op").map(\.name) }
            == ["actor", "counter", "hlc", "scope", "principal", "schema", "body"])
        let ops = try book.allOps()
        #expect(ops.count == 3 && Set(ops.map(\.body.entity)) == Set(ids))
        #expect(try book.find(text: "理财").map(\.id) == [ids[0]])
        let diamond = try book.find(CustomerQuery(filters: [try .parse("tier=钻石", today: book.today)]))
        #expect(diamond.matches.map(\.customer.name) == ["王芳"])
        #expect(try book.verifyProjections() == [])
        #expect(try book.check().isClean)
        // Undo's search for another device's change reads the scope index now (UndoTests.refusals).
    }

    @Test("v10: a book from v9 keeps finding notes, and its search index then catches up in batches")
    func upgradeToPendingSearchIndex() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let options = BookOptions.fixed(milliseconds: 1_795_400_000_000, seed: 6)
        var ids: [EntityID] = []
        do {
            let book = try Book.create(at: path, principal: "M001", options: options)
            ids.append(try addCustomer(book, "王芳", [FieldAssignment(Schema.F.note, .text("关注养老理财"))]))
            ids.append(try addCustomer(book, "李明", [FieldAssignment(Schema.F.phone, .text("13900139000"))]))
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try Self.downgradeToV9(db) }
        try queue.close()

        let book = try Book.open(at: path, options: options)
        let tables = try book.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE 'customer_fts%' AND type = 'table'")
        }
        #expect(tables.contains("customer_fts_pending"))
        #expect(try book.find(text: "养老理财").map(\.id) == [ids[0]])
        #expect(try book.find(text: "养老").map(\.id) == [ids[0]])
        #expect(try book.find(text: "0013900").map(\.id) == [ids[1]])
        // A note edited after the upgrade: the old text is no longer found, the new one is, before and after the index
        // catches up.
        try book.write { tx in _ = try tx.set(ids[0], Schema.F.note, .text("想换大一点的房子")) }
        #expect(try book.find(text: "养老理财").isEmpty)
        #expect(try book.find(text: "大一点的").map(\.id) == [ids[0]])
        #expect(try book.verifyProjections() == [])
        #expect(try book.find(text: "养老理财").isEmpty)
        #expect(try book.find(text: "大一点的").map(\.id) == [ids[0]])
        #expect(try book.check().isClean)
    }
}
