/// The op IDs a replica holds, kept as counters per actor: what ``Replica`` asks before applying an op ("seen?").
///
/// Counters are dense per actor (1, 2, 3 …) and mostly arrive in order, so each actor keeps the highest counter up to
/// which it holds everything, and the few counters held above it (out of order, until the gap fills). An op in order
/// costs two comparisons and no hashing; the actor of the previous call is remembered, because a batch carries one
/// actor's ops one after the other.
///
/// ```swift
/// var held = HeldCounters()
/// held.insert(OpID(actor: a, counter: 1))   // true
/// held.insert(OpID(actor: a, counter: 3))   // true: held above the contiguous 1
/// held.insert(OpID(actor: a, counter: 1))   // false: already held
/// held.insert(OpID(actor: a, counter: 2))   // true: now 1…3 are contiguous
/// held.versionVector                        // [a: 3]
/// ```
public struct HeldCounters: Sendable {
    /// What is held of one actor.
    private struct Actor: Sendable {
        /// Every counter from 1 up to this one is held.
        var contiguous: UInt64 = 0
        /// Counters held that are not contiguous (above `contiguous`, or 0, which no valid op has).
        var scattered: Set<UInt64> = []

        func contains(_ counter: UInt64) -> Bool {
            (counter != 0 && counter <= contiguous) || (!scattered.isEmpty && scattered.contains(counter))
        }
    }

    private var actors: [ActorID] = []
    private var held: [Actor] = []
    private var slots: [ActorID: Int] = [:]
    /// The slot of the actor of the previous call, or -1.
    private var last = -1

    /// Nothing held.
    public init() {}

    /// The number of actors with an op held.
    public var actorCount: Int { actors.count }

    /// Whether the op `id` is held.
    public func contains(_ id: OpID) -> Bool {
        let slot = last >= 0 && actors[last] == id.actor ? last : slots[id.actor]
        guard let slot else { return false }
        return held[slot].contains(id.counter)
    }

    /// Records the op `id` as held. Returns `false`, changing nothing, when it already was.
    @discardableResult
    public mutating func insert(_ id: OpID) -> Bool {
        let slot = self.slot(id.actor)
        let counter = id.counter
        if counter != 0, counter == held[slot].contiguous + 1 {
            var top = counter
            if !held[slot].scattered.isEmpty {
                while held[slot].scattered.remove(top + 1) != nil { top += 1 }
            }
            held[slot].contiguous = top
            return true
        }
        if counter != 0, counter <= held[slot].contiguous { return false }
        return held[slot].scattered.insert(counter).inserted
    }

    /// The highest contiguous counter held of each actor with an op held: "what I have of actor A".
    public var versionVector: [ActorID: UInt64] {
        var vector: [ActorID: UInt64] = [:]
        vector.reserveCapacity(actors.count)
        for (actor, counters) in zip(actors, held) { vector[actor] = counters.contiguous }
        return vector
    }

    /// The slot of `actor`, made on its first op.
    private mutating func slot(_ actor: ActorID) -> Int {
        if last >= 0, actors[last] == actor { return last }
        if let slot = slots[actor] {
            last = slot
            return slot
        }
        actors.append(actor)
        held.append(Actor())
        slots[actor] = actors.count - 1
        last = actors.count - 1
        return last
    }
}
