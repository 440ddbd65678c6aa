import Synchronization

/// First come, first served admission of sessions to the centre's store (issue 16, SPEC [W-12.8]).
///
/// At the morning rush hundreds of devices sync at once. Letting every session run its store work at the same time
/// makes them all slow: their pushes queue on SQLite's one writer in turn and every session finishes near the end.
/// The gate lets at most ``capacity`` sessions at a time do their store work; the others wait in arrival order, so
/// sessions finish steadily from the start and a device's wait is its place in the line. A waiting session's
/// connection is kept alive by the server (PING) and told its place.
///
/// A session enters when its first push or pull reaches the server (authentication is cheap and not gated) and
/// leaves when its connection ends.
///
/// ```swift
/// let ticket = gate.enter()
/// await gate.wait(for: ticket)   // returns at once when a slot was free
/// defer { gate.leave(ticket) }
/// ```
public final class AdmissionGate: Sendable {
    /// How many sessions do store work at once.
    public let capacity: Int

    /// A session's place: in the line, or admitted.
    public struct Ticket: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct State {
        var nextID: UInt64 = 0
        var admitted: Set<UInt64> = []
        /// Waiting sessions in arrival order, each with the continuation of its ``wait(for:)`` once it waits.
        var line: [(id: UInt64, continuation: CheckedContinuation<Void, Never>?)] = []
        /// Tickets admitted while no one waited on them yet.
        var ready: Set<UInt64> = []
    }

    private let state = Mutex(State())

    /// Makes a gate.
    ///
    /// - Parameter capacity: Sessions doing store work at once (at least 1).
    public init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    /// Takes a place: admitted at once when a slot is free and no one is waiting, else at the end of the line.
    public func enter() -> Ticket {
        state.withLock { state in
            state.nextID += 1
            let id = state.nextID
            if state.admitted.count < capacity, state.line.isEmpty {
                state.admitted.insert(id)
                state.ready.insert(id)
            } else {
                state.line.append((id, nil))
            }
            return Ticket(id: id)
        }
    }

    /// How many sessions wait ahead of this one; `0` once admitted (or for a ticket that left).
    public func place(of ticket: Ticket) -> Int {
        state.withLock { state in state.line.firstIndex { $0.id == ticket.id }.map { $0 + 1 } ?? 0 }
    }

    /// How many sessions wait in line.
    public var waiting: Int { state.withLock { $0.line.count } }

    /// How many sessions are admitted.
    public var active: Int { state.withLock { $0.admitted.count } }

    /// Whether the ticket is admitted.
    public func isAdmitted(_ ticket: Ticket) -> Bool {
        state.withLock { $0.admitted.contains(ticket.id) }
    }

    /// Returns once the ticket is admitted (at once if it is).
    public func wait(for ticket: Ticket) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.ready.remove(ticket.id) != nil || state.admitted.contains(ticket.id) { return true }
                guard let index = state.line.firstIndex(where: { $0.id == ticket.id }) else { return true }
                state.line[index].continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Gives the place up (admitted or waiting) and admits the next in line.
    public func leave(_ ticket: Ticket) {
        let wake = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.ready.remove(ticket.id)
            if state.admitted.remove(ticket.id) == nil {
                if let index = state.line.firstIndex(where: { $0.id == ticket.id }) {
                    // A waiter that leaves (its connection ended) must still be resumed if it waits.
                    let continuation = state.line.remove(at: index).continuation
                    return continuation.map { [$0] } ?? []
                }
                return []
            }
            var wake: [CheckedContinuation<Void, Never>] = []
            while state.admitted.count < capacity, !state.line.isEmpty {
                let next = state.line.removeFirst()
                state.admitted.insert(next.id)
                if let continuation = next.continuation { wake.append(continuation) } else { state.ready.insert(next.id) }
            }
            return wake
        }
        for continuation in wake { continuation.resume() }
    }
}
