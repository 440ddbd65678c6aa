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
            // purged scope's row and the whole book's. Summed once here from the facts, O(book) at the upgrade.
            try db.execute(sql: "ALTER TABLE scope_hash ADD COLUMN entities INTEGER NOT NULL DEFAULT 0")
            try Book.resumScopeHashes(db)
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
            // The new columns are projections: fill them from the registers the book holds.
            let customers = try Data.fetchAll(db, sql: "SELECT id FROM customer")
            for id in customers {
                if let entity = EntityID(bytes: Array(id)) { try Projector.refreshCustomer(entity, db: db) }
            }
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
        return migrator
    }

    /// The projection tables, emptied by ``Book/rebuild()``.
    static let projectionTables = [
        "actor_state", "entity", "reg_value", "reg_superseded", "set_add", "set_removed", "customer",
    ]
}
