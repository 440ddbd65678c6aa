import FieldbookModel

/// One created entity with the display winners of some of its fields, as ``Book/forEachLiveEntity(_:fields:db:_:)``
/// streams them to the centre's reports.
package struct EntityWinners: Sendable {
    /// The entity.
    package var id: EntityID
    /// Its scope, or `nil` when the stored key does not parse.
    package var scope: Scope?
    /// The principal whose op created it.
    package var author: String
    /// The clock reading of its create.
    package var created: HLC
    /// The display winners of the fields asked for that have a live value (``RegisterWinner``).
    package var values: [FieldID: Value]

    /// The customer whose scope the entity is in, if any.
    package var customer: EntityID? { scope?.customer }
}
