import Dispatch
import GRDB

/// Holds an exclusive SQLite lock on a database file from a second connection, as another program would, for tests
/// of what a book does when it is locked.
///
/// ```swift
/// let busy = try ExclusiveLock.holding(path) { try addCustomer(book, "新客户") }
/// ```
public enum ExclusiveLock {
    /// Runs `body` while another connection holds an exclusive transaction on `path`, then releases it.
    public static func holding<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let holder = try DatabaseQueue(path: path)
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? holder.inTransaction(.exclusive) { _ in
                locked.signal()
                release.wait()
                return .rollback
            }
            // If the lock could not be taken, do not leave the caller waiting forever.
            locked.signal()
            done.signal()
        }
        locked.wait()
        defer {
            release.signal()
            done.wait()
        }
        return try body()
    }
}
