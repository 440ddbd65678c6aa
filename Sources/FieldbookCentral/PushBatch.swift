import FieldbookModel

/// The ops of a pushed batch that continue what the centre holds of the pushing actor: the one reading of a batch that
/// every store makes before it asks the policy about each op (SPEC §9.5).
///
/// In counter order: an op signed for another actor is never stored and counts as denied; a counter already held is a
/// duplicate and is skipped; the first counter past a gap stops the batch (the device resends from the gap).
///
/// ```swift
/// let batch = PushBatch(ops, actor: account.actor, held: held)
/// for op in batch.continuing { … }   // counters held + 1, held + 2, …
/// ```
public struct PushBatch: Sendable {
    /// The ops that continue the held counter, in counter order, without a gap.
    public private(set) var continuing: [Op] = []
    /// How many ops were signed for another actor (before the gap, if any).
    public private(set) var foreign = 0
    /// Whether the batch stopped at a gap in the actor's counters.
    public private(set) var gap = false

    /// Reads a batch against the highest contiguous counter held of the pushing actor.
    public init(_ ops: [Op], actor: ActorID, held: UInt64) {
        var next = held
        for op in ops.sorted(by: { $0.id.counter < $1.id.counter }) {
            guard op.id.actor == actor else {
                foreign += 1
                continue
            }
            if op.id.counter <= next { continue }
            guard op.id.counter == next + 1 else {
                gap = true
                break
            }
            continuing.append(op)
            next += 1
        }
    }
}
