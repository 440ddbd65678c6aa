import GRDB
import Synchronization

extension Book {
    /// Copies the WAL into the book (a `PASSIVE` checkpoint) when it holds at least the threshold of
    /// ``CheckpointPolicy/betweenCommands(threshold:ceiling:)``: what the shell calls after each command, once its
    /// output is written. Does nothing under ``CheckpointPolicy/automatic`` or for a book in memory, and nothing
    /// (without touching the database) while the WAL is below the threshold.
    ///
    /// `PASSIVE` never waits: what a reader in another process still needs stays in the WAL and is copied after a later
    /// command. The commits themselves were already durable (`synchronous=FULL`); a checkpoint only moves them.
    ///
    /// When every frame was copied, the next write starts the WAL over from its first frame, and that write syncs the
    /// WAL's new header before its own frames: two syncs instead of one. So the log is started over here too, by
    /// writing back the file header's `user_version` unchanged (one page; nothing reads it), and the next command's
    /// commit costs one sync like any other. That write takes the write lock like a command (so it can wait, up to the
    /// book's busy timeout, for another process that is writing).
    ///
    /// The same goes for a long command whose last commit reached the ceiling and checkpointed the whole WAL: the
    /// log is started over here, though no checkpoint is due.
    ///
    /// - Returns: Whether a checkpoint ran.
    /// - Throws: ``StoreError`` for a database failure (the WAL then keeps its frames: nothing is lost).
    @discardableResult
    public func checkpointIfDue() throws(StoreError) -> Bool {
        guard let walMonitor else { return false }
        let due = walMonitor.frames.load(ordering: .relaxed) >= walMonitor.threshold
        guard due || walMonitor.restartPending.load(ordering: .relaxed) else { return false }
        do {
            try database.writeWithoutTransaction { db in
                if due {
                    let (logged, copied) = try db.checkpoint(.passive)
                    walMonitor.checkpointed(logged: logged, copied: copied)
                    guard copied >= logged else { return }
                }
                // SQLite skips an UPDATE that leaves a row as it was, so the header's field is what gets written.
                let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                try db.execute(sql: "PRAGMA user_version = \(version)")
            }
        } catch {
            throw Self.map(error)
        }
        return due
    }

    /// How many customers may wait for their search-index entry before ``catchUpSearchIndexIfDue()`` re-indexes them.
    public static let searchIndexThreshold = 64

    /// Re-indexes the customers whose search-index entry lags their text (migration v10), when at least
    /// ``searchIndexThreshold`` wait: what the shell calls after each command, before ``checkpointIfDue()``, so that a
    /// `set` or `contact` commits without rewriting the trigram index (one index write costs about 90 allocations
    /// whatever its size) and the catch-up of 64 customers, a few milliseconds, falls where the user is reading, as
    /// the checkpoint does. `find` is exact meanwhile (``textMatch(_:db:)`` scans the waiting customers' text), and a
    /// trigger catches up inside the commit that makes 256 wait, for callers that never pause between commands.
    ///
    /// - Returns: Whether the index was caught up.
    /// - Throws: ``StoreError`` for a database failure (the customers stay pending: nothing is lost).
    @discardableResult
    public func catchUpSearchIndexIfDue() throws(StoreError) -> Bool {
        do {
            return try database.writeWithoutTransaction { db in
                guard try Self.hasSearchIndex(db) else { return false }
                let count = DirectStatement(try db.cachedStatement(sql: "SELECT count(*) FROM customer_fts_pending"), db: db)
                count.reset()
                defer { count.reset() }
                guard try count.step(), count.int64(0) >= Self.searchIndexThreshold else { return false }
                count.reset()
                try Self.inImmediateTransaction(db) { try Self.catchUpSearchIndex(db) }
                return true
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// What the WAL hook has seen, for tests and benchmarks: frames in the WAL after the last commit (0 after a
    /// complete checkpoint), and the checkpoints run between commands and inside commits. `nil` under
    /// ``CheckpointPolicy/automatic``.
    package var walActivity: (frames: Int, checkpointsBetween: Int, checkpointsInCommit: Int)? {
        guard let walMonitor else { return nil }
        return (
            walMonitor.frames.load(ordering: .relaxed), walMonitor.checkpointsBetween.load(ordering: .relaxed),
            walMonitor.checkpointsInCommit.load(ordering: .relaxed)
        )
    }
}
