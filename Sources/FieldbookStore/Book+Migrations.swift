import FieldbookModel
import Foundation
import GRDB

extension Book {
    /// The schema of a book. Migrations are append-only: a released migration is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;

                    -- The op log. Append-only: UPDATE is always refused, DELETE only inside a purge of the op's scope
                    -- (the scope is listed in `purging` for the length of the purge transaction).
                    CREATE TABLE op (
                        actor BLOB NOT NULL,
                        counter INTEGER NOT NULL,
                        hlc INTEGER NOT NULL,
                        scope TEXT NOT NULL,
                        principal TEXT NOT NULL,
                        schema INTEGER NOT NULL,
                        entity BLOB NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (actor, counter)
                    );
                    CREATE INDEX op_scope ON op (scope);
                    CREATE INDEX op_hlc ON op (hlc);
                    CREATE TABLE purging (scope TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
                    CREATE TRIGGER op_no_update BEFORE UPDATE ON op
                    BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
                    CREATE TRIGGER op_no_delete BEFORE DELETE ON op
                    WHEN NOT EXISTS (SELECT 1 FROM purging WHERE purging.scope = OLD.scope)
                    BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;

                    -- What this book holds of each actor: the highest contiguous counter.
                    CREATE TABLE actor_state (
                        actor BLOB PRIMARY KEY NOT NULL,
                        contiguous INTEGER NOT NULL,
                        principal TEXT NOT NULL
                    ) WITHOUT ROWID;

                    -- Projections: always derivable from `op` (see Book.rebuild()).
                    CREATE TABLE entity (
                        id BLOB PRIMARY KEY NOT NULL,
                        kind INTEGER,              -- NULL until the create op arrives
                        scope TEXT NOT NULL,
                        created_hlc INTEGER,
                        author TEXT
                    ) WITHOUT ROWID;
                    CREATE INDEX entity_scope ON entity (scope, kind);

                    -- Live (not superseded) register values, and every superseded op ID seen in a pred.
                    CREATE TABLE reg_value (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, actor BLOB NOT NULL, counter INTEGER NOT NULL,
                        hlc INTEGER NOT NULL, value BLOB NOT NULL,
                        PRIMARY KEY (entity, field, actor, counter)
                    ) WITHOUT ROWID;
                    CREATE INDEX reg_value_field ON reg_value (field, value);
                    CREATE TABLE reg_superseded (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, actor BLOB NOT NULL, counter INTEGER NOT NULL,
                        PRIMARY KEY (entity, field, actor, counter)
                    ) WITHOUT ROWID;

                    -- Live set additions, and every addition tag a removal observed.
                    CREATE TABLE set_add (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, element TEXT NOT NULL,
                        actor BLOB NOT NULL, counter INTEGER NOT NULL,
                        PRIMARY KEY (entity, field, element, actor, counter)
                    ) WITHOUT ROWID;
                    CREATE TABLE set_removed (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, actor BLOB NOT NULL, counter INTEGER NOT NULL,
                        PRIMARY KEY (entity, field, actor, counter)
                    ) WITHOUT ROWID;

                    -- One row per created customer, with the display winners that listings and search need.
                    CREATE TABLE customer (
                        rowid INTEGER PRIMARY KEY,
                        id BLOB UNIQUE NOT NULL,
                        idtext TEXT UNIQUE NOT NULL,
                        name TEXT NOT NULL,
                        tier TEXT,
                        archived INTEGER NOT NULL DEFAULT 0,
                        search TEXT NOT NULL
                    );
                    CREATE INDEX customer_name ON customer (name);
                    CREATE VIRTUAL TABLE customer_fts USING fts5 (
                        search, content = 'customer', content_rowid = 'rowid', tokenize = 'trigram'
                    );
                    CREATE TRIGGER customer_ai AFTER INSERT ON customer BEGIN
                        INSERT INTO customer_fts (rowid, search) VALUES (new.rowid, new.search);
                    END;
                    CREATE TRIGGER customer_ad AFTER DELETE ON customer BEGIN
                        INSERT INTO customer_fts (customer_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
                    END;
                    CREATE TRIGGER customer_au AFTER UPDATE OF search ON customer BEGIN
                        INSERT INTO customer_fts (customer_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
                        INSERT INTO customer_fts (rowid, search) VALUES (new.rowid, new.search);
                    END;
                    """)
        }
        migrator.registerMigration("v2: scope hash cache") { db in
            try db.execute(
                sql: """
                    -- A cache of each scope's state hash (Book.stateHash(of:db:)); an empty hash means "no visible
                    -- state". The projector drops a scope's row whenever an op may change its facts, a purge drops
                    -- it with the scope's ops (trigger), and a rebuild empties the table.
                    CREATE TABLE scope_hash (scope TEXT PRIMARY KEY NOT NULL, hash BLOB NOT NULL) WITHOUT ROWID;
                    CREATE TRIGGER op_delete_drops_scope_hash AFTER DELETE ON op
                    BEGIN DELETE FROM scope_hash WHERE scope = OLD.scope; END;
                    """)
        }
        migrator.registerMigration("v3: search index rewritten only when the text changes") { db in
            try db.execute(
                sql: """
                    -- `UPDATE OF search` fires whenever the statement names the column; the projector rewrites a
                    -- customer row when any displayed value changes (a tier is not in the search text).
                    DROP TRIGGER customer_au;
                    CREATE TRIGGER customer_au AFTER UPDATE OF search ON customer WHEN old.search IS NOT new.search
                    BEGIN
                        INSERT INTO customer_fts (customer_fts, rowid, search) VALUES ('delete', old.rowid, old.search);
                        INSERT INTO customer_fts (rowid, search) VALUES (new.rowid, new.search);
                    END;
                    """)
        }
        migrator.registerMigration("v4: the whole book's hash cached") { db in
            try db.execute(
                sql: """
                    -- `scope_hash` also holds the whole book's hash under the key '*' (Book.overallHashKey); a purge
                    -- drops it with the purged scope's row.
                    DROP TRIGGER op_delete_drops_scope_hash;
                    CREATE TRIGGER op_delete_drops_scope_hash AFTER DELETE ON op
                    BEGIN DELETE FROM scope_hash WHERE scope IN (OLD.scope, '*'); END;
                    """)
        }
        migrator.registerMigration("v5: state hashes cover the IDs of the ops a scope holds") { db in
            // Hashes cached by the earlier formula would never match a peer's new ones: drop them all, they are
            // recomputed on the next read (SPEC [W-9.4], StateDigest.opFact).
            try db.execute(sql: "DELETE FROM scope_hash")
        }
        migrator.registerMigration("v6: what a purge keeps") { db in
            try db.execute(
                sql: """
                    -- Why customers left (created lazily by earlier versions): the ID only, never customer data.
                    CREATE TABLE IF NOT EXISTS purge_log (
                        customer TEXT NOT NULL, reason INTEGER NOT NULL, new_owner TEXT, at INTEGER NOT NULL);
                    -- The manager's own contacts with purged customers, counted per day and channel, so the journal
                    -- keeps the day's counts and not the customer (PurgeStep.dayCounts). `day` is Day.number.
                    CREATE TABLE purged_contact (
                        day INTEGER NOT NULL, channel TEXT NOT NULL, count INTEGER NOT NULL,
                        PRIMARY KEY (day, channel)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v7: state hashes are sums of fact digests, kept by the projector") { db in
            // Protocol version 2 (SPEC §9.10): a scope's row holds the sum of its facts' digests and its count of
            // created entities, and is never dropped to be recomputed; the purge trigger (v4) still drops the
            // purged scope's row and the whole book's. Summed from the facts once the migrations are done (O(book),
            // once, ``finishMigrations(_:)``): the code that sums them reads tables that later migrations changed.
            try db.execute(sql: "ALTER TABLE scope_hash ADD COLUMN entities INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, 'v7')", arguments: [Book.refillKey])
        }
        migrator.registerMigration("v8: segment columns and pinyin on the customer row") { db in
            // Typed copies of the display winners that segments (CustomerQuery) compare and sort on, the name's pinyin
            // key (NamePinyin.key), and the customer's last contact: the latest `date` of its contacts that are not
            // archived, and the latest creation reading of those without a date. Money in fen, days as Day.number,
            // `birth_md` the birthday's month × 100 + day. A column already there (a book that a test turned back to an
            // earlier version keeps its columns) is left as it is.
            let existing = Set(try db.columns(in: "customer").map(\.name))
            let columns = [
                ("pinyin", "TEXT NOT NULL DEFAULT ''"), ("aum", "INTEGER"), ("income", "INTEGER"), ("birthday", "INTEGER"),
                ("birth_md", "INTEGER"), ("risk", "TEXT"), ("risk_date", "INTEGER"), ("stage", "TEXT"),
                ("familiarity", "TEXT"), ("last_contact", "INTEGER"), ("last_contact_hlc", "INTEGER"),
            ]
            for (name, type) in columns where !existing.contains(name) {
                try db.execute(sql: "ALTER TABLE customer ADD COLUMN \(name) \(type)")
            }
            try db.execute(sql: "CREATE INDEX IF NOT EXISTS customer_aum ON customer (aum)")
            // The new columns are projections, filled from the registers once the migrations are done
            // (``finishMigrations(_:)``): the code that fills them reads tables that later migrations changed.
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, 'v8')", arguments: [Book.refillKey])
        }
        migrator.registerMigration("v9: what a book stored twice (book size, issue 20)") { db in
            // `reg_value_field` held a second copy of every live value (a fifth of a pulled book) and served only the
            // centre's lookup of a principal's customers by `owner`, which the centre now answers from an index of its
            // own (central-v5); every other read of `reg_value` names the entity, the primary key's first column.
            // `op_hlc` served only undo's search for another device's latest op on an entity, which now reads the
            // ops of the entity's scope (`op_scope`): every op on an entity carries the entity's scope (a purge relies
            // on it too). The pages they held are free pages until the book is next compacted. And the log's `entity`
            // column: the encoded body starts with the same ID, and undo, its only reader, decodes the body instead.
            // (SQLite rewrites the rows in place, keeping their rowids, and fires no trigger.)
            try db.execute(sql: "DROP INDEX IF EXISTS reg_value_field; DROP INDEX IF EXISTS op_hlc")
            if try db.columns(in: "op").contains(where: { $0.name == "entity" }) {
                try db.execute(sql: "ALTER TABLE op DROP COLUMN entity")
            }
        }
        migrator.registerMigration("v10: the search index catches up in batches (issue 20)") { db in
            // Rewriting one customer's entry made FTS5 write a new index segment in that statement: about 90 of a
            // `set`'s 255 allocations, whatever the text's length (tools/bench/NOTES.md, "Allocations", session 6).
            // The index is current at v9, so nothing is pending. The centre keeps no index (central-v4): nothing to do.
            guard try Book.hasSearchIndex(db) else { return }
            try db.execute(
                sql: """
                    -- The customers whose index entry lags their search text: `search` is the text the index holds for
                    -- them, NULL when it holds none (a customer row inserted since). Their rows are found by scanning
                    -- (Book.textMatch). The shell re-indexes them between commands from 64 pending
                    -- (Book.catchUpSearchIndexIfDue); the 256th pending row re-indexes them all inside its own commit,
                    -- for what never pauses between commands (a long pull, an import, a program using the store).
                    CREATE TABLE IF NOT EXISTS customer_fts_pending (rowid INTEGER PRIMARY KEY, search TEXT);
                    DROP TRIGGER IF EXISTS customer_ai;
                    DROP TRIGGER IF EXISTS customer_ad;
                    DROP TRIGGER IF EXISTS customer_au;
                    DROP TRIGGER IF EXISTS customer_fts_pending_ai;
                    CREATE TRIGGER customer_ai AFTER INSERT ON customer BEGIN
                        INSERT INTO customer_fts_pending (rowid, search) VALUES (new.rowid, NULL)
                        ON CONFLICT (rowid) DO NOTHING;
                    END;
                    -- A pending row keeps the text the index held when the customer's text first changed since.
                    CREATE TRIGGER customer_au AFTER UPDATE OF search ON customer WHEN old.search IS NOT new.search
                    BEGIN
                        INSERT INTO customer_fts_pending (rowid, search) VALUES (old.rowid, old.search)
                        ON CONFLICT (rowid) DO NOTHING;
                    END;
                    -- The index forgets what it holds for the row: the pending text if any, else the row's own.
                    CREATE TRIGGER customer_ad AFTER DELETE ON customer BEGIN
                        INSERT INTO customer_fts (customer_fts, rowid, search)
                        SELECT 'delete', old.rowid, old.search
                        WHERE NOT EXISTS (SELECT 1 FROM customer_fts_pending WHERE rowid = old.rowid)
                        UNION ALL
                        SELECT 'delete', rowid, search FROM customer_fts_pending
                        WHERE rowid = old.rowid AND search IS NOT NULL;
                        DELETE FROM customer_fts_pending WHERE rowid = old.rowid;
                    END;
                    CREATE TRIGGER customer_fts_pending_ai AFTER INSERT ON customer_fts_pending
                    WHEN (SELECT count(*) FROM customer_fts_pending) >= 256
                    BEGIN
                        INSERT INTO customer_fts (customer_fts, rowid, search)
                        SELECT 'delete', rowid, search FROM customer_fts_pending WHERE search IS NOT NULL;
                        INSERT INTO customer_fts (rowid, search)
                        SELECT c.rowid, c.search FROM customer_fts_pending p JOIN customer c ON c.rowid = p.rowid;
                        DELETE FROM customer_fts_pending;
                    END;
                    """)
        }
        migrator.registerMigration("v11: scopes numbered (book size, issue 20)") { db in
            // Every op and every entity named its scope as text (`c:` and 26 characters): 28 bytes in the row and 28
            // more in its scope index, a sixth of a pulled book. They now hold the scope's number in `scope_key`,
            // which is never renumbered (Book.scopeNumberSQL). Both tables are copied whole, the log keeping its
            // rowids (its arrival order); dropping a table fires no trigger.
            try db.execute(
                sql: """
                    CREATE TABLE scope_key (no INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
                    CREATE TRIGGER scope_key_no_update BEFORE UPDATE ON scope_key
                    BEGIN SELECT RAISE(ABORT, 'a scope keeps its number'); END;
                    INSERT INTO scope_key (key) SELECT scope FROM op UNION SELECT scope FROM entity;

                    CREATE TABLE op_v11 (
                        actor BLOB NOT NULL,
                        counter INTEGER NOT NULL,
                        hlc INTEGER NOT NULL,
                        scope INTEGER NOT NULL,
                        principal TEXT NOT NULL,
                        schema INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (actor, counter)
                    );
                    INSERT INTO op_v11 (rowid, actor, counter, hlc, scope, principal, schema, body)
                    SELECT o.rowid, o.actor, o.counter, o.hlc, k.no, o.principal, o.schema, o.body
                    FROM op o JOIN scope_key k ON k.key = o.scope ORDER BY o.rowid;
                    DROP TABLE op;
                    ALTER TABLE op_v11 RENAME TO op;
                    CREATE INDEX op_scope ON op (scope);

                    DROP TABLE purging;
                    CREATE TABLE purging (scope INTEGER PRIMARY KEY);
                    CREATE TRIGGER op_no_update BEFORE UPDATE ON op
                    BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
                    CREATE TRIGGER op_no_delete BEFORE DELETE ON op
                    WHEN NOT EXISTS (SELECT 1 FROM purging WHERE purging.scope = OLD.scope)
                    BEGIN SELECT RAISE(ABORT, 'the op log is append-only'); END;
                    CREATE TRIGGER op_delete_drops_scope_hash AFTER DELETE ON op
                    BEGIN DELETE FROM scope_hash WHERE scope IN ((SELECT key FROM scope_key WHERE no = OLD.scope), '*'); END;

                    CREATE TABLE entity_v11 (
                        id BLOB PRIMARY KEY NOT NULL,
                        kind INTEGER,
                        scope INTEGER NOT NULL,
                        created_hlc INTEGER,
                        author TEXT
                    ) WITHOUT ROWID;
                    INSERT INTO entity_v11 (id, kind, scope, created_hlc, author)
                    SELECT e.id, e.kind, k.no, e.created_hlc, e.author FROM entity e JOIN scope_key k ON k.key = e.scope;
                    DROP TABLE entity;
                    ALTER TABLE entity_v11 RENAME TO entity;
                    CREATE INDEX entity_scope ON entity (scope, kind);
                    """)
        }
        migrator.registerMigration("v12: actors numbered (book size, issue 20)") { db in
            // Every op, register value and set tag named its actor in 16 bytes, twice for an op (the row and its
            // key's index): a seventh of a pulled book. They now hold the actor's number in `actor_key`, which is
            // never renumbered (Book.actorNumberSQL); `actor_state`, a projection a rebuild empties, keeps the bytes.
            // The five tables are copied whole, the log keeping its rowids; their indexes and triggers (the log's,
            // and those the centre adds, Book.createCentralIndexes and ownerIndexSQL) are made again as they were.
            let tables = "'op', 'reg_value', 'reg_superseded', 'set_add', 'set_removed'"
            let remade = try String.fetchAll(
                db,
                sql: """
                    SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
                    AND tbl_name IN (\(tables)) ORDER BY type, name
                    """)
            try db.execute(
                sql: """
                    CREATE TABLE actor_key (no INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE);
                    CREATE TRIGGER actor_key_no_update BEFORE UPDATE ON actor_key
                    BEGIN SELECT RAISE(ABORT, 'an actor keeps its number'); END;
                    INSERT INTO actor_key (id)
                    SELECT actor FROM actor_state UNION SELECT actor FROM op UNION SELECT actor FROM reg_value
                    UNION SELECT actor FROM reg_superseded UNION SELECT actor FROM set_add UNION SELECT actor FROM set_removed;

                    CREATE TABLE op_v12 (
                        actor INTEGER NOT NULL,
                        counter INTEGER NOT NULL,
                        hlc INTEGER NOT NULL,
                        scope INTEGER NOT NULL,
                        principal TEXT NOT NULL,
                        schema INTEGER NOT NULL,
                        body BLOB NOT NULL,
                        PRIMARY KEY (actor, counter)
                    );
                    INSERT INTO op_v12 (rowid, actor, counter, hlc, scope, principal, schema, body)
                    SELECT o.rowid, a.no, o.counter, o.hlc, o.scope, o.principal, o.schema, o.body
                    FROM op o JOIN actor_key a ON a.id = o.actor ORDER BY o.rowid;
                    DROP TABLE op;
                    ALTER TABLE op_v12 RENAME TO op;

                    CREATE TABLE reg_value_v12 (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, actor INTEGER NOT NULL, counter INTEGER NOT NULL,
                        hlc INTEGER NOT NULL, value BLOB NOT NULL,
                        PRIMARY KEY (entity, field, actor, counter)
                    ) WITHOUT ROWID;
                    INSERT INTO reg_value_v12 SELECT r.entity, r.field, a.no, r.counter, r.hlc, r.value
                    FROM reg_value r JOIN actor_key a ON a.id = r.actor;
                    DROP TABLE reg_value;
                    ALTER TABLE reg_value_v12 RENAME TO reg_value;

                    CREATE TABLE reg_superseded_v12 (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, actor INTEGER NOT NULL, counter INTEGER NOT NULL,
                        PRIMARY KEY (entity, field, actor, counter)
                    ) WITHOUT ROWID;
                    INSERT INTO reg_superseded_v12 SELECT r.entity, r.field, a.no, r.counter
                    FROM reg_superseded r JOIN actor_key a ON a.id = r.actor;
                    DROP TABLE reg_superseded;
                    ALTER TABLE reg_superseded_v12 RENAME TO reg_superseded;

                    CREATE TABLE set_add_v12 (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, element TEXT NOT NULL,
                        actor INTEGER NOT NULL, counter INTEGER NOT NULL,
                        PRIMARY KEY (entity, field, element, actor, counter)
                    ) WITHOUT ROWID;
                    INSERT INTO set_add_v12 SELECT s.entity, s.field, s.element, a.no, s.counter
                    FROM set_add s JOIN actor_key a ON a.id = s.actor;
                    DROP TABLE set_add;
                    ALTER TABLE set_add_v12 RENAME TO set_add;

                    CREATE TABLE set_removed_v12 (
                        entity BLOB NOT NULL, field INTEGER NOT NULL, actor INTEGER NOT NULL, counter INTEGER NOT NULL,
                        PRIMARY KEY (entity, field, actor, counter)
                    ) WITHOUT ROWID;
                    INSERT INTO set_removed_v12 SELECT s.entity, s.field, a.no, s.counter
                    FROM set_removed s JOIN actor_key a ON a.id = s.actor;
                    DROP TABLE set_removed;
                    ALTER TABLE set_removed_v12 RENAME TO set_removed;
                    """)
            for sql in remade { try db.execute(sql: sql) }
        }
        return migrator
    }

    /// The `meta` key under which a migration asks for the projections it added to be filled (v7's scope sums, v8's
    /// customer columns): the code that fills them reads the current schema, so it runs after the last migration.
    static let refillKey = "migration-refill"

    /// Fills what a migration asked for (``refillKey``): recomputes every scope's sum and rewrites every customer row,
    /// in one transaction, after the migrator ran. Nothing to do in a book that needs no fill.
    static func finishMigrations(_ writer: some DatabaseWriter) throws {
        try writer.write { db in
            guard try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [refillKey]) != nil else {
                return
            }
            try resumScopeHashes(db)
            for id in try Data.fetchAll(db, sql: "SELECT id FROM customer") {
                if let entity = EntityID(bytes: Array(id)) { try Projector.refreshCustomer(entity, db: db) }
            }
            try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [refillKey])
        }
    }

    /// Compacts a book whose migrations left more than a tenth of its pages free (v11 and v12 copy the log and the
    /// projections: without this, an upgraded book would keep both copies' pages, 44 % of a pulled book's file). Best effort, as the compaction
    /// after the first pull: SQLite rolls a failed `VACUUM` back (no room for the copy) and the book opens as it is.
    static func compactAfterMigrations(_ queue: DatabaseQueue) {
        do {
            let (free, total) = try queue.read { db in
                (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0, try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0)
            }
            guard free * 10 > total else { return }
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            // Nothing to undo: the book is whole either way, only larger.
        }
    }

    /// The clock reading and the number of the last op (highest counter) of the actor whose 16 bytes are the
    /// statement's parameter; no row for an actor without ops. The first column alone is the reading.
    static let lastOpOfActorSQL = """
        SELECT op.hlc, op.actor FROM actor_key JOIN op ON op.actor = actor_key.no WHERE actor_key.id = ?
        ORDER BY op.counter DESC LIMIT 1
        """

    /// The number of the actor whose 16 bytes are the statement's next parameter, as a scalar subquery (NULL for an
    /// actor the book has never named, which matches no row): `WHERE actor = \(actorNumberSQL)`.
    static let actorNumberSQL = "(SELECT actor_key.no FROM actor_key WHERE actor_key.id = ?)"

    /// The number of the scope whose key is the statement's next parameter, as a scalar subquery (NULL for a scope the
    /// book has never held, which matches no row): `WHERE scope = \(scopeNumberSQL)`.
    static let scopeNumberSQL = "(SELECT scope_key.no FROM scope_key WHERE scope_key.key = ?)"

    /// The log's columns with the actor's bytes and the scope's key, as ``operation(_:)`` reads them: add `WHERE` and
    /// `ORDER BY` clauses naming `op.` columns (and `actor_key.id` to order by actor). Outer joins: an op whose actor
    /// or scope number is unknown reads as corrupt, not as missing.
    static let opRowsSQL = """
        SELECT actor_key.id AS actor, op.counter, op.hlc, scope_key.key AS scope, op.principal, op.schema, op.body
        FROM op LEFT JOIN actor_key ON actor_key.no = op.actor LEFT JOIN scope_key ON scope_key.no = op.scope
        """

    /// The projection tables, emptied by ``Book/rebuild()``.
    static let projectionTables = [
        "actor_state", "entity", "reg_value", "reg_superseded", "set_add", "set_removed", "customer",
    ]
}
