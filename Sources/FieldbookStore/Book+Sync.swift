import FieldbookModel
import Foundation
import GRDB

extension Book {
    /// Metadata keys of the sync state.
    public enum SyncKey {
        /// When the last sync finished (Unix ms); part of ``SyncState`` with the cursor and the rest.
        public static let lastSync = "last_sync"
        /// The enrolled device ID (hex).
        public static let device = "device"
        /// The enrolment secret (hex). The book file is 0600; encryption at rest is SECURITY.md's open item.
        public static let secret = "secret"
        /// The central node's servers: `HOST:PORT`, or several separated by commas, tried in turn (issue 17). The
        /// one place a device keeps them, written at enrolment.
        public static let server = "server"
        /// How the device reaches the central node: `tls` (pinned) or `plain` (`init --insecure`). A book enrolled
        /// before TLS has none and counts as `plain`.
        public static let transport = "transport"
        /// The SHA-256 fingerprint (hex) of the central node's TLS certificate, which the device pins.
        public static let fingerprint = "server_fingerprint"
        /// When the book was enrolled (Unix ms): the offline lease runs from here until the first sync.
        public static let enrolled = "enrolled_at"
    }

    /// When this book last reached the central node (Unix ms): its last completed sync, else its enrolment; `nil`
    /// for a book that is not enrolled (or was enrolled by a version that did not record when).
    public func lastContact() throws(StoreError) -> UInt64? {
        guard try meta(SyncKey.device) != nil else { return nil }
        if let last = try meta(SyncKey.lastSync).flatMap({ UInt64($0) }) { return last }
        return try meta(SyncKey.enrolled).flatMap { UInt64($0) }
    }

    /// The sync cursor (0 before the first sync): ``SyncState/cursor``.
    public func syncCursor() throws(StoreError) -> UInt64 { try syncState().cursor }

    /// Whether the next pull must ask for a resync: ``SyncState/needsResync``.
    public func needsResync() throws(StoreError) -> Bool { try syncState().needsResync }

    /// The resume point of a cut pull (0 for none): ``SyncState/resumePoint``.
    public func resumePoint() throws(StoreError) -> UInt64 { try syncState().resumePoint }

    /// The book's clock: the greater of the wall clock and the last reading recorded (own ops, the saved clock).
    public func clockReading() throws(StoreError) -> HLC {
        try read { db in
            let own = try Int64.fetchOne(
                db.cachedStatement(sql: Self.lastOpOfActorSQL), arguments: [Data(actor.bytes)]) ?? 0
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

    /// Removes every trace of customers that left this book's scope: the only deletion a book ever does.
    ///
    /// Every ``PurgeStep`` runs for each customer (projections, search index, op log; call-plan entries live in the
    /// customer's scope and go with it), in one transaction with `secure_delete` on; the search index is rebuilt so
    /// none of its segments keeps the text; then the WAL is checkpointed and truncated. The manager's contacts with
    /// the customer stay as counts per day and channel (`purged_contact`); what left and why is recorded in
    /// `purge_log` (without any customer data but the ID).
    ///
    /// - Parameters:
    ///   - records: The customers and why they left.
    ///   - meta: Metadata to write in the same transaction (the resync mark of a sync in progress).
    /// - Returns: The records whose customer was present.
    @discardableResult
    public func purge(_ records: [PurgeRecord], meta: [String: String] = [:]) throws(StoreError) -> [PurgeRecord] {
        guard !records.isEmpty else { return [] }
        let now = options.now()
        let principal = self.principal
        let offset = options.utcOffsetSeconds
        do {
            let removed = try database.write { db -> [PurgeRecord] in
                var removed: [PurgeRecord] = []
                for record in records {
                    let scope = Scope.customer(record.customer).key
                    if try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM entity WHERE scope = \(Self.scopeNumberSQL) LIMIT 1"), arguments: [scope]) == true {
                        removed.append(record)
                    }
                    let purged = PurgeStep.Purged(id: record.customer, scope: scope, principal: principal, utcOffsetSeconds: offset)
                    for step in PurgeStep.all { try step.customer(db, purged) }
                    try db.cachedStatement(
                        sql: "INSERT INTO purge_log (customer, reason, new_owner, at) VALUES (?, ?, ?, ?)").execute(
                        arguments: [record.customer.text, Int(record.reason), record.newOwner, Int64(now)])
                }
                if !removed.isEmpty {
                    for step in PurgeStep.all { try step.finish(db) }
                }
                // What is held of each actor is recomputed from what is left (own counters live on in meta).
                try db.cachedStatement(sql: "DELETE FROM actor_state").execute()
                let cursor = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT actor_key.id AS actor, op.counter, op.principal FROM op JOIN actor_key ON actor_key.no = op.actor
                        ORDER BY op.actor, op.counter
                        """)
                while let row = try cursor.next() {
                    let id = OpID(actor: ActorID(bytes: Array(row["actor"] as Data))!, counter: UInt64(row["counter"] as Int64))
                    try Projector.advanceActor(id, principal: row["principal"], db: db)
                }
                try Self.writeMeta(meta, db: db)
                return removed
            }
            try checkpointTruncating()
            return removed
        } catch {
            throw Self.map(error)
        }
    }

    /// The tables that hold no customer data, so a purge leaves them alone: settings and sync state, the op log's
    /// purge marker, per-actor counters and the actors' numbers, and what a purge itself keeps (IDs and counts). Every
    /// other table is named by a ``PurgeStep`` (`PurgeTests.everyTableIsCovered`).
    package static let tablesWithoutCustomerData: Set<String> = [
        "meta", "purging", "actor_state", "actor_key", "purge_log", "purged_contact", "grdb_migrations", "sqlite_sequence",
    ]

    /// Every table a purge erases from, for tests.
    package static var purgedTables: Set<String> { Set(PurgeStep.all.flatMap(\.tables)) }

    /// Copies the WAL into the database and truncates it to zero bytes, so no frame keeps what was deleted. Another
    /// process reading the book can hold the checkpoint back: it is retried for about a second, after which the
    /// frames go at the next checkpoint (SQLite's own, or the last connection's close).
    func checkpointTruncating() throws {
        for attempt in 0..<20 {
            let busy = try database.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") ?? 0
            }
            if busy == 0 {
                // The WAL is empty now: nothing is due between commands (the next commit starts the file over).
                walMonitor?.truncated()
                return
            }
            if attempt < 19 { usleep(50_000) }
        }
    }

    /// Rewrites the book without free pages and with every table and index packed (`VACUUM`), then empties the WAL.
    ///
    /// A first pull inserts a whole book in arrival order, which leaves the b-trees keyed by random IDs and scopes
    /// about 15 % empty (page splits); rewriting them in key order takes about 100 ms for 2,000 customers and
    /// makes the book about a tenth smaller (tools/bench/NOTES.md, "Book size"). It is best effort: a failure (the disk
    /// has no room for the copy) leaves the book as it was, merely larger, and the sync that called it succeeds.
    func compactAfterInitialPull() {
        do {
            try database.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
            try checkpointTruncating()
        } catch {
            // Nothing to undo: SQLite rolls a failed VACUUM back, and the WAL is emptied at the next checkpoint.
        }
    }

    /// The customers purged from this book at or after a time (Unix ms), from `purge_log`: what a sync removed,
    /// also when the sync failed after its purge.
    public func customersPurged(since milliseconds: UInt64) throws(StoreError) -> [EntityID] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT customer FROM purge_log WHERE at >= ?", arguments: [Int64(milliseconds)])
                .compactMap { EntityID(text: $0) }
        }
    }

    /// This principal's contacts with customers purged since, on one day, per channel (`call` → 3).
    public func purgedContacts(on day: Day) throws(StoreError) -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT channel, count FROM purged_contact WHERE day = ?", arguments: [Int(day.number)]) {
                counts[row["channel"], default: 0] += row["count"] as Int
            }
            return counts
        }
    }
}
