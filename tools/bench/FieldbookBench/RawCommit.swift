import BenchSupport
import Foundation
import GRDB
import GRDBSQLite

/// The raw-SQLite floor of a local command: one small transaction, one op row of a note's size into the book's `op`
/// table and its indexes, with the book's durability (WAL, `synchronous=FULL`) on the same disk, and the same
/// checkpoint policy as the book beside it (between commits from 1,000 pages, or SQLite's automatic checkpoint).
///
/// What is left of a `set` after this is Fieldbook's own work; what this row costs is the disk's `fdatasync`.
final class RawCommit {
    private let queue: DatabaseQueue
    private let checkpointBetween: Bool
    /// Frames in the WAL after the last commit, from the WAL hook (between-commits policy only).
    private let frames = FrameCount()
    private let actor = Data((0..<16).map { UInt8($0) })
    /// Commits so far: each one's op counter.
    private var committed = 0

    /// Creates the database afresh at `path`.
    init(path: String, checkpointBetween: Bool) throws {
        for file in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: file) }
        var configuration = Configuration()
        configuration.journalMode = .wal
        let frames = frames
        if checkpointBetween {
            // As the book does: a WAL hook in place of SQLite's automatic checkpoint.
            configuration.prepareDatabase { db in
                sqlite3_wal_hook(db.sqliteConnection, { context, _, _, pages in
                    Unmanaged<FrameCount>.fromOpaque(context!).takeUnretainedValue().value = Int(pages)
                    return SQLITE_OK
                }, Unmanaged.passUnretained(frames).toOpaque())
            }
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        self.checkpointBetween = checkpointBetween
        // After opening, as the book does: GRDB's WAL set-up leaves `synchronous=NORMAL`.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try queue.write { db in try db.execute(sql: RawSQLite.opTable) }
        _ = try queue.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    /// One transaction inserting one op row.
    func commit(_ index: Int) throws {
        committed += 1
        let counter = committed
        try queue.write { db in
            try db.cachedStatement(sql: "INSERT INTO op VALUES (?, ?, ?, ?, ?, ?, ?)").execute(arguments: [
                actor, counter, 1_795_400_000_000 + counter, "c:\(index % 5_000)", "M001", 1,
                Data(repeating: UInt8(index % 251), count: 16) + Data("今天电话回访，第\(index)次".utf8) + Data(repeating: 7, count: 24),
            ])
        }
    }

    /// A `PASSIVE` checkpoint from 1,000 frames, as ``FieldbookStore/Book/checkpointIfDue()`` does for the book.
    func checkpointIfDue() throws {
        guard checkpointBetween, frames.value >= 1_000 else { return }
        let (logged, copied) = try queue.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        if copied >= logged { frames.value = 0 }
    }
}

/// A WAL hook's frame count; the bench runs the raw commits on one thread.
private final class FrameCount: @unchecked Sendable {
    var value = 0
}
