import FieldbookModel
import Foundation
import GRDB

/// Appends ops to the log and applies them to the projections, one batch at a time inside the caller's
/// transaction: the SQL twin of `FieldbookModel.Replica`.
///
/// Applying is idempotent (a duplicate op is ignored by the log's primary key) and order-independent (a `pred` or
/// `observed` that arrives before the value it names is remembered in `reg_superseded` / `set_removed`).
///
/// The log, the entities, the registers and the sets are written as each op is appended, so reads inside the batch
/// see them. Three kinds of work wait for ``finish()``, because a batch repeats them for the same keys: moving each
/// actor's contiguous counter, dropping the cached state hash of each scope the batch changed (see
/// `Book.stateHash(of:db:)`), and rewriting the `customer` row (display values and search text) of each customer
/// whose displayed fields changed. Until `finish()` those three are stale; it must run before the transaction
/// commits.
///
/// ```swift
/// try database.write { db in
///     var projector = try Projector(db)
///     for op in ops { _ = try projector.append(op) }
///     try projector.finish()
/// }
/// ```
package struct Projector {
    private let db: Database
    private let sql: ProjectorStatements
    /// Each actor appended in this batch: the principal of its first op, and the counters appended.
    private var actors: [ActorID: (principal: String, counters: Set<UInt64>)] = [:]
    /// Scopes whose cached state hash is stale (and with any of them, the whole book's).
    private var staleScopes: Set<String> = []
    /// Entities changed whose scope is read at `finish()` (their scope hash is stale too).
    private var touched: Set<EntityID> = []
    /// Entities whose `customer` row may need rewriting (only created customers have one).
    private var customers: Set<EntityID> = []

    /// A projector for one batch inside the caller's transaction on `db`.
    package init(_ db: Database) throws {
        self.db = db
        self.sql = try ProjectorStatements(db)
    }

    /// Appends one op and projects it at once: a batch of one.
    static func append(_ op: Op, db: Database) throws -> Bool {
        var projector = try Projector(db)
        let appended = try projector.append(op)
        try projector.finish()
        return appended
    }

    /// Appends an op and projects it. Returns `false`, changing nothing, when the op is already in the log.
    package mutating func append(_ op: Op) throws -> Bool {
        let actor = Data(op.id.actor.bytes)
        try sql.insertOp.execute(arguments: [
            actor, Int64(op.id.counter), Int64(bitPattern: op.hlc.rawValue), op.scope.key, op.principal,
            Int(op.schemaVersion), Data(op.body.entity.bytes), Data(op.body.encoded),
        ])
        guard db.changesCount > 0 else { return false }
        try project(op, actor: actor)
        return true
    }

    /// Projects an op that is already in the log (a rebuild).
    mutating func project(_ op: Op) throws {
        try project(op, actor: Data(op.id.actor.bytes))
    }

    /// Does the work deferred to the end of the batch: actor counters, stale scope hashes, customer rows.
    package mutating func finish() throws {
        for (actor, progress) in actors {
            try Self.advance(actor, past: progress.counters, principal: progress.principal, db: db)
        }
        for entity in touched {
            if let scope = try String.fetchOne(sql.entityScope, arguments: [Data(entity.bytes)]) {
                staleScopes.insert(scope)
            }
        }
        if !staleScopes.isEmpty { staleScopes.insert(Book.overallHashKey) }
        for scope in staleScopes {
            try sql.dropScopeHash.execute(arguments: [scope])
        }
        for customer in customers {
            try Self.refreshCustomer(customer, db: db)
        }
        actors = [:]
        staleScopes = []
        touched = []
        customers = []
    }

    // MARK: - Projecting one op

    private mutating func project(_ op: Op, actor: Data) throws {
        actors[op.id.actor, default: (op.principal, [])].counters.insert(op.id.counter)
        let entity = op.body.entity
        let entityData = Data(entity.bytes)
        switch op.body {
        case .create(let kind, _, let fields):
            // A create may move an entity that earlier ops made in another scope: that scope's facts change too.
            if let previous = try String.fetchOne(sql.entityScope, arguments: [entityData]) {
                staleScopes.insert(previous)
            }
            try sql.upsertEntity.execute(arguments: [
                entityData, Int(kind.rawValue), op.scope.key, Int64(bitPattern: op.hlc.rawValue), op.principal,
            ])
            staleScopes.insert(op.scope.key)
            for assignment in fields {
                try applyRegister(entityData, assignment.field, op: op, actor: actor, value: assignment.value, pred: [])
            }
            if kind == .customer { customers.insert(entity) }
            return
        case .set(_, let field, let value, let pred):
            try ensureEntity(entity, entityData, scope: op.scope)
            try applyRegister(entityData, field, op: op, actor: actor, value: value, pred: pred)
            if Self.displayedFields.contains(field) { customers.insert(entity) }
        case .add(_, let field, let element):
            try ensureEntity(entity, entityData, scope: op.scope)
            try sql.insertSetAdd.execute(arguments: [
                entityData, Int(field.rawValue), element, actor, Int64(op.id.counter),
            ])
        case .remove(_, let field, _, let observed):
            try ensureEntity(entity, entityData, scope: op.scope)
            for tag in observed {
                let arguments: StatementArguments = [
                    entityData, Int(field.rawValue), Data(tag.actor.bytes), Int64(tag.counter),
                ]
                try sql.insertSetRemoved.execute(arguments: arguments)
                try sql.deleteSetAdd.execute(arguments: arguments)
            }
        }
    }

    /// Makes sure the entity has a row (an op may arrive before its create) and notes its scope's hash as stale.
    private mutating func ensureEntity(_ entity: EntityID, _ entityData: Data, scope: Scope) throws {
        try sql.insertEntity.execute(arguments: [entityData, scope.key])
        if db.changesCount > 0 {
            staleScopes.insert(scope.key)
        } else {
            touched.insert(entity)  // it lives where its create (or its first op) put it
        }
    }

    private func applyRegister(
        _ entity: Data, _ field: FieldID, op: Op, actor: Data, value: Value, pred: [OpID]
    ) throws {
        let fieldNumber = Int(field.rawValue)
        for p in pred {
            let arguments: StatementArguments = [entity, fieldNumber, Data(p.actor.bytes), Int64(p.counter)]
            try sql.insertSuperseded.execute(arguments: arguments)
            try sql.deleteValue.execute(arguments: arguments)
        }
        try sql.insertValue.execute(arguments: [
            entity, fieldNumber, actor, Int64(op.id.counter), Int64(bitPattern: op.hlc.rawValue),
            Data(value.canonicalBytes),
        ])
    }

    // MARK: - Actors

    /// Moves an actor's contiguous counter forward over the counters just appended and any later ones that arrived
    /// early (in an earlier batch).
    private static func advance(_ actor: ActorID, past appended: Set<UInt64>, principal: String, db: Database) throws {
        let key = Data(actor.bytes)
        let held = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT contiguous FROM actor_state WHERE actor = ?"), arguments: [key])
        if held == nil {
            try db.run("INSERT INTO actor_state (actor, contiguous, principal) VALUES (?, 0, ?)", [key, principal])
        }
        var next = UInt64(held ?? 0)
        guard appended.contains(next + 1) else { return }
        let logged = try db.cachedStatement(sql: "SELECT 1 FROM op WHERE actor = ? AND counter = ?")
        while true {
            let following = next + 1
            let held = try appended.contains(following) || Bool.fetchOne(logged, arguments: [key, Int64(following)]) == true
            guard held else { break }
            next = following
        }
        try db.run("UPDATE actor_state SET contiguous = ? WHERE actor = ?", [Int64(next), key])
    }

    /// Moves the actor's contiguous counter forward past this op, if it is the next, and any later ones that arrived
    /// early (recomputing `actor_state` after a purge, one op at a time in counter order).
    static func advanceActor(_ id: OpID, principal: String, db: Database) throws {
        try advance(id.actor, past: [id.counter], principal: principal, db: db)
    }

    // MARK: - Reading winners and customer rows

    /// The fields the `customer` row copies: display winners and the search text.
    static let displayedFields: Set<FieldID> = [
        Schema.F.name, Schema.F.tier, Schema.F.archived, Schema.F.phone, Schema.F.note,
    ]

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

    /// Rewrites the `customer` row (display winners and search text) of a created customer; an unchanged row is
    /// left alone, so its search index entry is not rewritten.
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
            WHERE customer.name IS NOT excluded.name OR customer.tier IS NOT excluded.tier
                OR customer.archived IS NOT excluded.archived OR customer.search IS NOT excluded.search
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
