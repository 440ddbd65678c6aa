import FieldbookModel
import Foundation
import GRDB

extension Book {
    /// Metadata keys of the sync state.
    public enum SyncKey {
        /// The last central log sequence number applied.
        public static let cursor = "cursor"
        /// The highest own counter the central node holds.
        public static let pushed = "pushed"
        /// When the last sync finished (Unix ms).
        public static let lastSync = "last_sync"
        /// The enrolled device ID (hex).
        public static let device = "device"
        /// The enrolment secret (hex). The book file is 0600; encryption at rest is SECURITY.md's open item.
        public static let secret = "secret"
        /// `HOST:PORT` of the central node.
        public static let server = "server"
        /// How the device reaches the central node: `tls` (pinned) or `plain` (`init --insecure`). A book enrolled
        /// before TLS has none and counts as `plain`.
        public static let transport = "transport"
        /// The SHA-256 fingerprint (hex) of the central node's TLS certificate, which the device pins.
        public static let fingerprint = "server_fingerprint"
    }

    /// The sync cursor (0 before the first sync).
    public func syncCursor() throws(StoreError) -> UInt64 { UInt64(try meta(SyncKey.cursor) ?? "0") ?? 0 }

    /// Marks that the book's scopes may differ from what its cursor names (a purge or a backfill applied in a session
    /// that has not reached its DONE): the next pull asks for a resync (SPEC [W-9.8]). Written in the same
    /// transaction as what it marks.
    public static let resyncKey = "sync_resync"

    /// Whether the next pull must ask for a resync (see ``resyncKey``).
    public func needsResync() throws(StoreError) -> Bool { try meta(Self.resyncKey) == "1" }

    /// The book's clock: the greater of the wall clock and the last reading recorded (own ops, the saved clock).
    public func clockReading() throws(StoreError) -> HLC {
        try read { db in
            let own = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT hlc FROM op WHERE actor = ? ORDER BY counter DESC LIMIT 1"), arguments: [Data(actor.bytes)]) ?? 0
            let saved = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc'")) ?? 0
            let recorded = HLC(rawValue: UInt64(bitPattern: max(own, saved)))
            return max(recorded, HLC(milliseconds: options.now(), logical: 0))
        }
    }

    /// Raises the clock to a reading seen elsewhere (the central node's), so later local ops sort after it, but never
    /// past this device's wall clock plus ``HLC/aheadBound`` (SPEC [W-10.8]).
    public func observe(_ time: HLC) throws(StoreError) {
        let time = min(time, HLC(milliseconds: options.now() + HLC.aheadBound, logical: 0))
        do {
            try database.write { db in
                try db.cachedStatement(
                    sql: """
                        INSERT INTO meta (key, value) VALUES ('hlc', ?)
                        ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                        """).execute(
                    arguments: [String(Int64(bitPattern: time.rawValue))])
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// A customer removed from this book by a purge, as recorded in the book's purge log.
    public struct PurgeRecord: Sendable, Hashable {
        /// The customer.
        public var customer: EntityID
        /// The reason byte from the central node (1 reassigned, 2 coverage ended, 3 revoked, 4 erased).
        public var reason: UInt8
        /// The new owner, when the central node said.
        public var newOwner: String?

        /// Makes a record.
        public init(customer: EntityID, reason: UInt8, newOwner: String?) {
            self.customer = customer
            self.reason = reason
            self.newOwner = newOwner
        }
    }

    /// Removes every row and op of customers that left this book's scope: the only deletion a book ever does.
    ///
    /// One transaction with `secure_delete` on, then a WAL checkpoint, so no trace of the customers stays in the
    /// file. What left and why is recorded in `purge_log` (without any customer data but the ID).
    ///
    /// - Parameters:
    ///   - records: The customers and why they left.
    ///   - meta: Metadata to write in the same transaction (the resync mark of a sync in progress).
    /// - Returns: The records whose customer was present.
    @discardableResult
    public func purge(_ records: [PurgeRecord], meta: [String: String] = [:]) throws(StoreError) -> [PurgeRecord] {
        guard !records.isEmpty else { return [] }
        let now = options.now()
        do {
            let removed = try database.write { db -> [PurgeRecord] in
                try db.cachedStatement(sql: """
                        CREATE TABLE IF NOT EXISTS purge_log (
                            customer TEXT NOT NULL, reason INTEGER NOT NULL, new_owner TEXT, at INTEGER NOT NULL)
                        """).execute()
                var removed: [PurgeRecord] = []
                for record in records {
                    let scope = Scope.customer(record.customer).key
                    if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM entity WHERE scope = ? LIMIT 1"), arguments: [scope]) == true {
                        removed.append(record)
                    }
                    let entities = "(SELECT id FROM entity WHERE scope = ?)"
                    for table in ["reg_value", "reg_superseded", "set_add", "set_removed"] {
                        try db.execute(sql: "DELETE FROM \(table) WHERE entity IN \(entities)", arguments: [scope])
                    }
                    try db.cachedStatement(sql: "DELETE FROM customer WHERE id = ?").execute(arguments: [Data(record.customer.bytes)])
                    try db.cachedStatement(sql: "DELETE FROM entity WHERE scope = ?").execute(arguments: [scope])
                    // The op log's trigger lets a DELETE through only for a scope listed in `purging`.
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO purging (scope) VALUES (?)").execute(arguments: [scope])
                    try db.cachedStatement(sql: "DELETE FROM op WHERE scope = ?").execute(arguments: [scope])
                    try db.cachedStatement(sql: "DELETE FROM purging WHERE scope = ?").execute(arguments: [scope])
                    try db.cachedStatement(
                        sql: "INSERT INTO purge_log (customer, reason, new_owner, at) VALUES (?, ?, ?, ?)").execute(
                        arguments: [record.customer.text, Int(record.reason), record.newOwner, Int64(now)])
                }
                // What is held of each actor is recomputed from what is left (own counters live on in meta).
                try db.cachedStatement(sql: "DELETE FROM actor_state").execute()
                let cursor = try Row.fetchCursor(db, sql: "SELECT actor, counter, principal FROM op ORDER BY actor, counter")
                while let row = try cursor.next() {
                    let id = OpID(actor: ActorID(bytes: Array(row["actor"] as Data))!, counter: UInt64(row["counter"] as Int64))
                    try Projector.advanceActor(id, principal: row["principal"], db: db)
                }
                try Self.writeMeta(meta, db: db)
                return removed
            }
            try database.writeWithoutTransaction { db in _ = try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            return removed
        } catch {
            throw Self.map(error)
        }
    }
}
