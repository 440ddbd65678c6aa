import FieldbookCentral
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation
import GRDB

/// The central database's records as ``AuthorityRecords``, read inside one push transaction.
///
/// Coverage answers are remembered for the batch (a day's batch touches a few hundred customers with many ops each);
/// the device's scope snapshots are read once, and only if an op names a customer the principal no longer covers.
struct CentralAuthority: AuthorityRecords {
    let db: Database
    let principal: String
    let device: DeviceID
    private let memo = Memo()

    /// Per-batch memory. A class so that the protocol's non-mutating methods can fill it.
    private final class Memo {
        var covered: [EntityID: Bool] = [:]
        var mayHold: Set<String>?
    }

    init(db: Database, principal: String, device: DeviceID) {
        self.db = db
        self.principal = principal
        self.device = device
    }

    func entity(_ id: EntityID) throws -> (kind: EntityKind, scope: Scope)? {
        try Book.entityRecord(id, db: db)
    }

    func covers(_ customer: EntityID) throws -> Bool {
        if let known = memo.covered[customer] { return known }
        let covers = try Book.covers(principal, customer, db: db)
        memo.covered[customer] = covers
        return covers
    }

    func deviceMayHold(_ customer: EntityID) throws -> Bool {
        if memo.mayHold == nil { memo.mayHold = try CentralDatabase.snapshotUnion(of: device, db: db) }
        return memo.mayHold!.contains(Scope.customer(customer).key)
    }

    /// Forgets what was remembered of a customer (its create was just stored, so coverage may have changed).
    func forget(_ customer: EntityID) { memo.covered[customer] = nil }
}
