import FieldbookModel
import Foundation
import GRDB

/// Named queries for the central node (`FieldbookCentralSQLite`), which keeps its own tables beside the book and asks
/// about coverage and the op log inside its own transactions. The centre runs SQL only on its own tables; every
/// question about the book's tables is one of these functions (docs/DECISIONS.md, "The centre's storage seam").
extension Book {
    // MARK: - Setup

    /// Creates the indexes the centre's coverage questions need on the book's tables (the co-coverers of
    /// ``customers(coveredBy:db:)``); called from the centre's first migration. Devices do not need them.
    package static func createCentralIndexes(_ db: Database) throws {
        try db.execute(sql: "CREATE INDEX set_add_element ON set_add (field, element)")
    }

    // MARK: - Entities and winners

    /// The owner (display winner of `owner`) of a created customer, or `nil`.
    package static func owner(of customer: EntityID, db: Database) throws -> String? {
        try RegisterWinner.value(Schema.F.owner, of: customer, db: db)?.text
    }

    /// The display winner of any field of an entity, inside the caller's transaction (the centre's reports).
    package static func value(_ field: FieldID, of entity: EntityID, db: Database) throws -> Value? {
        try RegisterWinner.value(field, of: entity, db: db)
    }

    /// The live values of a register, display winner first, inside the caller's transaction (the centre's own
    /// writes name them as predecessors).
    package func liveValues(_ entity: EntityID, _ field: FieldID, in db: Database) throws -> [MVRegister.Entry] {
        try liveValues(entity, field, db: db)
    }

    /// The tags of the live additions of one set element: what a removal must observe. Empty when it is absent.
    package static func additions(_ element: String, of field: FieldID, on entity: EntityID, db: Database) throws -> [OpID] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT a.id AS actor, s.counter FROM set_add s JOIN actor_key a ON a.no = s.actor
                    WHERE s.entity = ? AND s.field = ? AND s.element = ?
                    """),
            arguments: [Data(entity.bytes), Int(field.rawValue), element]
        ).map { OpID(actor: ActorID(bytes: Array($0["actor"] as Data))!, counter: UInt64($0["counter"] as Int64)) }
    }

    /// The kind and scope of an entity whose create has been applied, or `nil` (the centre's authority records).
    package static func entityRecord(_ id: EntityID, db: Database) throws -> (kind: EntityKind, scope: Scope)? {
        try createdEntity(id, db: db).map { ($0.kind, $0.scope) }
    }

    /// The kind and scope of an entity whose create has been applied, with the scope's key and number, or `nil`.
    /// Through ``DirectStatement``: the centre asks once for every op it is pushed, a device once for every edit.
    static func createdEntity(
        _ id: EntityID, db: Database
    ) throws -> (kind: EntityKind, scope: Scope, key: String, scopeNumber: Int64)? {
        let row = DirectStatement(
            try db.cachedStatement(sql: """
                SELECT entity.kind, scope_key.key, entity.scope FROM entity JOIN scope_key ON scope_key.no = entity.scope
                WHERE entity.id = ? AND entity.kind IS NOT NULL
                """), db: db)
        row.reset()
        defer { row.reset() }
        try row.bind(1, id)
        guard try row.step() else { return nil }
        let key = row.text(1)
        guard let scope = Scope(key: key) else { return nil }
        return (EntityKind(rawValue: UInt8(truncatingIfNeeded: row.int64(0))), scope, key, row.int64(2))
    }

    /// Whether a customer exists (its create has been applied).
    package static func customerExists(_ customer: EntityID, db: Database) throws -> Bool {
        // The entity row, not the `customer` row: a batch (`Projector`) writes customer rows at its end.
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM entity WHERE id = ? AND kind = ?"),
            arguments: [Data(customer.bytes), Int(EntityKind.customer.rawValue)]) == true
    }

    /// How many customers the book holds (archived ones too), and how many ops.
    package static func counts(_ db: Database) throws -> (customers: Int, ops: Int) {
        (
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM customer")) ?? 0,
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM op")) ?? 0
        )
    }

    // MARK: - Coverage

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
        let shared = try Data.fetchAll(
            db.cachedStatement(sql: """
                SELECT DISTINCT s.entity FROM set_add s JOIN customer c ON c.id = s.entity
                WHERE s.field = ? AND s.element = ?
                """),
            arguments: [Int(Schema.F.cocoverers.rawValue), principal])
        return Set(try customers(ownedBy: principal, db: db) + shared.compactMap { EntityID(bytes: Array($0)) })
    }

    /// The customers whose owner is `principal` now (archived ones too), in no particular order.
    package static func customers(ownedBy principal: String, db: Database) throws -> [EntityID] {
        // `owner` is written only by the central node, one change at a time, so it has one live value: the centre's
        // owner index (``ownerIndexSQL``) finds a principal's customers without visiting anyone else's. The field is
        // written into the SQL, not bound, so that SQLite can use that partial index.
        try Data.fetchAll(
            db.cachedStatement(sql: ownedBySQL), arguments: [Data(Value.text(principal).canonicalBytes)]
        ).compactMap { EntityID(bytes: Array($0)) }
    }

    /// The query of ``customers(ownedBy:db:)``: the customers whose live `owner` value is the bound one.
    package static let ownedBySQL = """
        SELECT DISTINCT r.entity FROM reg_value r JOIN customer c ON c.id = r.entity
        WHERE r.field = \(Schema.F.owner.rawValue) AND r.value = ?
        """

    /// The centre's index of `owner` values (a partial index: one row per customer, no other field's values).
    package static let ownerIndexSQL =
        "CREATE INDEX IF NOT EXISTS reg_value_owner ON reg_value (value) WHERE field = \(Schema.F.owner.rawValue)"

    /// A customer's co-coverers as they stand now, by code, without duplicates.
    package static func cocoverers(of customer: EntityID, db: Database) throws -> [String] {
        try String.fetchAll(
            db.cachedStatement(sql: "SELECT DISTINCT element FROM set_add WHERE entity = ? AND field = ? ORDER BY element"),
            arguments: [Data(customer.bytes), Int(Schema.F.cocoverers.rawValue)])
    }

    /// The owner and co-coverers of a customer as they stand now, owner first, without duplicates.
    package static func coverers(of customer: EntityID, db: Database) throws -> [String] {
        var codes: [String] = []
        if let owner = try owner(of: customer, db: db) { codes.append(owner) }
        for code in try cocoverers(of: customer, db: db) where !codes.contains(code) { codes.append(code) }
        return codes
    }

    /// Whether `principal` owned `customer` before its current owner: one of its superseded owner values names
    /// the principal. Tells a reassignment from the end of a co-coverage.
    package static func wasOwner(_ principal: String, of customer: EntityID, db: Database) throws -> Bool {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT a.id AS actor, r.counter FROM reg_superseded r JOIN actor_key a ON a.no = r.actor
                    WHERE r.entity = ? AND r.field = ?
                    """),
            arguments: [Data(customer.bytes), Int(Schema.F.owner.rawValue)])
        for row in rows {
            guard let actor = (row["actor"] as Data?).flatMap({ ActorID(bytes: Array($0)) }),
                let op = try op(OpID(actor: actor, counter: UInt64(row["counter"] as Int64)), db: db)
            else { continue }
            switch op.body {
            case .set(_, Schema.F.owner, let value, _) where value == .text(principal): return true
            case .create(_, _, let fields) where fields.contains(FieldAssignment(Schema.F.owner, .text(principal))): return true
            default: continue
            }
        }
        return false
    }

    // MARK: - The op log

    /// Every op of a scope, in arrival order, inside the caller's transaction.
    package static func ops(in scope: Scope, db: Database) throws -> [Op] {
        try Row.fetchAll(
            db.cachedStatement(sql: "\(opRowsSQL) WHERE op.scope = \(scopeNumberSQL) ORDER BY op.rowid"), arguments: [scope.key]
        ).map(operation)
    }

    /// The op with an ID, inside the caller's transaction.
    package static func op(_ id: OpID, db: Database) throws -> Op? {
        try Row.fetchOne(
            db.cachedStatement(sql: "\(opRowsSQL) WHERE op.actor = \(actorNumberSQL) AND op.counter = ?"),
            arguments: [Data(id.actor.bytes), Int64(id.counter)]
        ).map(operation)
    }

    /// Whether the book holds any op of an actor (an actor with ops cannot be bound to a new device).
    package static func hasOps(of actor: ActorID, db: Database) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM op WHERE actor = \(actorNumberSQL) LIMIT 1"), arguments: [Data(actor.bytes)]) == true
    }

    /// Where the book's own ops continue: the last own counter used (held or saved, whichever is higher) and a clock
    /// past the last own op's reading and the saved clock. What ``BookTransaction`` starts from, for the centre's
    /// own ops written under an administrator's name.
    package func ownSequence(_ db: Database) throws -> (counter: UInt64, clock: HybridClock) {
        let actor = Data(self.actor.bytes)
        let held = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT contiguous FROM actor_state WHERE actor = ?"), arguments: [actor]) ?? 0
        let saved = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'counter'")) ?? 0
        let logged = try Int64.fetchOne(
            db.cachedStatement(sql: Self.lastOpOfActorSQL), arguments: [actor]) ?? 0
        let savedClock = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc'")) ?? 0
        return (UInt64(max(held, saved)), HybridClock(last: HLC(rawValue: UInt64(bitPattern: max(logged, savedClock)))))
    }

    /// Saves the own counter and clock after own ops were appended, so that a purge or rebuild never makes them go
    /// back (see ``ownSequence(_:)``).
    package static func saveOwnSequence(counter: UInt64, clock: HybridClock, db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO meta (key, value) VALUES ('counter', ?), ('hlc', ?)
                ON CONFLICT(key) DO UPDATE SET value = excluded.value
                """).execute(arguments: [String(counter), String(Int64(bitPattern: clock.last.rawValue))])
    }

    /// Resolves a customer reference inside the caller's transaction (see ``resolveCustomer(_:)``).
    package func resolveCustomer(_ reference: String, in db: Database) throws -> EntityID {
        try resolveCustomer(reference, db: db)
    }

    /// Removes the full-text search index and the triggers that keep it (the centre's first push-path saving: it has
    /// no `find` by text over the index; `admin find` scans the customer rows). Idempotent.
    package static func dropSearchIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TRIGGER IF EXISTS customer_ai;
                DROP TRIGGER IF EXISTS customer_ad;
                DROP TRIGGER IF EXISTS customer_au;
                DROP TABLE IF EXISTS customer_fts;
                DROP TABLE IF EXISTS customer_fts_pending;
                """)
    }
}
