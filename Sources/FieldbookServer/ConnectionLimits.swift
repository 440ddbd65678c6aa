import NIOCore
import Synchronization

/// The server's per-connection limits beside the idle timeout (SPEC §12): a deadline on a whole session and a cap on
/// concurrent connections, so a slow or silent client, or a flood of them, never holds resources forever.
///
/// One instance is shared by every connection of a server: it also counts the open connections. `fieldbook serve`
/// makes it from its `--session-deadline` and `--max-connections` options.
///
/// ```swift
/// let server = SyncServer(database: central, logger: logger,
///                         limits: ConnectionLimits(sessionDeadline: .minutes(15), maxConnections: 1_024))
/// ```
public final class ConnectionLimits: Sendable {
    /// The longest a connection may stay open, however busy it is.
    public let sessionDeadline: TimeAmount
    /// The most connections served at once; one more is told `BUSY` and closed.
    public let maxConnections: Int
    private let open = Atomic<Int>(0)

    /// Makes limits.
    ///
    /// - Parameters:
    ///   - sessionDeadline: The longest a connection may stay open (15 minutes by default: a first sync of a full
    ///     book over a slow link takes a few minutes).
    ///   - maxConnections: The most connections at once (1 024 by default, below a default `ulimit -n`).
    public init(sessionDeadline: TimeAmount = .minutes(15), maxConnections: Int = 1_024) {
        self.sessionDeadline = sessionDeadline
        self.maxConnections = max(1, maxConnections)
    }

    /// How many connections are open now.
    public var openConnections: Int { open.load(ordering: .relaxed) }

    /// Counts a new connection; `false` when it is one too many (it is then not counted).
    func admit() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < maxConnections {
            let (exchanged, original) = open.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Uncounts a connection that ``admit()`` counted.
    func release() {
        open.subtract(1, ordering: .relaxed)
    }
}
