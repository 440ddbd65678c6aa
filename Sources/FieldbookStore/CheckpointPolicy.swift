/// When a book on disk copies its write-ahead log (WAL) back into the main file: a checkpoint.
///
/// A checkpoint writes every page the WAL holds into the book and syncs the book (`fdatasync`): 4–14 ms on the
/// benchmark's disk, and more on a phone's flash. Under SQLite's own rule it runs inside the commit that takes the WAL
/// past 1,000 pages, so one command in a few dozen waits for it. The shell moves it between commands instead, after
/// a command's output is written, where the user is reading (docs/DECISIONS.md, "Command latency: checkpoints
/// between commands").
///
/// ```swift
/// var options = BookOptions.system
/// options.checkpoints = .betweenCommands()
/// let book = try Book.open(at: path, options: options)
/// try book.write { tx in … }      // never checkpoints below 4,000 pages
/// try book.checkpointIfDue()      // the shell, after each command: checkpoints from 1,000 pages
/// ```
public enum CheckpointPolicy: Sendable, Equatable {
    /// SQLite's automatic checkpoint: the commit that takes the WAL past 1,000 pages checkpoints before it returns.
    /// For books whose writers have no pause to wait for: the central node, tools, tests.
    case automatic

    /// No commit checkpoints until the WAL holds `ceiling` pages; ``Book/checkpointIfDue()``, called between
    /// commands, checkpoints (`PASSIVE`) once it holds `threshold` pages. The ceiling bounds the WAL for a single long
    /// command (an initial pull, an import) and for a caller that never calls ``Book/checkpointIfDue()``: the commit
    /// that reaches it checkpoints as SQLite's own rule would.
    ///
    /// - Parameters:
    ///   - threshold: Pages (4 KiB each) from which ``Book/checkpointIfDue()`` checkpoints; SQLite's default
    ///     automatic threshold.
    ///   - ceiling: Pages from which a commit checkpoints anyway.
    case betweenCommands(threshold: Int = 1_000, ceiling: Int = 4_000)
}
