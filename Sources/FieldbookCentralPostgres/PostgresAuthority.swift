import FieldbookModel
import FieldbookSync

/// The PostgreSQL store's records as ``AuthorityRecords`` for one op of a push: what the batch's prefetch read
/// (``PostgresProjector/prefetch(_:)``) as the ops accepted before this one left it, and the customers of the
/// device's kept scope snapshots.
///
/// Built afresh for each op (it holds the projector by value, which costs nothing while the projector does not
/// change: it must be gone before the projector applies the op), so that an op sees every create accepted before it,
/// as in the SQLite store's push.
struct PostgresAuthority: AuthorityRecords {
    let projector: PostgresProjector
    let principal: String
    /// The customer scope keys of every scope snapshot the device still has; read before the batch when an op of it
    /// may need them (``PostgresCentralStore/push(_:from:)``), empty otherwise.
    let mayHold: Set<String>

    func entity(_ id: EntityID) throws -> (kind: EntityKind, scope: Scope)? {
        projector.entity(id)
    }

    func covers(_ customer: EntityID) throws -> Bool {
        projector.covers(principal, customer)
    }

    func deviceMayHold(_ customer: EntityID) throws -> Bool {
        mayHold.contains(Scope.customer(customer).key)
    }
}
