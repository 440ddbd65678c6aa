import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

/// Books written by an earlier Fieldbook open with the current one: the migrations run, nothing is lost.
@Suite("Migrations")
struct MigrationTests {
    /// Undoes migration v12 in an open book: the log, the registers and the sets name their actor in 16 bytes again,
    /// with their indexes and triggers as they were, and `actor_key` is gone.
    static func downgradeToV11(_ db: Database) throws {
        let remade = try String.fetchAll(
            db,
            sql: """
                SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
                AND tbl_name IN ('op', 'reg_value', 'reg_superseded', 'set_add', 'set_removed')
                """)
        try db.execute(
            sql: """
                CREATE TABLE op_v11 (
                    actor BLOB NOT NULL, counter INTEGER NOT NULL, hlc INTEGER NOT NULL, scope INTEGER NOT NULL,
                    principal TEXT NOT NULL, schema INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (actor, counter));
                INSERT INTO op_v11 (rowid, actor, counter, hlc, scope, principal, schema, body)
                SELECT o.rowid, a.id, o.counter, o.hlc, o.scope, o.principal, o.schema, o.body
                FROM op o JOIN actor_key a ON a.no = o.actor ORDER BY o.rowid;
                DROP TABLE op;
                ALTER TABLE op_v11 RENAME TO op;
                CREATE TABLE reg_value_v11 (
                    entity BLOB NOT NULL, field INTEGER NOT NULL, actor BLOB NOT NULL, counter INTEGER NOT NULL,
                    hlc INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY (entity, field, actor, counter)) WITHOUT ROWID;
                INSERT INTO reg_value_v11 SELECT r.entity, r.field, a.id, r.counter, r.hlc, r.value
                FROM reg_value r JOIN actor_key a ON a.no = r.actor;
                DROP TABLE reg_value;
                ALTER TABLE reg_value_v11 RENAME TO reg_value;
                CREATE TABLE reg_superseded_v11 (
                    entity BLOB NOT NULL, field INTEGER NOT NULL, actor BLOB NOT NULL, counter INTEGER NOT NULL,
                    PRIMARY KEY (entity, field, actor, counter)) WITHOUT ROWID;
                INSERT INTO reg_superseded_v11 SELECT r.entity, r.field, a.id, r.counter
                FROM reg_superseded r JOIN actor_key a ON a.no = r.actor;
                DROP TABLE reg_superseded;
                ALTER TABLE reg_superseded_v11 RENAME TO reg_superseded;
                CREATE TABLE set_add_v11 (
                    entity BLOB NOT NULL, field INTEGER NOT NULL, element TEXT NOT NULL, actor BLOB NOT NULL,
                    counter INTEGER NOT NULL, PRIMARY KEY (entity, field, element, actor, counter)) WITHOUT ROWID;
                INSERT INTO set_add_v11 SELECT s.entity, s.field, s.element, a.id, s.counter
                FROM set_add s JOIN actor_key a ON a.no = s.actor;
                DROP TABLE set_add;
                ALTER TABLE set_add_v11 RENAME TO set_add;
                CREATE TABLE set_removed_v11 (
                    entity BLOB NOT NULL, field INTEGER NOT NULL, actor BLOB NOT NULL, counter INTEGER NOT NULL,
                    PRIMARY KEY (entity, field, actor, counter)) WITHOUT ROWID;
                INSERT INTO set_removed_v11 SELECT s.entity, s.field, a.id, s.counter
                FROM set_removed s JOIN actor_key a ON a.no = s.actor;
                DROP TABLE set_removed;
                ALTER TABLE set_removed_v11 RENAME TO set_removed;
                DROP TABLE actor_key;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v12%';
                """)
        for sql in remade { try db.execute(sql: sql) }
    }

    /// Undoes migrations v12 and v11 in an open book: for v11, the log and the entities name their scope as text
    /// again, in tables and triggers as v1 and v4 made them, and `scope_key` is gone.
    static func downgradeToV10(_ db: Database) throws {
        try downgradeToV11(db)
        try db.execute(
            sql: """
                CREATE TABLE op_v1 (
                    actor BLOB NOT NULL, counter INTEGER NOT NULL, hlc INTEGER NOT NULL, scope TEXT NOT NULL,
                    principal TEXT NOT NULL, schema INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY (actor, counter));
                INSERT INTO op_v1 (rowid, actor, counter, hlc, scope, principal, schema, body)
                SELECT o.rowid, o.actor, o.counter, o.hlc, k.key, o.principal, o.schema, o.body
                FROM op o JOIN scope_key k ON k.no = o.scope ORDER BY o.rowid;
                DROP TABLE op;
                ALTER TABLE op_v1 RENAME TO op;
                CREATE INDEX op_scope ON op (scope);
                DROP TABLE purging;
                CREATE TABLE purging (scope TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                CREATE TRIGGER op_no_update BEFORE UPDATE ON op
                BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
                CREATE TRIGGER op_no_delete BEFORE DELETE ON op
                WHEN NOT EXISTS (SELECT 1 FROM purging WHERE purging.scope = OLD.scope)
                BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
                CREATE TRIGGER op_delete_drops_scope_hash AFTER DELETE ON op
                BEGIN DELETE FROM scope_hash WHERE scope IN (OLD.scope, '*'); END;
                CREATE TABLE entity_v1 (
                    id BLOB PRIMARY KEY NOT NULL, kind INTEGER, scope TEXT NOT NULL, created_hlc INTEGER, author TEXT
                ) WITHOUT ROWID;
                INSERT INTO entity_v1 SELECT e.id, e.kind, k.key, e.created_hlc, e.author
                FROM entity e JOIN scope_key k ON k.no = e.scope;
                DROP TABLE entity;
                ALTER TABLE entity_v1 RENAME TO entity;
                CREATE INDEX entity_scope ON entity (scope, kind);
                DROP TABLE scope_key;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v11%';
                """)
    }

    /// Undoes migrations v11 and v10 in an open book: for v10, the index caught up, the pending table gone, the
    /// triggers as v1 and v3 made them.
    static func downgradeToV9(_ db: Database) throws {
        try downgradeToV10(db)
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

    @Test("v12: a book from v11 numbers its actors; winners, conflicts, set tags, the hash and the centre's indexes stay")
    func upgradeNumbersActors() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let options = BookOptions.fixed(milliseconds: 1_795_400_000_000, seed: 8)
        var id = EntityID(high: 0, low: 0)
        var hash: [UInt8] = []
        var ops: [Op] = []
        var conflicts: [ConflictInfo] = []
        var snapshot: EntitySnapshot?
        do {
            let book = try Book.create(at: path, principal: "M001", options: options)
            id = try addCustomer(book, "王芳", [FieldAssignment(Schema.F.tier, .text("普通"))])
            let other = try Book.inMemory(principal: "M002", options: .fixed(milliseconds: 1_795_400_000_000, seed: 9))
            _ = try other.applyRemote(try book.allOps())
            // Concurrent tier edits (a conflict of two actors) and a tag added on one side, removed on the other.
            try book.write { tx in _ = try tx.set(id, Schema.F.tier, .text("钻石")) }
            try other.write { tx in _ = try tx.set(id, Schema.F.tier, .text("金葵花")) }
            try other.write { tx in _ = try tx.add(id, Schema.F.tags, "养老") }
            _ = try book.applyRemote(try other.allOps())
            try book.write { tx in _ = try tx.add(id, Schema.F.tags, "理财") }
            try book.write { tx in _ = try tx.remove(id, Schema.F.tags, "养老") }
            try book.database.write { db in try db.execute(sql: "CREATE INDEX set_add_element ON set_add (field, element)") }
            hash = try book.stateHash()
            ops = try book.allOps()
            conflicts = try book.conflicts()
            snapshot = try book.snapshot(of: id)
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try Self.downgradeToV11(db) }
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT typeof(actor) FROM reg_value") } == ["blob"])
        try queue.close()

        let book = try Book.open(at: path, options: options)
        let types = try book.database.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT typeof(actor) FROM op UNION SELECT typeof(actor) FROM reg_value
                    UNION SELECT typeof(actor) FROM reg_superseded UNION SELECT typeof(actor) FROM set_add
                    UNION SELECT typeof(actor) FROM set_removed
                    """)
        }
        #expect(types == ["integer"])
        let indexes = try book.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name")
        }
        #expect(Set(["set_add_element", "op_scope", "op_no_update", "op_no_delete", "op_delete_drops_scope_hash"])
            .isSubset(of: Set(indexes)))
        #expect(try book.allOps() == ops)
        #expect(try book.conflicts() == conflicts && conflicts.count == 1)
        #expect(try book.snapshot(of: id) == snapshot)
        #expect(snapshot?.sets[Schema.F.tags] == ["理财"])
        #expect(try book.stateHash() == hash)
        #expect(try book.stateHash() == book.stateHashRecomputed())
        #expect(try book.verifyProjections() == [])
        #expect(try book.check().isClean)
        // The log still refuses an update, and an edit after the upgrade resolves the conflict.
        #expect(throws: DatabaseError.self) { try book.database.write { try $0.execute(sql: "UPDATE op SET hlc = hlc + 1") } }
        try book.write { tx in _ = try tx.set(id, Schema.F.tier, .text("私人银行")) }
        #expect(try book.conflicts().isEmpty)
        #expect(try book.stateHash() == book.stateHashRecomputed())
    }

    @Test("v11: a book from v10 numbers its scopes, keeps every op in its arrival order, its hash, its search and its purges")
    func upgradeNumbersScopes() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let options = BookOptions.fixed(milliseconds: 1_795_400_000_000, seed: 7)
        var ids: [EntityID] = []
        var hash: [UInt8] = []
        var ops: [Op] = []
        do {
            let book = try Book.create(at: path, principal: "M001", options: options)
            ids.append(try addCustomer(book, "王芳", [FieldAssignment(Schema.F.note, .text("关注养老理财"))]))
            ids.append(try addCustomer(book, "李明"))
            try book.write { tx in
                _ = try tx.create(.contact, scope: .customer(ids[1]), fields: [FieldAssignment(Schema.F.text, .text("电话回访"))])
                _ = try tx.set(ids[0], Schema.F.tier, .text("钻石"))
            }
            // Enough rows that the copied tables are most of the file.
            try book.write { tx in
                for index in 0..<300 {
                    _ = try tx.create(.customer, scope: nil, fields: [
                        FieldAssignment(Schema.F.name, .text("客户\(index)")), FieldAssignment(Schema.F.note, .text("年中上门拜访，关注理财")),
                    ])
                }
            }
            hash = try book.stateHash()
            ops = try book.allOps()
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try Self.downgradeToV10(db) }
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT typeof(scope) FROM op") } == ["text"])
        try queue.close()

        let book = try Book.open(at: path, options: options)
        let types = try book.database.read { db in
            try String.fetchAll(db, sql: "SELECT typeof(scope) FROM op UNION SELECT typeof(scope) FROM entity")
        }
        #expect(types == ["integer"])
        // The tables were copied: the upgrade compacted the file rather than keep the old copies' pages.
        let pages = try book.database.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? -1, try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0)
        }
        #expect(pages.0 == 0 && pages.1 > 0, "free and all pages: \(pages)")
        #expect(try book.allOps() == ops)
        #expect(try book.ops(in: .customer(ids[1])).count == 2)
        #expect(try book.history(of: .customer(ids[0])).count == 2)
        #expect(try book.stateHash() == hash)
        #expect(try book.stateHash() == book.stateHashRecomputed())
        #expect(try book.find(text: "养老").map(\.id) == [ids[0]])
        #expect(try book.verifyProjections() == [])
        #expect(try book.check().isClean)

        // A purge still passes the log's trigger, drops the scope's hash, and forgets the scope's number.
        #expect(try book.purge([Book.PurgeRecord(customer: ids[1], reason: 2, newOwner: nil)]).count == 1)
        #expect(try book.ops(in: .customer(ids[1])).isEmpty)
        let keys = try book.database.read { db in try String.fetchAll(db, sql: "SELECT key FROM scope_key") }
        #expect(keys.count == 301 && keys.contains(Scope.customer(ids[0]).key) && !keys.contains(Scope.customer(ids[1]).key))
        #expect(try book.stateHash() == book.stateHashRecomputed())
        // And a scope the book has not held gets the next number.
        let third = try addCustomer(book, "赵丽")
        #expect(try book.history(of: .customer(third)).count == 1)
        #expect(try book.verifyProjections() == [])
        #expect(try book.check().isClean)
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
