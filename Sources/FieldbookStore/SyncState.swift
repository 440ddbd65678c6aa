import GRDB

extension Book {
    /// The device's sync state as one typed value: where its pulls stand and what the centre holds of its own ops.
    ///
    /// It is kept in the book's `meta` table, written in the same transaction as what each change describes (a
    /// batch applied, a purge, DONE), so that a session cut at any point leaves a state that tells the truth; its row
    /// names are private to this type.
    ///
    /// ```swift
    /// let state = try book.syncState()
    /// let pull = Message.Pull(cursor: state.cursor, resync: state.needsResync, resume: state.resumePoint)
    /// try book.record(.done(cursor: 1_204, clean: true))
    /// ```
    public struct SyncState: Sendable, Hashable {
        /// The last central log sequence number applied at a DONE (0 before the first sync).
        public var cursor: UInt64 = 0
        /// The highest own counter the centre holds.
        public var pushed: UInt64 = 0
        /// Whether the next pull must ask for a resync: a purge or backfill was applied in a session that did not
        /// reach its DONE, so the cursor no longer describes what the book holds (SPEC [W-9.8]).
        public var needsResync = false
        /// The `seq` of the last delta batch applied since the cursor by a pull that did not reach its DONE; 0 for
        /// none (SPEC [W-9.12]).
        public var resumePoint: UInt64 = 0
        /// When the last sync completed (Unix ms), if one has.
        public var lastSync: UInt64?

        /// Makes a state (for tests; a book reads its own with ``Book/syncState()``).
        public init(cursor: UInt64 = 0, pushed: UInt64 = 0, needsResync: Bool = false, resumePoint: UInt64 = 0, lastSync: UInt64? = nil) {
            self.cursor = cursor
            self.pushed = pushed
            self.needsResync = needsResync
            self.resumePoint = resumePoint
            self.lastSync = lastSync
        }

        /// What happened to the sync state, written with what it describes.
        public enum Change: Sendable, Hashable {
            /// The centre holds own ops up to this counter.
            case pushed(UInt64)
            /// A backfill batch was applied: until DONE the cursor no longer describes the book.
            case backfillApplied
            /// A delta batch with this `seq` was applied: a cut pull resumes after it.
            case deltaApplied(seq: UInt64)
            /// Customers were purged: until DONE the cursor no longer describes the book.
            case purged
            /// DONE: the cursor moves, the resume point goes, and the resync mark goes if the state hash matched.
            case done(cursor: UInt64, clean: Bool)
            /// The session completed at this time (Unix ms).
            case finished(at: UInt64)
        }

        /// The `meta` rows of each field.
        enum Key {
            static let cursor = "cursor"
            static let pushed = "pushed"
            static let needsResync = "sync_resync"
            static let resumePoint = "sync_resume"
            static let lastSync = SyncKey.lastSync
            static let all = [cursor, pushed, needsResync, resumePoint, lastSync]
        }

        /// Reads the state from its `meta` rows (absent rows are the first sync's state).
        init(rows: [String: String]) {
            cursor = rows[Key.cursor].flatMap(UInt64.init) ?? 0
            pushed = rows[Key.pushed].flatMap(UInt64.init) ?? 0
            needsResync = rows[Key.needsResync] == "1"
            resumePoint = rows[Key.resumePoint].flatMap(UInt64.init) ?? 0
            lastSync = rows[Key.lastSync].flatMap(UInt64.init)
        }

        /// The `meta` rows a change writes.
        public static func rows(for change: Change) -> [String: String] {
            switch change {
            case .pushed(let held): [Key.pushed: String(held)]
            case .backfillApplied, .purged: [Key.needsResync: "1"]
            case .deltaApplied(let seq): [Key.resumePoint: String(seq)]
            case .done(let cursor, let clean): [Key.cursor: String(cursor), Key.needsResync: clean ? "0" : "1", Key.resumePoint: "0"]
            case .finished(let time): [Key.lastSync: String(time)]
            }
        }
    }

    /// The device's sync state, read in one snapshot.
    public func syncState() throws(StoreError) -> SyncState {
        try read { db in
            var rows: [String: String] = [:]
            for row in try Row.fetchAll(
                db.cachedStatement(sql: "SELECT key, value FROM meta WHERE key IN (?, ?, ?, ?, ?)"),
                arguments: StatementArguments(SyncState.Key.all))
            {
                rows[row["key"]] = row["value"]
            }
            return SyncState(rows: rows)
        }
    }

    /// Records a change of the sync state on its own (one transaction). The DONE that ends the first pull (the cursor
    /// leaves 0) also compacts the book, which that pull wrote all at once (``compactAfterInitialPull()``).
    public func record(_ change: SyncState.Change) throws(StoreError) {
        var initialPull = false
        if case .done(let cursor, _) = change, cursor > 0 { initialPull = try syncState().cursor == 0 }
        try setMeta(SyncState.rows(for: change))
        if initialPull { compactAfterInitialPull() }
    }
}
