import FieldbookModel

/// What ``BookTransaction/undo(_:)`` wrote: the compensating ops, and what they touched.
public struct UndoResult: Sendable, Hashable {
    /// The compensating ops, in the order written (empty when the ops changed nothing that is still visible).
    public var ops: [Op]
    /// Registers set back to their earlier value (or cleared).
    public var restoredFields: Int
    /// Set elements added back or taken out again.
    public var restoredElements: Int
    /// Entities the reverted ops created, now archived (hidden everywhere; their history stays).
    public var archivedEntities: [EntityID]
    /// The customers whose scope the reverted ops touched, in first-touched order.
    public var customers: [EntityID]
}
