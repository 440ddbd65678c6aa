/// The identity of one operation: its author replica and that replica's dense counter (1, 2, 3 …).
///
/// Because counters are dense, "everything I have of actor A" is one number.
public struct OpID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The replica that made the operation.
    public var actor: ActorID
    /// The position of the operation in its actor's log, starting at 1.
    public var counter: UInt64

    /// Makes an ID.
    public init(actor: ActorID, counter: UInt64) {
        self.actor = actor
        self.counter = counter
    }

    public var description: String { "\(actor.short)/\(counter)" }

    public static func < (lhs: OpID, rhs: OpID) -> Bool {
        (lhs.actor, lhs.counter) < (rhs.actor, rhs.counter)
    }
}
