import NIOCore
import Synchronization

/// The server's per-connection limits beside the idle timeout (SPEC §12): deadlines, and caps that keep
/// unauthenticated connections apart from device sessions, so a slow or silent client, or a flood of them, never
/// holds resources forever and never keeps a device from syncing.
///
/// A connection is *unauthenticated* from its accept until its AUTH succeeds, then it is a *session*:
///
/// - Sessions are capped by ``maxConnections``; past it a new connection is told `BUSY` at once (SPEC `[W-12.7]`).
/// - Unauthenticated connections are capped apart, per remote address (``maxUnauthenticatedPerAddress``) and in total
///   (``maxUnauthenticated``). At a cap the *oldest* unauthenticated connection (of that address; at the total cap, of
///   the address holding the most) is told `BUSY` and closed to make room, so a burst of idle or half-sent
///   connections cannot keep a device (even one behind the same address) from reaching AUTH, which takes it a few
///   round trips (SPEC `[W-12.7]`).
/// - An unauthenticated connection has ``authDeadline`` to complete AUTH (SPEC `[W-12.6]`); a session has
///   ``sessionDeadline`` from its accept to finish.
///
/// One instance is shared by every connection of a server: it also counts them. `fieldbook serve` makes it from its
/// `--session-deadline`, `--max-connections`, `--auth-deadline`, `--max-unauthenticated` and
/// `--max-unauthenticated-per-address` options. The frame limit before AUTH is the protocol's, not an option
/// (`FrameReader.Gate.unauthenticated`, SPEC `[W-12.4]`).
///
/// ```swift
/// let server = SyncServer(store: SQLiteCentralStore(central), logger: logger,
///                         limits: ConnectionLimits(sessionDeadline: .minutes(15), maxConnections: 1_024))
/// ```
public final class ConnectionLimits: Sendable {
    /// The longest a connection may stay open, however busy it is.
    public let sessionDeadline: TimeAmount
    /// The most sessions (authenticated connections) served at once; past it a new connection is told `BUSY`.
    public let maxConnections: Int
    /// The longest a connection may take from its accept to a successful AUTH.
    public let authDeadline: TimeAmount
    /// The most unauthenticated connections at once; one more closes the oldest.
    public let maxUnauthenticated: Int
    /// The most unauthenticated connections from one remote address at once; one more closes that address's oldest.
    public let maxUnauthenticatedPerAddress: Int

    private let sessions = Atomic<Int>(0)
    private let waiting = Mutex(WaitingRoom())

    /// The unauthenticated connections, oldest first (a few hundred at most: scanning them is cheap).
    private struct WaitingRoom {
        struct Entry {
            let id: UInt64
            let address: String
            let evict: @Sendable (String) -> Void
        }
        var entries: [Entry] = []
        var lastID: UInt64 = 0
    }

    /// What became of an unauthenticated connection whose AUTH succeeded.
    enum Promotion: Sendable {
        /// It is a session now (and counted as one).
        case admitted
        /// It had been closed to make room for a newer one (its eviction is on its way).
        case evicted
        /// The sessions are full.
        case full
    }

    /// Makes limits.
    ///
    /// - Parameters:
    ///   - sessionDeadline: The longest a connection may stay open (15 minutes by default: a first sync of a full
    ///     book over a slow link takes a few minutes).
    ///   - maxConnections: The most sessions at once (1 024 by default). The process needs a file descriptor for each
    ///     session and each unauthenticated connection: `ulimit -n` should be above their two caps together.
    ///   - authDeadline: The longest from accept to a successful AUTH (10 seconds by default: TLS, HELLO and AUTH take
    ///     a few round trips, under a second even on a poor mobile link).
    ///   - maxUnauthenticated: The most unauthenticated connections at once (64 by default: a device holds a slot
    ///     only for its handshake, a fraction of a second, and a waiting TLS connection costs the server about 40 KB,
    ///     mostly the TLS handler's buffers).
    ///   - maxUnauthenticatedPerAddress: The most unauthenticated connections from one address at once (16 by default:
    ///     a branch's devices behind one NAT each need a slot only for the moment of their handshake).
    public init(
        sessionDeadline: TimeAmount = .minutes(15), maxConnections: Int = 1_024, authDeadline: TimeAmount = .seconds(10),
        maxUnauthenticated: Int = 64, maxUnauthenticatedPerAddress: Int = 16
    ) {
        self.sessionDeadline = sessionDeadline
        self.maxConnections = max(1, maxConnections)
        self.authDeadline = authDeadline
        self.maxUnauthenticated = max(1, maxUnauthenticated)
        self.maxUnauthenticatedPerAddress = max(1, min(maxUnauthenticatedPerAddress, maxUnauthenticated))
    }

    /// How many sessions are open now.
    public var openSessions: Int { sessions.load(ordering: .relaxed) }

    /// How many unauthenticated connections are open now.
    public var unauthenticatedConnections: Int { waiting.withLock { $0.entries.count } }

    /// Counts a new connection as unauthenticated, closing the oldest one of its address, or of all, when it would
    /// be one too many.
    ///
    /// - Parameters:
    ///   - address: The remote address, without its port.
    ///   - evict: Closes the connection with a fatal `BUSY` carrying the text given (called at most once, on any
    ///     thread, when a newer connection needs its slot).
    /// - Returns: The connection's number for ``authenticate(_:)`` and ``leave(_:)``, or `nil` when the sessions are
    ///   full (the connection is then not counted).
    func enter(address: String, evict: @escaping @Sendable (String) -> Void) -> UInt64? {
        guard sessions.load(ordering: .relaxed) < maxConnections else { return nil }
        let perAddress = maxUnauthenticatedPerAddress
        let total = maxUnauthenticated
        let (id, victim) = waiting.withLock { room -> (UInt64, (WaitingRoom.Entry, String)?) in
            var victim: (WaitingRoom.Entry, String)?
            if room.entries.count(where: { $0.address == address }) >= perAddress,
                let oldest = room.entries.firstIndex(where: { $0.address == address })
            {
                victim = (room.entries.remove(at: oldest), "too many unauthenticated connections from one address (\(perAddress))")
            } else if room.entries.count >= total {
                // The oldest of the address holding the most (the newcomer's included): a device alone at its
                // address keeps its slot while any other address holds more.
                var counts = [address: 1]
                for entry in room.entries { counts[entry.address, default: 0] += 1 }
                let most = counts.values.max() ?? 0
                let oldest = room.entries.firstIndex { counts[$0.address] == most } ?? 0
                victim = (room.entries.remove(at: oldest), "too many unauthenticated connections (\(total))")
            }
            room.lastID += 1
            room.entries.append(WaitingRoom.Entry(id: room.lastID, address: address, evict: evict))
            return (room.lastID, victim)
        }
        if let victim { victim.0.evict("server busy: \(victim.1), retry later") }
        return id
    }

    /// Turns an unauthenticated connection into a session.
    ///
    /// - Parameter id: What ``enter(address:evict:)`` returned.
    /// - Returns: Whether it is a session now, and why not.
    func authenticate(_ id: UInt64) -> Promotion {
        let present = waiting.withLock { room in
            guard let index = room.entries.firstIndex(where: { $0.id == id }) else { return false }
            room.entries.remove(at: index)
            return true
        }
        guard present else { return .evicted }
        var current = sessions.load(ordering: .relaxed)
        while current < maxConnections {
            let (exchanged, original) = sessions.compareExchange(
                expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return .admitted }
            current = original
        }
        return .full
    }

    /// Uncounts an unauthenticated connection that closed (nothing happens if it was evicted or authenticated).
    ///
    /// - Parameter id: What ``enter(address:evict:)`` returned.
    func leave(_ id: UInt64) {
        waiting.withLock { room in
            if let index = room.entries.firstIndex(where: { $0.id == id }) { room.entries.remove(at: index) }
        }
    }

    /// Uncounts a session that ``authenticate(_:)`` admitted.
    func release() {
        sessions.subtract(1, ordering: .relaxed)
    }
}
