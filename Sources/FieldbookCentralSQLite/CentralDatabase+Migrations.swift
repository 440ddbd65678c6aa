import FieldbookCentral
import FieldbookStore
import GRDB

extension CentralDatabase {
    /// The central node's own tables, beside the book's. Append-only: a released migration is never edited.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("central-v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE principal (
                        code TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, created INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    -- The device's secret is sealed (AES-GCM) under the key file beside the database.
                    CREATE TABLE device (
                        id BLOB PRIMARY KEY NOT NULL,
                        principal TEXT NOT NULL REFERENCES principal (code),
                        secret BLOB NOT NULL,
                        actor BLOB UNIQUE,
                        revoked INTEGER NOT NULL DEFAULT 0,
                        created INTEGER NOT NULL,
                        last_sync INTEGER
                    ) WITHOUT ROWID;
                    -- The log sequence: one number per op the central node accepted, in acceptance order. It is also
                    -- the audit of what each device sent and when.
                    CREATE TABLE lsn (
                        lsn INTEGER PRIMARY KEY AUTOINCREMENT,
                        actor BLOB NOT NULL, counter INTEGER NOT NULL, scope TEXT NOT NULL,
                        device BLOB, at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX lsn_op ON lsn (actor, counter);
                    CREATE INDEX lsn_scope ON lsn (scope, lsn);
                    -- Per device actor: the highest contiguous counter accepted or refused.
                    CREATE TABLE held (actor BLOB PRIMARY KEY NOT NULL, held INTEGER NOT NULL) WITHOUT ROWID;
                    -- Ops refused (kept as counters only: their content is stored nowhere).
                    CREATE TABLE refused (
                        actor BLOB NOT NULL, counter INTEGER NOT NULL, code INTEGER NOT NULL, at INTEGER NOT NULL,
                        PRIMARY KEY (actor, counter)
                    ) WITHOUT ROWID;
                    -- The scopes a device was given with each DONE, so the next pull knows what entered and left.
                    CREATE TABLE scope_snapshot (
                        device BLOB NOT NULL, cursor INTEGER NOT NULL, scopes TEXT NOT NULL, PRIMARY KEY (device, cursor)
                    ) WITHOUT ROWID;
                    """)
            // The book's index for coverage questions (a principal's co-covered customers), as this migration has
            // always made it.
            try Book.createCentralIndexes(db)
        }
        migrator.registerMigration("central-v2: refusals say which customer, what change and why") { db in
            // `customer` is the customer's short ID (never a value), `change` the kind of change in words, `reason` a
            // `Refusal.reasonNumber`; rows from before have NULLs and show only their wire code.
            try db.execute(
                sql: """
                    ALTER TABLE refused ADD COLUMN reason INTEGER;
                    ALTER TABLE refused ADD COLUMN customer TEXT;
                    ALTER TABLE refused ADD COLUMN change TEXT;
                    """)
        }
        migrator.registerMigration("central-v3: a principal can be deactivated") { db in
            // `deactivated` is when (Unix ms), `deactivated_by` the administrator; NULL for an active principal. A
            // deactivated principal has every device revoked and may not get a new one (`admin principal deactivate`).
            try db.execute(
                sql: """
                    ALTER TABLE principal ADD COLUMN deactivated INTEGER;
                    ALTER TABLE principal ADD COLUMN deactivated_by TEXT;
                    """)
        }
        migrator.registerMigration("central-v4: no full-text index at the centre") { db in
            // Every push rewrote the index entries of the customers it touched; nothing at the centre searches it.
            try Book.dropSearchIndex(db)
        }
        migrator.registerMigration("central-v5: the owner lookup's own index") { db in
            // The book's (field, value) index on every register is gone (book v9); a principal's customers are found
            // by this one, which holds only the `owner` values (Book.customers(ownedBy:db:)).
            try db.execute(sql: Book.ownerIndexSQL)
        }
        return migrator
    }
}
