import GRDB
import GRDBSQLite
import Synchronization

/// Carries out ``CheckpointPolicy/betweenCommands(threshold:ceiling:)`` on a book's connection: a WAL hook that
/// replaces SQLite's automatic checkpoint, remembers how many pages the WAL holds after each commit, and checkpoints
/// inside a commit only at the ceiling.
///
/// Installed from `prepareDatabase`, whose closure the connection's configuration keeps: the monitor lives as long
/// as the connection that calls it. SQLite's automatic checkpoint is itself a WAL hook, so installing this one turns
/// it off (`PRAGMA wal_autocheckpoint` then reads 0), and nothing GRDB does when it opens a queue (the WAL set-up
/// runs after `prepareDatabase`) touches the hook.
final class WALMonitor: Sendable {
    /// Pages from which ``Book/checkpointIfDue()`` checkpoints.
    let threshold: Int
    /// Pages from which a commit checkpoints.
    let ceiling: Int
    /// Frames in the WAL after the last commit of this connection, or 0 after a checkpoint that copied them all
    /// (the next commit then starts the WAL over).
    let frames = Atomic<Int>(0)
    /// Checkpoints run between commands (``Book/checkpointIfDue()``), for tests and benchmarks.
    let checkpointsBetween = Atomic<Int>(0)
    /// Checkpoints run inside a commit because the WAL reached the ceiling.
    let checkpointsInCommit = Atomic<Int>(0)
    /// Whether such a checkpoint copied the whole WAL and nothing was written since: the next write starts the WAL
    /// over, which ``Book/checkpointIfDue()`` then does between commands.
    let restartPending = Atomic<Bool>(false)

    init(threshold: Int, ceiling: Int) {
        self.threshold = max(1, threshold)
        self.ceiling = max(self.threshold, ceiling)
    }

    /// Installs the hook on a connection that is being opened, and caps the WAL file that a long command (an initial
    /// pull) grew towards the ceiling: when the log starts over, SQLite truncates the file to twice the threshold
    /// (`journal_size_limit`), which the usual cycle of one threshold and one command never reaches, so commands
    /// keep writing into a file that is already long enough (a commit that makes the file longer also syncs its size).
    func install(on db: Database) throws {
        sqlite3_wal_hook(db.sqliteConnection, walMonitorHook, Unmanaged.passUnretained(self).toOpaque())
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096
        try db.execute(sql: "PRAGMA journal_size_limit = \(2 * threshold * (pageSize + 24))")
    }

    /// Called by SQLite after each commit, with the write lock released.
    fileprivate func committed(pages: Int, connection: OpaquePointer?, schema: UnsafePointer<CChar>?) {
        restartPending.store(false, ordering: .relaxed)
        guard pages >= ceiling else {
            frames.store(pages, ordering: .relaxed)
            return
        }
        // What SQLite's own hook does at its threshold. A failure (another process reading) leaves the frames for the
        // next checkpoint; the commit itself has succeeded either way.
        var logged: Int32 = 0
        var copied: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, &logged, &copied)
        checkpointsInCommit.add(1, ordering: .relaxed)
        let complete = code == SQLITE_OK && copied == logged
        frames.store(complete ? 0 : pages, ordering: .relaxed)
        restartPending.store(complete, ordering: .relaxed)
    }

    /// Records a `TRUNCATE` checkpoint (a purge, an erase): the WAL file is empty.
    func truncated() {
        frames.store(0, ordering: .relaxed)
        restartPending.store(false, ordering: .relaxed)
    }

    /// Records the outcome of a checkpoint between commands.
    func checkpointed(logged: Int, copied: Int) {
        checkpointsBetween.add(1, ordering: .relaxed)
        // A reader in another process can hold frames back: then they are retried after the next command.
        frames.store(copied >= logged ? 0 : logged, ordering: .relaxed)
    }
}

/// The WAL hook: a C function, so it finds its monitor through the context pointer.
private func walMonitorHook(
    context: UnsafeMutableRawPointer?, connection: OpaquePointer?, schema: UnsafePointer<CChar>?, pages: Int32
) -> Int32 {
    guard let context else { return SQLITE_OK }
    Unmanaged<WALMonitor>.fromOpaque(context).takeUnretainedValue()
        .committed(pages: Int(pages), connection: connection, schema: schema)
    return SQLITE_OK
}
