import GRDB
import NIOPosix
import Synchronization

/// Group commit at the centre: the writes that wait for SQLite's one writer at the same moment (pushes, and the
/// scope snapshot each pull records) are stored in one transaction, so that the morning rush syncs the log once per
/// group instead of once per write, and no store thread blocks on the write lock.
///
/// There is no timer and no batch size: a write that arrives while no group is being written starts one at once (on
/// the store's threads); writes that arrive while a group is being written wait, without holding a thread, and the
/// next group takes every one of them. With one write at a time this is exactly one transaction per write, as
/// before; under load the groups grow with the queue. A write that fails gets its own error and leaves the others
/// stored (the group runs again without it, ``CentralDatabase/writeGroup(_:)``). Every caller
/// is resumed only after the commit that holds its write, so a session never acknowledges a push that is not
/// durable.
///
/// ```swift
/// let writer = GroupCommitWriter(database: central, threads: pool)
/// let outcome = try await writer.write { db in try central.store(request, db: db) }
/// ```
final class GroupCommitWriter: Sendable {
    /// A write waiting for its group, and the caller to resume with its result.
    private struct Waiting {
        let work: @Sendable (Database) throws -> any Sendable
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var queue: [Waiting] = []
        /// Whether a thread is writing groups now (it takes the queue again when its group commits).
        var writing = false
        /// Groups committed and writes in them, for tests and diagnostics.
        var groups = 0
        var writes = 0
    }

    private let database: CentralDatabase
    private let threads: NIOThreadPool
    private let state = Mutex(State())

    /// A writer storing into `database`, writing on one of `threads` at a time.
    init(database: CentralDatabase, threads: NIOThreadPool) {
        self.database = database
        self.threads = threads
    }

    /// How many groups were committed so far and how many writes they held.
    var statistics: (groups: Int, writes: Int) {
        state.withLock { ($0.groups, $0.writes) }
    }

    /// Runs `work` in the next group; returns its result once the group has committed (or throws its own error, or
    /// the group's when the transaction itself failed).
    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Sendable, any Error>) in
            let start = state.withLock { state in
                state.queue.append(Waiting(work: { try work($0) }, continuation: continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            if start { threads.submit { [self] work in writeGroups(cancelled: work == .cancelled) } }
        }
        return value as! T
    }

    /// Writes groups until the queue is empty (runs on one of the store's threads).
    private func writeGroups(cancelled: Bool) {
        while true {
            let group = state.withLock { state -> [Waiting] in
                let group = state.queue
                state.queue = []
                if group.isEmpty { state.writing = false }
                return group
            }
            guard !group.isEmpty else { return }
            if cancelled {
                // The pool is shutting down: nothing is stored.
                for waiting in group { waiting.continuation.resume(throwing: CancellationError()) }
                continue
            }
            do {
                let results = try database.writeGroup(group.map(\.work))
                state.withLock { state in
                    state.groups += 1
                    state.writes += group.count
                }
                for (waiting, result) in zip(group, results) { waiting.continuation.resume(with: result) }
            } catch {
                // The transaction itself failed: no write of the group is stored.
                for waiting in group { waiting.continuation.resume(throwing: error) }
            }
        }
    }
}
