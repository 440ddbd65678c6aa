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
/// see them. Each fact of the state hash (`StateDigest`) that appears or disappears is noted as it happens: the op
/// itself, a register value written or superseded, a set element's first tag added or last tag removed, and every
/// fact of an entity when its create arrives. Three kinds of work wait for ``finish()``, because a batch repeats
/// them for the same keys: moving each actor's contiguous counter, adding the batch's change to each touched scope's
/// sum in `scope_hash` (and to the whole book's, when it is stored), and rewriting the `customer` row (display
/// values and search text) of each customer whose displayed fields changed. Until `finish()` those three are stale;
/// it must run before the transaction commits.
///
/// ```swift
/// try database.write { db in
///     var projector = try Projector(db)
///     for op in ops { _ = try projector.append(op) }
///     try projector.finish()
/// }
/// ```
package struct Projector {
    /// What the projector knows of an entity: its kind once created, and the scope it lives in.
    private struct EntityState {
        var kind: EntityKind?
        var scope: String
    }

    private let db: Database
    private let sql: ProjectorStatements
    /// Each actor appended in this batch: the principal of its first op, and the counters appended.
    private var actors: [ActorID: (principal: String, counters: Set<UInt64>)] = [:]
    /// The batch's change to each scope's state sum and count of created entities.
    private var deltas: [String: (sum: StateSum, entities: Int)] = [:]
    /// Entities read or written in this batch (only the projector writes `entity`, so this stays right).
    private var entities: [EntityID: EntityState] = [:]
    /// Entities whose `customer` row may need rewriting (only created customers have one).
    private var customers: Set<EntityID> = []
    /// Customers whose contacts changed: only their last-contact columns need recomputing.
    private var contacted: Set<EntityID> = []

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
        let scope = op.scope.key
        let insert = sql.insertOp
        insert.reset()
        try insert.bind(1, op.id.actor)
        try insert.bind(2, Int64(op.id.counter))
        try insert.bind(3, Int64(bitPattern: op.hlc.rawValue))
        try insert.bind(4, scope)
        try insert.bind(5, op.principal)
        try insert.bind(6, Int(op.schemaVersion))
        try insert.bind(7, op.body.entity)
        try insert.bind(8, op.body.encoded)
        try insert.run()
        guard insert.changes > 0 else { return false }
        try project(op, scope: scope)
        return true
    }

    /// Projects an op that is already in the log (a rebuild).
    mutating func project(_ op: Op) throws {
        try project(op, scope: op.scope.key)
    }

    /// Does the work deferred to the end of the batch: actor counters, scope sums, customer rows.
    package mutating func finish() throws {
        for (actor, progress) in actors {
            try Self.advance(actor, past: progress.counters, principal: progress.principal, db: db)
        }
        if !deltas.isEmpty {
            // The whole book's sum is kept only once something read it (a purge drops it): then it moves with every
            // scope that has a created entity before or after this batch.
            var total = try Book.storedScopeHash(Book.overallHashKey, db: db)?.sum
            for (scope, delta) in deltas {
                let old = try Book.storedScopeHash(scope, db: db) ?? Book.ScopeHash(sum: .zero, entities: 0)
                let new = Book.ScopeHash(sum: old.sum + delta.sum, entities: old.entities + delta.entities)
                try writeScopeHash(scope, new.sum, entities: new.entities)
                if total != nil {
                    if old.isVisible { total! -= old.sum }
                    if new.isVisible { total! += new.sum }
                }
            }
            if let total {
                try writeScopeHash(Book.overallHashKey, total, entities: 0)
            }
        }
        for customer in contacted where !customers.contains(customer) {
            try Self.refreshLastContact(customer, db: db)
        }
        for customer in customers {
            try Self.refreshCustomer(customer, db: db)
        }
        actors = [:]
        deltas = [:]
        entities = [:]
        customers = []
        contacted = []
    }

    private func writeScopeHash(_ scope: String, _ sum: StateSum, entities: Int) throws {
        let write = sql.writeScopeHash
        write.reset()
        try write.bind(1, scope)
        try write.bind(2, sum.bytes)
        try write.bind(3, entities)
        try write.run()
    }

    // MARK: - Projecting one op

    private mutating func project(_ op: Op, scope: String) throws {
        actors[op.id.actor, default: (op.principal, [])].counters.insert(op.id.counter)
        note(StateDigest.opFact(op.id), in: scope)
        let entity = op.body.entity
        switch op.body {
        case .create(let kind, _, let fields):
            try create(entity, kind: kind, op: op, scope: scope)
            let state = EntityState(kind: kind, scope: scope)
            for assignment in fields {
                try applyRegister(entity, assignment.field, state: state, op: op, value: assignment.value, pred: [])
            }
            if kind == .customer { customers.insert(entity) }
            if kind == .contact, let customer = op.scope.customer { contacted.insert(customer) }
        case .set(_, let field, let value, let pred):
            let state = try ensureEntity(entity, scope: scope)
            try applyRegister(entity, field, state: state, op: op, value: value, pred: pred)
            if Self.displayedFields.contains(field) { customers.insert(entity) }
            // A contact's day or archiving moves its customer's last contact (`refreshCustomer` reads it).
            if Self.contactFields.contains(field), let customer = op.scope.customer, customer != entity {
                contacted.insert(customer)
            }
        case .add(_, let field, let element):
            let state = try ensureEntity(entity, scope: scope)
            let insert = sql.insertSetAdd
            insert.reset()
            try insert.bind(1, entity)
            try insert.bind(2, Int(field.rawValue))
            try insert.bind(3, element)
            try insert.bind(4, op.id.actor)
            try insert.bind(5, Int64(op.id.counter))
            try insert.run()
            // The element's fact appears with its first live tag.
            if insert.changes > 0, state.kind != nil, try tagCount(entity, field, element) == 1 {
                note(StateDigest.elementFact(entity, field: field, element: element), in: state.scope)
            }
        case .remove(_, let field, _, let observed):
            let state = try ensureEntity(entity, scope: scope)
            for tag in observed {
                let remember = sql.insertSetRemoved
                remember.reset()
                try bindTag(remember, entity, field, tag)
                try remember.run()
                let delete = sql.deleteSetAdd
                delete.reset()
                try bindTag(delete, entity, field, tag)
                var gone: Set<String> = []
                while try delete.step() { gone.insert(delete.text(0)) }
                // The element's fact disappears with its last live tag (the tag's element, not the op's: they
                // agree for every honest writer).
                guard state.kind != nil else { continue }
                for element in gone where try tagCount(entity, field, element) == 0 {
                    note(StateDigest.elementFact(entity, field: field, element: element), in: state.scope, removed: true)
                }
            }
        }
    }

    /// Binds `(entity, field, actor, counter)`: the key of a register value or a set tag.
    private func bindTag(_ statement: DirectStatement, _ entity: EntityID, _ field: FieldID, _ tag: OpID) throws {
        try statement.bind(1, entity)
        try statement.bind(2, Int(field.rawValue))
        try statement.bind(3, tag.actor)
        try statement.bind(4, Int64(tag.counter))
    }

    /// The number of live tags of one element of a set.
    private func tagCount(_ entity: EntityID, _ field: FieldID, _ element: String) throws -> Int64 {
        let count = sql.countElementTags
        count.reset()
        defer { count.reset() }
        try count.bind(1, entity)
        try count.bind(2, Int(field.rawValue))
        try count.bind(3, element)
        return try count.step() ? count.int64(0) : 0
    }

    /// Creates (or, for a second create, moves) an entity: every fact it already holds leaves the scope it lived in
    /// if it was created there, and appears in the create's scope with the new entity fact.
    private mutating func create(_ entity: EntityID, kind: EntityKind, op: Op, scope: String) throws {
        // The usual create, of an entity that has no row yet, is one insert; only a row that exists is read first.
        var previous = entities[entity]
        if previous == nil {
            let insert = sql.insertCreated
            insert.reset()
            try bindCreated(insert, entity, kind: kind, op: op, scope: scope)
            try insert.run()
            if insert.changes == 0 { previous = try entityState(entity) }
        }
        if let previous {
            // Values and elements that ops arriving before the create wrote (hidden until now), or that a moved
            // entity holds.
            let held = try heldFacts(entity)
            if let oldKind = previous.kind {
                note(StateDigest.entityFact(entity, kind: oldKind), in: previous.scope, removed: true)
                for fact in held { note(fact, in: previous.scope, removed: true) }
                deltas[previous.scope, default: (.zero, 0)].entities -= 1
            }
            let upsert = sql.upsertEntity
            upsert.reset()
            try bindCreated(upsert, entity, kind: kind, op: op, scope: scope)
            try upsert.run()
            for fact in held { note(fact, in: scope) }
        }
        note(StateDigest.entityFact(entity, kind: kind), in: scope)
        deltas[scope, default: (.zero, 0)].entities += 1
        entities[entity] = EntityState(kind: kind, scope: scope)
    }

    /// Binds `(id, kind, scope, created_hlc, author)` of a created entity.
    private func bindCreated(_ statement: DirectStatement, _ entity: EntityID, kind: EntityKind, op: Op, scope: String) throws {
        try statement.bind(1, entity)
        try statement.bind(2, Int(kind.rawValue))
        try statement.bind(3, scope)
        try statement.bind(4, Int64(bitPattern: op.hlc.rawValue))
        try statement.bind(5, op.principal)
    }

    /// The value and element facts an entity holds now (not its entity fact).
    private func heldFacts(_ entity: EntityID) throws -> [[UInt8]] {
        var facts: [[UInt8]] = []
        let values = sql.entityValues
        values.reset()
        try values.bind(1, entity)
        while try values.step() {
            let id = OpID(actor: ActorID(bytes: values.bytes(1))!, counter: UInt64(values.int64(2)))
            facts.append(StateDigest.valueFact(
                entity, field: FieldID(rawValue: UInt16(values.int64(0))), id: id, encodedValue: values.bytes(3)))
        }
        let elements = sql.entityElements
        elements.reset()
        try elements.bind(1, entity)
        while try elements.step() {
            facts.append(StateDigest.elementFact(
                entity, field: FieldID(rawValue: UInt16(elements.int64(0))), element: elements.text(1)))
        }
        return facts
    }

    /// The entity's kind and scope, or `nil` when it has no row yet.
    private mutating func entityState(_ entity: EntityID) throws -> EntityState? {
        if let known = entities[entity] { return known }
        let info = sql.entityInfo
        info.reset()
        defer { info.reset() }
        try info.bind(1, entity)
        guard try info.step() else { return nil }
        let state = EntityState(kind: info.isNull(0) ? nil : EntityKind(rawValue: UInt8(info.int64(0))), scope: info.text(1))
        entities[entity] = state
        return state
    }

    /// Makes sure the entity has a row (an op may arrive before its create, and then names the scope it lives in
    /// until the create does) and returns what is known of it. An entity seen earlier in the batch is answered from
    /// memory, with no statement.
    private mutating func ensureEntity(_ entity: EntityID, scope: String) throws -> EntityState {
        if let known = try entityState(entity) { return known }
        let insert = sql.insertEntity
        insert.reset()
        try insert.bind(1, entity)
        try insert.bind(2, scope)
        try insert.run()
        let state = EntityState(kind: nil, scope: scope)
        entities[entity] = state
        return state
    }

    /// Notes that a fact appeared in (or, with `removed`, left) a scope's state.
    private mutating func note(_ fact: [UInt8], in scope: String, removed: Bool = false) {
        let digest = StateDigest.digest(scope: scope, fact: fact)
        if removed {
            deltas[scope, default: (.zero, 0)].sum -= digest
        } else {
            deltas[scope, default: (.zero, 0)].sum += digest
        }
    }

    /// Applies a register write; its value fact and those of the values it supersedes count only once the entity
    /// is created (until then the create brings them all, `create`).
    private mutating func applyRegister(
        _ entity: EntityID, _ field: FieldID, state: EntityState, op: Op, value: Value, pred: [OpID]
    ) throws {
        for p in pred {
            let remember = sql.insertSuperseded
            remember.reset()
            try bindTag(remember, entity, field, p)
            try remember.run()
            let delete = sql.deleteValue
            delete.reset()
            try bindTag(delete, entity, field, p)
            var superseded: [[UInt8]] = []
            while try delete.step() { superseded.append(delete.bytes(0)) }
            guard state.kind != nil else { continue }
            for encoded in superseded {
                note(StateDigest.valueFact(entity, field: field, id: p, encodedValue: encoded), in: state.scope,
                     removed: true)
            }
        }
        let encoded = value.canonicalBytes
        let insert = sql.insertValue
        insert.reset()
        try insert.bind(1, entity)
        try insert.bind(2, Int(field.rawValue))
        try insert.bind(3, op.id.actor)
        try insert.bind(4, Int64(op.id.counter))
        try insert.bind(5, Int64(bitPattern: op.hlc.rawValue))
        try insert.bind(6, encoded)
        try insert.run()
        if insert.changes > 0, state.kind != nil {
            note(StateDigest.valueFact(entity, field: field, id: op.id, encodedValue: encoded), in: state.scope)
        }
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

    /// The fields the `customer` row copies: display winners, the search text and the typed columns that segments
    /// filter and sort on (``CustomerQuery``).
    static let displayedFields: Set<FieldID> = [
        Schema.F.name, Schema.F.tier, Schema.F.archived, Schema.F.phone, Schema.F.note, Schema.F.aum, Schema.F.income,
        Schema.F.birthday, Schema.F.customerRisk, Schema.F.riskDate, Schema.F.stage, Schema.F.familiarity,
    ]

    /// The fields of a customer's contacts that its `last_contact` columns read: a contact's day and whether it is
    /// archived.
    static let contactFields: Set<FieldID> = [Schema.F.date, Schema.F.archived]

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
        let rows = try Row.fetchCursor(db.cachedStatement(sql: displayedWinnersSQL), arguments: [entity])
        while let row = try rows.next() {
            let field = FieldID(rawValue: UInt16(row[0] as Int))
            guard winners[field] == nil else { continue }
            var reader = ByteReader(Array(row[1] as Data))
            winners[field] = try Value.decode(from: &reader)
        }
        return winners
    }

    private static let displayedWinnersSQL = """
        SELECT field, value FROM reg_value WHERE entity = ? AND field IN (\(
            displayedFields.map { String($0.rawValue) }.sorted().joined(separator: ", ")))
        ORDER BY field, hlc DESC, actor DESC, counter DESC
        """

    /// The latest day of a customer's contacts that are not archived, by anyone: the greatest `date`, and the
    /// greatest creation reading of those without one (whose day depends on the book's time zone, so it is turned
    /// into a day when read, ``Book/contactDay(_:_:)``).
    private static func lastContact(_ entity: EntityID, db: Database) throws -> (day: Int32?, undated: Int64?) {
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT e.id, e.created_hlc, r.field, r.value FROM entity e
                    LEFT JOIN reg_value r ON r.entity = e.id AND r.field IN (?, ?)
                    WHERE e.scope = ? AND e.kind = ?
                    ORDER BY e.id, r.field, r.hlc DESC, r.actor DESC, r.counter DESC
                    """),
            arguments: [
                Int(Schema.F.date.rawValue), Int(Schema.F.archived.rawValue), Scope.customer(entity).key,
                Int(EntityKind.contact.rawValue),
            ])
        var latestDay: Int32?
        var latestUndated: Int64?
        var current: (id: Data, created: Int64, day: Day??, archived: Bool?)?
        func close() {
            guard let contact = current, contact.archived != true else { return }
            if let day = contact.day ?? nil {
                latestDay = max(latestDay ?? .min, day.number)
            } else {
                latestUndated = max(latestUndated ?? .min, contact.created)
            }
        }
        while let row = try rows.next() {
            let id = row[0] as Data
            if current?.id != id {
                close()
                current = (id, (row[1] as Int64?) ?? 0, nil, nil)
            }
            guard let raw = row[2] as Int?, let bytes = row[3] as Data? else { continue }
            var reader = ByteReader(Array(bytes))
            let value = try Value.decode(from: &reader)
            // Rows come winner first within a field: keep the first.
            if raw == Int(Schema.F.date.rawValue), current!.day == nil { current!.day = .some(value.day) }
            if raw == Int(Schema.F.archived.rawValue), current!.archived == nil { current!.archived = value.isTrue }
        }
        close()
        return (latestDay, latestUndated)
    }

    /// Rewrites the `customer` row (display winners, search text, pinyin key, typed columns, last contact) of a
    /// created customer; an unchanged row is left alone, so its search index entry is not rewritten.
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
        var pinyin = NamePinyin()
        let birthday = winners[Schema.F.birthday]?.day
        let (lastDay, lastUndated) = try lastContact(entity, db: db)
        let columns: [(String, (any DatabaseValueConvertible)?)] = [
            ("name", name), ("tier", tier), ("archived", archived), ("search", search), ("pinyin", pinyin.key(name)),
            ("aum", winners[Schema.F.aum]?.integer), ("income", winners[Schema.F.income]?.integer),
            ("birthday", birthday.map { Int64($0.number) }),
            ("birth_md", birthday.map { $0.civil.month * 100 + $0.civil.day }),
            ("risk", winners[Schema.F.customerRisk]?.text), ("risk_date", winners[Schema.F.riskDate]?.day.map { Int64($0.number) }),
            ("stage", winners[Schema.F.stage]?.text), ("familiarity", winners[Schema.F.familiarity]?.text),
            ("last_contact", lastDay.map { Int64($0) }), ("last_contact_hlc", lastUndated),
        ]
        let values: [(any DatabaseValueConvertible)?] = [data, entity.text] + columns.map(\.1)
        try db.run(upsertCustomerSQL, StatementArguments(values))
    }

    /// Rewrites only the last-contact columns of a customer's row (its contacts changed, its own fields did not);
    /// nothing for a customer not yet created.
    static func refreshLastContact(_ entity: EntityID, db: Database) throws {
        let (day, undated) = try lastContact(entity, db: db)
        try db.run(
            """
            UPDATE customer SET last_contact = ?, last_contact_hlc = ?
            WHERE id = ? AND (last_contact IS NOT ? OR last_contact_hlc IS NOT ?)
            """,
            [day.map { Int64($0) }, undated, Data(entity.bytes), day.map { Int64($0) }, undated])
    }

    /// The columns of the `customer` row that ``refreshCustomer(_:db:)`` writes, after `id` and `idtext`.
    static let customerColumns = [
        "name", "tier", "archived", "search", "pinyin", "aum", "income", "birthday", "birth_md", "risk", "risk_date",
        "stage", "familiarity", "last_contact", "last_contact_hlc",
    ]

    private static let upsertCustomerSQL = """
        INSERT INTO customer (id, idtext, \(customerColumns.joined(separator: ", ")))
        VALUES (?, ?, \(customerColumns.map { _ in "?" }.joined(separator: ", ")))
        ON CONFLICT(id) DO UPDATE SET \(customerColumns.map { "\($0) = excluded.\($0)" }.joined(separator: ", "))
        WHERE \(customerColumns.map { "customer.\($0) IS NOT excluded.\($0)" }.joined(separator: " OR "))
        """
}

extension Database {
    /// Runs one statement taken from the connection's statement cache.
    func run(_ sql: String, _ arguments: StatementArguments) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
