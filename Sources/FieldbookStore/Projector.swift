import FieldbookModel
import Foundation
import GRDB

/// Appends ops to the log and applies them to the projections: the SQL twin of `FieldbookModel.Replica`.
///
/// Every function runs inside the caller's transaction. Applying is idempotent (a duplicate op is ignored by the
/// log's primary key) and order-independent (a `pred` or `observed` that arrives before the value it names is
/// remembered in `reg_superseded` / `set_removed`).
///
/// The projector runs the same dozen statements for every op, so it takes them from the connection's statement
/// cache (parsed once per connection, not once per op). It also drops the cached state hash of every scope whose
/// facts an op may change (see `Book.stateHash(of:db:)`).
enum Projector {
    /// Appends an op and projects it. Returns `false`, changing nothing, when the op is already in the log.
    static func append(_ op: Op, db: Database) throws -> Bool {
        try db.run(
            """
            INSERT OR IGNORE INTO op (actor, counter, hlc, scope, principal, schema, entity, body)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                Data(op.id.actor.bytes), Int64(op.id.counter), Int64(bitPattern: op.hlc.rawValue), op.scope.key,
                op.principal, Int(op.schemaVersion), Data(op.body.entity.bytes), Data(op.body.encoded),
            ])
        guard db.changesCount > 0 else { return false }
        try advanceActor(op.id, principal: op.principal, db: db)
        try project(op, db: db)
        return true
    }

    /// Moves the actor's contiguous counter forward past this op and any later ones that arrived early.
    static func advanceActor(_ id: OpID, principal: String, db: Database) throws {
        let actor = Data(id.actor.bytes)
        var held = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT contiguous FROM actor_state WHERE actor = ?"), arguments: [actor])
        if held == nil {
            try db.run("INSERT INTO actor_state (actor, contiguous, principal) VALUES (?, 0, ?)", [actor, principal])
            held = 0
        }
        guard var next = held, Int64(id.counter) == next + 1 else { return }
        next += 1
        let following = try db.cachedStatement(sql: "SELECT 1 FROM op WHERE actor = ? AND counter = ?")
        while try Bool.fetchOne(following, arguments: [actor, next + 1]) == true {
            next += 1
        }
        try db.run("UPDATE actor_state SET contiguous = ? WHERE actor = ?", [next, actor])
    }

    /// Applies an op's body to the projections.
    static func project(_ op: Op, db: Database) throws {
        let entity = op.body.entity
        let entityData = Data(entity.bytes)
        switch op.body {
        case .create(let kind, _, let fields):
            // A create may move an entity that earlier ops made in another scope: that scope's facts change too.
            try invalidateHash(ofScopeOf: entityData, db: db)
            try db.run(
                """
                INSERT INTO entity (id, kind, scope, created_hlc, author) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, scope = excluded.scope,
                    created_hlc = excluded.created_hlc, author = excluded.author
                """,
                [entityData, Int(kind.rawValue), op.scope.key, Int64(bitPattern: op.hlc.rawValue), op.principal])
            for assignment in fields {
                try applyRegister(entityData, assignment.field, op: op, value: assignment.value, pred: [], db: db)
            }
        case .set(_, let field, let value, let pred):
            try ensureEntity(entityData, scope: op.scope, db: db)
            try applyRegister(entityData, field, op: op, value: value, pred: pred, db: db)
        case .add(_, let field, let element):
            try ensureEntity(entityData, scope: op.scope, db: db)
            let removed = try Bool.fetchOne(
                db.cachedStatement(
                    sql: "SELECT 1 FROM set_removed WHERE entity = ? AND field = ? AND actor = ? AND counter = ?"),
                arguments: [entityData, Int(field.rawValue), Data(op.id.actor.bytes), Int64(op.id.counter)])
            if removed != true {
                try db.run(
                    "INSERT OR IGNORE INTO set_add (entity, field, element, actor, counter) VALUES (?, ?, ?, ?, ?)",
                    [entityData, Int(field.rawValue), element, Data(op.id.actor.bytes), Int64(op.id.counter)])
            }
        case .remove(_, let field, _, let observed):
            try ensureEntity(entityData, scope: op.scope, db: db)
            for tag in observed {
                let arguments: StatementArguments = [
                    entityData, Int(field.rawValue), Data(tag.actor.bytes), Int64(tag.counter),
                ]
                try db.run(
                    "INSERT OR IGNORE INTO set_removed (entity, field, actor, counter) VALUES (?, ?, ?, ?)", arguments)
                try db.run("DELETE FROM set_add WHERE entity = ? AND field = ? AND actor = ? AND counter = ?", arguments)
            }
        }
        // The facts of the entity's scope (where it now lives) may have changed.
        try invalidateHash(ofScopeOf: entityData, db: db)
        // Only a creation or a write to a displayed field changes the `customer` row (and its search index entry).
        switch op.body {
        case .create: try refreshCustomer(entity, db: db)
        case .set(_, let field, _, _) where displayedFields.contains(field): try refreshCustomer(entity, db: db)
        default: break
        }
    }

    /// Drops the cached state hash of the scope an entity lives in (nothing when the entity is new).
    private static func invalidateHash(ofScopeOf entity: Data, db: Database) throws {
        try db.run("DELETE FROM scope_hash WHERE scope = (SELECT scope FROM entity WHERE id = ?)", [entity])
    }

    /// The fields the `customer` row copies: display winners and the search text.
    static let displayedFields: Set<FieldID> = [
        Schema.F.name, Schema.F.tier, Schema.F.archived, Schema.F.phone, Schema.F.note,
    ]

    private static func ensureEntity(_ entity: Data, scope: Scope, db: Database) throws {
        try db.run("INSERT OR IGNORE INTO entity (id, kind, scope) VALUES (?, NULL, ?)", [entity, scope.key])
    }

    private static func applyRegister(
        _ entity: Data, _ field: FieldID, op: Op, value: Value, pred: [OpID], db: Database
    ) throws {
        let fieldNumber = Int(field.rawValue)
        for p in pred {
            let arguments: StatementArguments = [entity, fieldNumber, Data(p.actor.bytes), Int64(p.counter)]
            try db.run(
                "INSERT OR IGNORE INTO reg_superseded (entity, field, actor, counter) VALUES (?, ?, ?, ?)", arguments)
            try db.run("DELETE FROM reg_value WHERE entity = ? AND field = ? AND actor = ? AND counter = ?", arguments)
        }
        let actor = Data(op.id.actor.bytes)
        let superseded = try Bool.fetchOne(
            db.cachedStatement(
                sql: "SELECT 1 FROM reg_superseded WHERE entity = ? AND field = ? AND actor = ? AND counter = ?"),
            arguments: [entity, fieldNumber, actor, Int64(op.id.counter)])
        if superseded != true {
            try db.run(
                """
                INSERT OR IGNORE INTO reg_value (entity, field, actor, counter, hlc, value)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [
                    entity, fieldNumber, actor, Int64(op.id.counter), Int64(bitPattern: op.hlc.rawValue),
                    Data(value.canonicalBytes),
                ])
        }
    }

    /// The display winner of a field: greatest `(hlc, actor, counter)` among the live values.
    static func winner(_ entity: Data, _ field: FieldID, db: Database) throws -> Value? {
        guard
            let data = try Data.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT value FROM reg_value WHERE entity = ? AND field = ?
                        ORDER BY hlc DESC, actor DESC, counter DESC LIMIT 1
                        """),
                arguments: [entity, Int(field.rawValue)])
        else { return nil }
        var reader = ByteReader(Array(data))
        return try Value.decode(from: &reader)
    }

    /// The display winners of the displayed fields of an entity, in one query (the first row of each field is its
    /// winner, ordered as in ``winner(_:_:db:)``).
    private static func displayedWinners(_ entity: Data, db: Database) throws -> [FieldID: Value] {
        var winners: [FieldID: Value] = [:]
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT field, value FROM reg_value WHERE entity = ? AND field IN (?, ?, ?, ?, ?)
                    ORDER BY field, hlc DESC, actor DESC, counter DESC
                    """),
            arguments: [
                entity, Int(Schema.F.name.rawValue), Int(Schema.F.tier.rawValue), Int(Schema.F.archived.rawValue),
                Int(Schema.F.phone.rawValue), Int(Schema.F.note.rawValue),
            ])
        while let row = try rows.next() {
            let field = FieldID(rawValue: UInt16(row[0] as Int))
            guard winners[field] == nil else { continue }
            var reader = ByteReader(Array(row[1] as Data))
            winners[field] = try Value.decode(from: &reader)
        }
        return winners
    }

    /// Rewrites the `customer` row (display winners and search text) of a created customer.
    static func refreshCustomer(_ entity: EntityID, db: Database) throws {
        let data = Data(entity.bytes)
        let kind = try Int.fetchOne(db.cachedStatement(sql: "SELECT kind FROM entity WHERE id = ?"), arguments: [data])
        guard kind == Int(EntityKind.customer.rawValue) else { return }
        let winners = try displayedWinners(data, db: db)
        let name = winners[Schema.F.name]?.text ?? ""
        let tier = winners[Schema.F.tier]?.text
        let archived = winners[Schema.F.archived]?.isTrue ?? false
        let phone = winners[Schema.F.phone]?.text ?? ""
        let note = winners[Schema.F.note]?.text ?? ""
        // Lowercased so that `instr` (1–2 character queries) is as case-insensitive as the trigram index.
        let search = [name, phone, note].joined(separator: "\n").lowercased()
        try db.run(
            """
            INSERT INTO customer (id, idtext, name, tier, archived, search) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, tier = excluded.tier,
                archived = excluded.archived, search = excluded.search
            """,
            [data, entity.text, name, tier, archived, search])
    }
}

extension Database {
    /// Runs one statement taken from the connection's statement cache.
    func run(_ sql: String, _ arguments: StatementArguments) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
