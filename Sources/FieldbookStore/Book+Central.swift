import FieldbookModel
import Foundation
import GRDB

/// Package-level access for the central node, which keeps its own tables beside the book and must append ops and
/// ask about coverage inside its own transactions (it appends ops with a `Projector`).
extension Book {
    /// The owner (display winner of `owner`) of a created customer, or `nil`.
    package static func owner(of customer: EntityID, db: Database) throws -> String? {
        try Projector.winner(Data(customer.bytes), Schema.F.owner, db: db)?.text
    }

    /// The display winner of any field of an entity, inside the caller's transaction (the centre's reports).
    package static func value(_ field: FieldID, of entity: EntityID, db: Database) throws -> Value? {
        try Projector.winner(Data(entity.bytes), field, db: db)
    }

    /// The kind and scope of an entity whose create has been applied, or `nil` (the centre's authority records).
    package static func entityRecord(_ id: EntityID, db: Database) throws -> (kind: EntityKind, scope: Scope)? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT kind, scope FROM entity WHERE id = ? AND kind IS NOT NULL"),
                arguments: [Data(id.bytes)]),
            let scope = Scope(key: row["scope"])
        else { return nil }
        return (EntityKind(rawValue: UInt8(row["kind"] as Int)), scope)
    }

    /// Whether a customer exists (its create has been applied).
    package static func customerExists(_ customer: EntityID, db: Database) throws -> Bool {
        // The entity row, not the `customer` row: a batch (`Projector`) writes customer rows at its end.
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM entity WHERE id = ? AND kind = ?"),
            arguments: [Data(customer.bytes), Int(EntityKind.customer.rawValue)]) == true
    }

    /// Whether a principal covers a customer: owns it, or co-covers it.
    package static func covers(_ principal: String, _ customer: EntityID, db: Database) throws -> Bool {
        if try owner(of: customer, db: db) == principal { return true }
        return try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM set_add WHERE entity = ? AND field = ? AND element = ?"),
            arguments: [Data(customer.bytes), Int(Schema.F.cocoverers.rawValue), principal]) == true
    }

    /// The customers a principal covers: every customer whose owner is the principal, or that the principal
    /// co-covers.
    package static func customers(coveredBy principal: String, db: Database) throws -> Set<EntityID> {
        // `owner` is written only by the central node, one change at a time, so it has one live value: the
        // (field, value) index finds a principal's customers without visiting anyone else's.
        let owned = try Data.fetchAll(
            db.cachedStatement(sql: """
                SELECT DISTINCT r.entity FROM reg_value r JOIN customer c ON c.id = r.entity
                WHERE r.field = ? AND r.value = ?
                """),
            arguments: [Int(Schema.F.owner.rawValue), Data(Value.text(principal).canonicalBytes)])
        let shared = try Data.fetchAll(
            db.cachedStatement(sql: """
                SELECT DISTINCT s.entity FROM set_add s JOIN customer c ON c.id = s.entity
                WHERE s.field = ? AND s.element = ?
                """),
            arguments: [Int(Schema.F.cocoverers.rawValue), principal])
        return Set((owned + shared).compactMap { EntityID(bytes: Array($0)) })
    }

    /// Every op of a scope, in arrival order, inside the caller's transaction.
    package static func ops(in scope: Scope, db: Database) throws -> [Op] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM op WHERE scope = ? ORDER BY rowid"), arguments: [scope.key]).map(operation)
    }

    /// The op with an ID, inside the caller's transaction.
    package static func op(_ id: OpID, db: Database) throws -> Op? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM op WHERE actor = ? AND counter = ?"),
            arguments: [Data(id.actor.bytes), Int64(id.counter)]
        ).map(operation)
    }

    /// Resolves a customer reference inside the caller's transaction (see ``resolveCustomer(_:)``).
    package func resolveCustomer(_ reference: String, in db: Database) throws -> EntityID {
        try resolveCustomer(reference, db: db)
    }
}
