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
    /// The numbers known in this batch.
    package private(set) var numbers = KeyNumbers()
    /// Entities read or written in this batch (only the projector writes `entity`, so this stays right).
    private var entities: [EntityID: EntityState] = [:]
    /// Entities whose `customer` row may need rewriting (only created customers have one).
    private var customers: Set<EntityID> = []
    /// Customers whose name may have changed (created, or a `set` of `name`): only their rows need a new pinyin key.
    private var renamed: Set<EntityID> = []
    /// Customers whose contacts changed: only their last-contact columns need recomputing.
    private var contacted: Set<EntityID> = []

    /// A projector for one batch inside the caller's transaction on `db`, starting from the scope and actor numbers
    /// the caller knows in this transaction.
    package init(_ db: Database, numbers: KeyNumbers = KeyNumbers()) throws {
        self.db = db
        self.sql = try ProjectorStatements(db)
        self.numbers = numbers
    }

    /// Appends one op and projects it at once: a batch of one. `numbers` goes in with what the caller knows and comes
    /// out with what this op added.
    static func append(_ op: Op, db: Database, numbers: inout KeyNumbers) throws -> Bool {
        var projector = try Projector(db, numbers: numbers)
        let appended = try projector.append(op)
        try projector.finish()
        numbers = projector.numbers
        return appended
    }

    /// Appends an op and projects it. Returns `false`, changing nothing, when the op is already in the log.
    package mutating func append(_ op: Op) throws -> Bool {
        let scope = op.scope.key
        let insert = sql.insertOp
        insert.reset()
        try insert.bind(1, try actorNumber(op.id.actor))
        try insert.bind(2, Int64(op.id.counter))
        try insert.bind(3, Int64(bitPattern: op.hlc.rawValue))
        try insert.bind(4, try scopeNumber(scope))
        try insert.bind(5, op.principal)
        try insert.bind(6, Int(op.schemaVersion))
        try insert.bind(7, op.body.encoded)
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
            try Self.advance(
                actor, number: numbers.number(of: actor), past: progress.counters, principal: progress.principal, db: db)
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
            try Self.refreshCustomer(
                customer, kind: entities[customer].map(\.kind), contactsChanged: contacted.contains(customer),
                nameChanged: renamed.contains(customer), db: db)
        }
        actors = [:]
        deltas = [:]
        entities = [:]
        customers = []
        renamed = []
        contacted = []
    }

    /// The number the log and the entities store for a scope, numbering a scope the book has not held before.
    private mutating func scopeNumber(_ scope: String) throws -> Int64 {
        if let known = numbers.number(ofScope: scope) { return known }
        let number = try keyNumber(find: sql.findScope, insert: sql.insertScope) { try $0.bind(1, scope) }
        numbers.remember(scope: scope, number)
        return number
    }

    /// The number the log, the registers and the sets store for an actor, numbering an actor the book has not named
    /// before (an op's author, or the author of an op a `pred` or `observed` names).
    private mutating func actorNumber(_ actor: ActorID) throws -> Int64 {
        if let known = numbers.number(of: actor) { return known }
        let number = try keyNumber(find: sql.findActor, insert: sql.insertActor) { try $0.bind(1, actor) }
        numbers.remember(actor: actor, number)
        return number
    }

    /// The number `find` reads for the key that `bind` binds, or the one `insert` gives it (the new row's rowid).
    private func keyNumber(
        find: DirectStatement, insert: DirectStatement, bind: (DirectStatement) throws -> Void
    ) throws -> Int64 {
        find.reset()
        defer { find.reset() }
        try bind(find)
        if try find.step() { return find.int64(0) }
        insert.reset()
        try bind(insert)
        try insert.run()
        return db.lastInsertedRowID
    }

    private func writeScopeHash(_ scope: String, _ sum: StateSum, entities: Int) throws {
        let write = sql.writeScopeHash
        write.reset()
        try write.bind(1, scope)
        try write.bind(2, sum)
        try write.bind(3, entities)
        try write.run()
    }

    // MARK: - Projecting one op

    private mutating func project(_ op: Op, scope: String) throws {
        actors[op.id.actor, default: (op.principal, [])].counters.insert(op.id.counter)
        note(StateDigest.opDigest(op.id, scope: scope), in: scope)
        let entity = op.body.entity
        switch op.body {
        case .create(let kind, _, let fields):
            try create(entity, kind: kind, op: op, scope: scope)
            let state = EntityState(kind: kind, scope: scope)
            for assignment in fields {
                try applyRegister(entity, assignment.field, state: state, op: op, value: assignment.value, pred: [])
            }
            if kind == .customer {
                customers.insert(entity)
                renamed.insert(entity)
            }
            if kind == .contact, let customer = op.scope.customer { contacted.insert(customer) }
        case .set(_, let field, let value, let pred):
            let state = try ensureEntity(entity, scope: scope)
            try applyRegister(entity, field, state: state, op: op, value: value, pred: pred)
            if Self.displayedFields.contains(field) { customers.insert(entity) }
            if field == Schema.F.name { renamed.insert(entity) }
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
            try insert.bind(4, try actorNumber(op.id.actor))
            try insert.bind(5, Int64(op.id.counter))
            try insert.run()
            // The element's fact appears with its first live tag.
            if insert.changes > 0, state.kind != nil, try tagCount(entity, field, element) == 1 {
                note(
                    StateDigest.elementDigest(entity, field: field, element: element, scope: state.scope),
                    in: state.scope)
            }
        case .remove(_, let field, _, let observed):
            let state = try ensureEntity(entity, scope: scope)
            for tag in observed {
                let gone = Set(try retire(tag, of: entity, field, into: sql.insertSetRemoved, from: sql.deleteSetAdd) { $0.text(0) })
                // The element's fact disappears with its last live tag (the tag's element, not the op's: they
                // agree for every honest writer).
                guard state.kind != nil else { continue }
                for element in gone where try tagCount(entity, field, element) == 0 {
                    note(
                        StateDigest.elementDigest(entity, field: field, element: element, scope: state.scope),
                        in: state.scope, removed: true)
                }
            }
        }
    }

    /// Binds `(entity, field, actor, counter)`: the key of a register value or a set tag.
    private mutating func bindTag(_ statement: DirectStatement, _ entity: EntityID, _ field: FieldID, _ tag: OpID) throws {
        try statement.bind(1, entity)
        try statement.bind(2, Int(field.rawValue))
        try statement.bind(3, try actorNumber(tag.actor))
        try statement.bind(4, Int64(tag.counter))
    }

    /// Remembers `tag` with `remember` (superseded or removed: an op arriving later that names it stays dead), then
    /// deletes its live row with `delete` (a `DELETE … RETURNING`) and returns what `read` takes from each deleted row.
    private mutating func retire<T>(
        _ tag: OpID, of entity: EntityID, _ field: FieldID, into remember: DirectStatement, from delete: DirectStatement,
        read: (DirectStatement) -> T
    ) throws -> [T] {
        remember.reset()
        try bindTag(remember, entity, field, tag)
        try remember.run()
        delete.reset()
        try bindTag(delete, entity, field, tag)
        var deleted: [T] = []
        while try delete.step() { deleted.append(read(delete)) }
        return deleted
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
                let from = previous.scope
                note(StateDigest.entityDigest(entity, kind: oldKind, scope: from), in: from, removed: true)
                for fact in held { note(StateDigest.digest(scope: from, fact: fact), in: from, removed: true) }
                deltas[previous.scope, default: (.zero, 0)].entities -= 1
            }
            let upsert = sql.upsertEntity
            upsert.reset()
            try bindCreated(upsert, entity, kind: kind, op: op, scope: scope)
            try upsert.run()
            for fact in held { note(StateDigest.digest(scope: scope, fact: fact), in: scope) }
        }
        note(StateDigest.entityDigest(entity, kind: kind, scope: scope), in: scope)
        deltas[scope, default: (.zero, 0)].entities += 1
        entities[entity] = EntityState(kind: kind, scope: scope)
    }

    /// Binds `(id, kind, scope, created_hlc, author)` of a created entity.
    private mutating func bindCreated(
        _ statement: DirectStatement, _ entity: EntityID, kind: EntityKind, op: Op, scope: String
    ) throws {
        try statement.bind(1, entity)
        try statement.bind(2, Int(kind.rawValue))
        try statement.bind(3, try scopeNumber(scope))
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
        try insert.bind(2, try scopeNumber(scope))
        try insert.run()
        let state = EntityState(kind: nil, scope: scope)
        entities[entity] = state
        return state
    }

    /// Notes that a fact, by its digest in `scope` (`StateDigest`), appeared in (or, with `removed`, left) the scope's
    /// state.
    private mutating func note(_ digest: StateSum, in scope: String, removed: Bool = false) {
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
            let superseded = try retire(p, of: entity, field, into: sql.insertSuperseded, from: sql.deleteValue) { $0.bytes(0) }
            guard state.kind != nil else { continue }
            for encoded in superseded {
                note(StateDigest.valueDigest(entity, field: field, id: p, encodedValue: encoded, scope: state.scope),
                     in: state.scope, removed: true)
            }
        }
        let encoded = value.canonicalBytes
        let insert = sql.insertValue
        insert.reset()
        try insert.bind(1, entity)
        try insert.bind(2, Int(field.rawValue))
        try insert.bind(3, try actorNumber(op.id.actor))
        try insert.bind(4, Int64(op.id.counter))
        try insert.bind(5, Int64(bitPattern: op.hlc.rawValue))
        try insert.bind(6, encoded)
        try insert.run()
        if insert.changes > 0, state.kind != nil {
            note(
                StateDigest.valueDigest(entity, field: field, id: op.id, encodedValue: encoded, scope: state.scope),
                in: state.scope)
        }
    }

    // MARK: - Actors

    /// Moves an actor's contiguous counter forward over the counters just appended and any later ones that arrived
    /// early (in an earlier batch).
    ///
    /// Through ``DirectStatement``: GRDB's arguments and rows (and the actor's key as `Data`) cost about 21 allocations
    /// per transaction here (tools/bench/NOTES.md).
    /// `number` is the actor's in `actor_key` when the caller knows it (the log is then read by it directly).
    private static func advance(
        _ actor: ActorID, number: Int64?, past appended: Set<UInt64>, principal: String, db: Database
    ) throws {
        let read = DirectStatement(try db.cachedStatement(sql: "SELECT contiguous FROM actor_state WHERE actor = ?"), db: db)
        read.reset()
        try read.bind(1, actor)
        let held: Int64? = try read.step() && !read.isNull(0) ? read.int64(0) : nil
        read.reset()
        if held == nil {
            let insert = DirectStatement(
                try db.cachedStatement(sql: "INSERT INTO actor_state (actor, contiguous, principal) VALUES (?, 0, ?)"), db: db)
            insert.reset()
            try insert.bind(1, actor)
            try insert.bind(2, principal)
            try insert.run()
        }
        var next = UInt64(held ?? 0)
        guard appended.contains(next + 1) else { return }
        let logged = DirectStatement(try db.cachedStatement(sql: number == nil ? loggedSQL : loggedByNumberSQL), db: db)
        func isLogged(_ counter: UInt64) throws -> Bool {
            logged.reset()
            defer { logged.reset() }
            if let number { try logged.bind(1, number) } else { try logged.bind(1, actor) }
            try logged.bind(2, Int64(counter))
            return try logged.step() && logged.int64(0) != 0
        }
        while true {
            let following = next + 1
            let held = try appended.contains(following) || isLogged(following)
            guard held else { break }
            next = following
        }
        let update = DirectStatement(try db.cachedStatement(sql: "UPDATE actor_state SET contiguous = ? WHERE actor = ?"), db: db)
        update.reset()
        try update.bind(1, Int64(next))
        try update.bind(2, actor)
        try update.run()
    }

    /// Whether the log holds an op, by its actor's bytes and its counter.
    private static let loggedSQL = "SELECT 1 FROM op WHERE actor = \(Book.actorNumberSQL) AND counter = ?"

    /// Whether the log holds an op, by its actor's number and its counter.
    private static let loggedByNumberSQL = "SELECT 1 FROM op WHERE actor = ? AND counter = ?"

    /// Moves the actor's contiguous counter forward past this op, if it is the next, and any later ones that arrived
    /// early (recomputing `actor_state` after a purge, one op at a time in counter order).
    static func advanceActor(_ id: OpID, principal: String, db: Database) throws {
        try advance(id.actor, number: nil, past: [id.counter], principal: principal, db: db)
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

    /// Where a live value stands in the display order, greatest first: `(hlc, actor, counter)`, compared as
    /// ``winner(_:_:db:)``'s `ORDER BY hlc DESC, actor DESC, counter DESC` does (signed integers, the actor's bytes).
    private typealias Standing = (hlc: Int64, actorHigh: UInt64, actorLow: UInt64, counter: Int64)

    /// The standing of the current row of a statement whose columns `first`, `first + 1`, `first + 2` are `hlc`,
    /// `actor`, `counter`.
    private static func standing(_ rows: DirectStatement, from first: Int32) -> Standing {
        let actor = rows.halves(first + 1) ?? (0, 0)
        return (rows.int64(first), actor.high, actor.low, rows.int64(first + 2))
    }

    /// The display winners of the displayed fields of an entity, in one query; only a value that leads its field
    /// so far is decoded. The fields and the winners are picked here rather than by `field IN (…)` and `ORDER BY`,
    /// for which SQLite built a table and sorted (allocating) for every customer row rewritten.
    private static func displayedWinners(
        _ entity: EntityID, db: Database
    ) throws -> [FieldID: (standing: Standing, value: Value)] {
        let rows = DirectStatement(try db.cachedStatement(sql: displayedWinnersSQL), db: db)
        rows.reset()
        defer { rows.reset() }
        try rows.bind(1, entity)
        var winners: [FieldID: (standing: Standing, value: Value)] = [:]
        winners.reserveCapacity(displayedFields.count)
        while try rows.step() {
            let field = FieldID(rawValue: UInt16(truncatingIfNeeded: rows.int64(0)))
            guard displayedFields.contains(field) else { continue }
            let standing = standing(rows, from: 2)
            if let leader = winners[field], leader.standing > standing { continue }
            winners[field] = (standing, try rows.value(1))
        }
        return winners
    }

    private static let displayedWinnersSQL = """
        SELECT r.field, r.value, r.hlc, a.id, r.counter FROM reg_value r JOIN actor_key a ON a.no = r.actor
        WHERE r.entity = ?
        """

    /// A customer's contacts (`ORDER BY e.id` follows the `entity_scope` index: no sort) with their live values, in
    /// no order within a contact (`lastContact` keeps `date` and `archived`: a `field IN (…)` here made SQLite build
    /// a table for every run).
    private static let lastContactSQL = """
        SELECT e.id, e.created_hlc, r.field, r.value, r.hlc, a.id, r.counter FROM entity e
        LEFT JOIN reg_value r ON r.entity = e.id LEFT JOIN actor_key a ON a.no = r.actor
        WHERE e.scope = (SELECT no FROM scope_key WHERE key = ?1) AND e.kind = ?2
        ORDER BY e.id
        """

    /// The latest day of a customer's contacts that are not archived, by anyone: the greatest `date`, and the
    /// greatest creation reading of those without one (whose day depends on the book's time zone, so it is turned
    /// into a day when read, ``Book/contactDay(_:_:)``). `scope` is the customer's scope key.
    private static func lastContact(scope: String, db: Database) throws -> (day: Int32?, undated: Int64?) {
        let rows = DirectStatement(try db.cachedStatement(sql: lastContactSQL), db: db)
        rows.reset()
        defer { rows.reset() }
        try rows.bind(1, scope)
        try rows.bind(2, Int(EntityKind.contact.rawValue))
        var latestDay: Int32?
        var latestUndated: Int64?
        // The contact being read: its ID, creation reading, and the winning `date` and `archived` so far.
        var current: (id: EntityID?, created: Int64, day: (Standing, Day?)?, archived: (Standing, Bool)?)?
        func close() {
            guard let contact = current, contact.archived?.1 != true else { return }
            if let day = contact.day?.1 {
                latestDay = max(latestDay ?? .min, day.number)
            } else {
                latestUndated = max(latestUndated ?? .min, contact.created)
            }
        }
        while try rows.step() {
            let id = rows.entityID(0)
            if current == nil || current!.id != id {
                close()
                // A NULL creation reading reads as 0.
                current = (id, rows.int64(1), nil, nil)
            }
            guard !rows.isNull(2), !rows.isNull(3) else { continue }
            let field = rows.int64(2)
            let standing = standing(rows, from: 4)
            if field == Int64(Schema.F.date.rawValue) {
                if let leader = current!.day, leader.0 > standing { continue }
                current!.day = (standing, try rows.value(3).day)
            } else if field == Int64(Schema.F.archived.rawValue) {
                if let leader = current!.archived, leader.0 > standing { continue }
                current!.archived = (standing, try rows.value(3).isTrue)
            }
        }
        close()
        return (latestDay, latestUndated)
    }

    /// Rewrites the `customer` row (display winners, search text, pinyin key, typed columns, last contact) of a
    /// created customer; an unchanged row is left alone, so its search index entry is not rewritten.
    ///
    /// - Parameters:
    ///   - known: The entity's kind when the caller knows it (`.some(nil)`: not created), so it need not be read.
    ///   - contactsChanged: `false` when none of the customer's contacts changed since its row was last written: the
    ///     row's last-contact columns are then kept (read only if the row turns out not to exist).
    ///   - nameChanged: `false` when the customer's name did not change since its row was last written: the row's
    ///     pinyin key is then kept, not computed again (ICU's transliteration, about 30 allocations, was the largest
    ///     part of a `set` of a note).
    ///
    /// Read and written through ``DirectStatement``: a `set` rewrites one row, and GRDB's rows and arguments for it
    /// were most of the command's allocations (tools/bench/NOTES.md, "Allocations").
    static func refreshCustomer(
        _ entity: EntityID, kind known: EntityKind?? = .none, contactsChanged: Bool = true, nameChanged: Bool = true,
        db: Database
    ) throws {
        let isCustomer: Bool
        if let known {
            isCustomer = known == .customer
        } else {
            let kind = DirectStatement(try db.cachedStatement(sql: "SELECT kind FROM entity WHERE id = ?"), db: db)
            kind.reset()
            try kind.bind(1, entity)
            isCustomer = try kind.step() && !kind.isNull(0) && kind.int64(0) == Int64(EntityKind.customer.rawValue)
            kind.reset()
        }
        guard isCustomer else { return }
        let winners = try displayedWinners(entity, db: db)
        let name = winners[Schema.F.name]?.value.text ?? ""
        let phone = winners[Schema.F.phone]?.value.text ?? ""
        let note = winners[Schema.F.note]?.value.text ?? ""
        // Lowercased so that `instr` (1–2 character queries) is as case-insensitive as the trigram index.
        var search = ""
        search.reserveCapacity(name.utf8.count + phone.utf8.count + note.utf8.count + 2)
        search += name
        search += "\n"
        search += phone
        search += "\n"
        search += note
        search = search.lowercased()
        var pinyinKey: String?
        func pinyin() -> String {
            if let pinyinKey { return pinyinKey }
            var pinyin = NamePinyin()
            let key = pinyin.key(name)
            pinyinKey = key
            return key
        }
        let birthday = winners[Schema.F.birthday]?.value.day
        let idText = entity.text
        /// Binds `id`, `idtext` and the columns (numbered as in `upsertCustomerSQL`); the last-contact ones only when
        /// given, and the pinyin key unless `keepingPinyin`.
        func bindRow(
            _ statement: DirectStatement, lastContact: (day: Int32?, undated: Int64?)?, keepingPinyin: Bool = false
        ) throws {
            statement.reset()
            try statement.bind(1, entity)
            try statement.bind(2, idText)
            for (offset, column) in customerColumns.enumerated() {
                let index = Int32(offset + 3)
                switch column {
                case "name": try statement.bind(index, name)
                case "tier": try statement.bind(index, winners[Schema.F.tier]?.value.text)
                case "archived": try statement.bind(index, winners[Schema.F.archived]?.value.isTrue ?? false)
                case "search": try statement.bind(index, search)
                case "pinyin": if !keepingPinyin { try statement.bind(index, pinyin()) }
                case "aum": try statement.bind(index, winners[Schema.F.aum]?.value.integer)
                case "income": try statement.bind(index, winners[Schema.F.income]?.value.integer)
                case "birthday": try statement.bind(index, birthday.map { Int64($0.number) })
                case "birth_md": try statement.bind(index, birthday.map { Int64($0.civil.month * 100 + $0.civil.day) })
                case "risk": try statement.bind(index, winners[Schema.F.customerRisk]?.value.text)
                case "risk_date":
                    try statement.bind(index, winners[Schema.F.riskDate]?.value.day.map { Int64($0.number) })
                case "stage": try statement.bind(index, winners[Schema.F.stage]?.value.text)
                case "familiarity": try statement.bind(index, winners[Schema.F.familiarity]?.value.text)
                case "last_contact": if let lastContact { try statement.bind(index, lastContact.day.map { Int64($0) }) }
                case "last_contact_hlc": if let lastContact { try statement.bind(index, lastContact.undated) }
                default: preconditionFailure("refreshCustomer does not know the customer column \(column)")
                }
            }
        }
        if !contactsChanged {
            // The usual `set`: the row exists and its last contact stands; an update that changes nothing, or finds
            // no row, writes nothing.
            let update = DirectStatement(
                try db.cachedStatement(sql: nameChanged ? updateCustomerSQL : updateCustomerKeepingPinyinSQL), db: db)
            try bindRow(update, lastContact: nil, keepingPinyin: !nameChanged)
            try update.run()
            if update.changes > 0 { return }
            let exists = DirectStatement(try db.cachedStatement(sql: "SELECT 1 FROM customer WHERE id = ?"), db: db)
            exists.reset()
            try exists.bind(1, entity)
            let found = try exists.step()
            exists.reset()
            if found { return }
        }
        let upsert = DirectStatement(try db.cachedStatement(sql: upsertCustomerSQL), db: db)
        try bindRow(upsert, lastContact: try lastContact(scope: "c:" + idText, db: db))
        try upsert.run()
    }

    /// Rewrites only the last-contact columns of a customer's row (its contacts changed, its own fields did not);
    /// nothing for a customer not yet created.
    static func refreshLastContact(_ entity: EntityID, db: Database) throws {
        let (day, undated) = try lastContact(scope: Scope.customer(entity).key, db: db)
        let update = DirectStatement(
            try db.cachedStatement(
                sql: """
                    UPDATE customer SET last_contact = ?1, last_contact_hlc = ?2
                    WHERE id = ?3 AND (last_contact IS NOT ?1 OR last_contact_hlc IS NOT ?2)
                    """),
            db: db)
        update.reset()
        try update.bind(1, day.map { Int64($0) })
        try update.bind(2, undated)
        try update.bind(3, entity)
        try update.run()
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

    /// The columns but the last-contact ones, as `(name, parameter number in upsertCustomerSQL)`.
    private static let ownColumns = customerColumns.enumerated()
        .filter { !$0.element.hasPrefix("last_contact") }.map { ($0.element, $0.offset + 3) }

    /// Rewrites a customer's row but its last-contact columns, with the parameters numbered as in
    /// `upsertCustomerSQL` (`?1` the ID); changes nothing when nothing differs.
    private static let updateCustomerSQL = updateSQL(ownColumns)

    /// ``updateCustomerSQL`` without the pinyin key, for a customer whose name did not change (its parameter is left
    /// unbound and unused).
    private static let updateCustomerKeepingPinyinSQL = updateSQL(ownColumns.filter { $0.0 != "pinyin" })

    private static func updateSQL(_ columns: [(String, Int)]) -> String {
        """
        UPDATE customer SET \(columns.map { "\($0.0) = ?\($0.1)" }.joined(separator: ", "))
        WHERE id = ?1 AND (\(columns.map { "\($0.0) IS NOT ?\($0.1)" }.joined(separator: " OR ")))
        """
    }
}
