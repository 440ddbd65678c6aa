import Crypto
import FieldbookModel
import FieldbookWire
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Applies a batch of ops to the PostgreSQL store's projections (`entity`, `reg_value`, `reg_superseded`, `set_add`,
/// `set_removed`, `coverage`, `former_owner`, `scope_sum`): the set-based twin of the SQLite `Projector` and of
/// `FieldbookModel.Replica` (docs/DECISIONS.md "The centre on PostgreSQL").
///
/// A batch is projected in three steps, so that 500 ops cost two round trips, not thousands:
/// 1. ``prefetch(_:)`` reads, in one query, everything the batch's ops can touch: the `entity` rows of every
///    entity they name (and of the customers their scopes name), every live register value and set tag of those
///    entities, and whether any incoming value or tag was superseded or removed before it arrived.
/// 2. ``apply(_:)`` projects each op in memory, in order, with the rules of the SQLite projector, noting each fact of
///    the state hash (`StateDigest`) that appears or disappears, as that projector does. Between ops, the batch's
///    authority checks read the same memory (``entity(_:)``, ``covers(_:_:)``), so an op sees what the ops before it
///    did, as in the SQLite store's push.
/// 3. ``write(_:parts:)`` writes the net difference in one statement, a data-modifying part per table (arrays and
///    `unnest`), and adds each touched scope's delta to its `scope_sum` in the upsert itself.
///
/// The caller must hold the advisory lock of every scope the batch writes (``lockScopes(_:connection:logger:)``)
/// from before ``prefetch(_:)`` until commit: the read-modify-write of one customer's registers, coverage and sum is
/// safe because every writer of that scope waits for it. Entity-level state lives in the scope of the entity's
/// create, and the centre stores an op only when its declared scope is that one (`ScopePolicy`), so the declared
/// scopes are the scopes to lock.
///
/// ```swift
/// try await store.transaction(.readCommitted) { connection in
///     // the writing actor's `held` row FOR UPDATE first, if it numbers ops
///     let lsns = try await PostgresProjector.store(ops, device: nil, at: now, connection: connection, logger: logger)
/// }   // nothing but COMMIT after `store`: the LSN head's row lock is held to commit
/// ```
struct PostgresProjector {
    /// What the batch knows of an entity: its kind once created, and the scope it lives in.
    struct EntityState: Equatable {
        var kind: EntityKind?
        var scope: String
    }

    /// A register value or a set tag of one field of one entity, named by the op that wrote it.
    struct Tag: Hashable {
        let entity: EntityID
        let field: FieldID
        let op: OpID
    }

    /// A principal an owner value of a customer named.
    struct OwnerName: Hashable {
        let customer: EntityID
        let principal: String
    }

    /// A live register value: its op's clock reading and its canonical bytes.
    struct LiveValue: Equatable {
        let hlc: UInt64
        let value: [UInt8]
    }

    private let connection: PostgresConnection
    private let logger: Logger

    /// Entities as the database holds them (before the batch), and as the batch leaves them.
    private var stored: [EntityID: EntityState] = [:]
    private var entities: [EntityID: EntityState] = [:]
    /// Entities the batch created (kind, scope, creation reading, author), to upsert.
    private var created: [EntityID: (kind: EntityKind, scope: String, hlc: UInt64, author: String)] = [:]
    /// Live register values of the entities the batch names, before the batch and now.
    private var storedValues: Set<Tag> = []
    private var values: [EntityID: [FieldID: [OpID: LiveValue]]] = [:]
    /// Register values known superseded (those of the database that the batch may write, and the batch's `pred`s).
    private var superseded: Set<Tag> = []
    private var newSuperseded: [Tag] = []
    /// Live set tags of the entities the batch names (each with its element), before the batch and now.
    private var storedTags: Set<Tag> = []
    private var tags: [EntityID: [FieldID: [OpID: String]]] = [:]
    /// Set tags known removed (those of the database that the batch may add, and the batch's `observed`).
    private var removed: Set<Tag> = []
    private var newRemoved: [Tag] = []
    /// The batch's change to each scope's state sum and count of created entities.
    private var deltas: [String: (sum: StateSum, entities: Int)] = [:]
    /// Customers whose coverage row may change, and every (customer, principal) an owner value named.
    private var coverageTouched: Set<EntityID> = []
    private var formerOwners: Set<OwnerName> = []

    /// A projector for one batch on a connection inside the caller's transaction.
    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    // MARK: - Locks

    /// The advisory lock key of a scope: the first 8 bytes of a SHA-256 of its key (computed here, so that the
    /// order locks are taken in is the order of a sorted Swift array, not a plan's).
    static func lockKey(_ scope: String) -> Int64 {
        let digest = SHA256.hash(data: Array("fieldbook-scope-lock\u{0}\(scope)".utf8))
        return digest.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    /// The most scopes a batch locks one by one; a batch that touches more (an import of a whole book: a batch may
    /// hold 10,000 creates) takes the store-wide lock alone, exclusively, so that no transaction holds more than
    /// `scopeLockLimit + 1` advisory locks: PostgreSQL's shared lock table has room for only
    /// `max_locks_per_transaction` (64 by default) × connections of them.
    static let scopeLockLimit = 128

    /// The store-wide lock key ("FBSC"): every writer holds it shared, beside its scope locks; a batch over
    /// ``scopeLockLimit`` scopes holds it exclusively instead.
    static let storeLockKey: Int64 = 0x4642_5343

    /// Takes the transaction-scoped advisory locks of the scopes a batch writes, in one round trip: the store-wide
    /// lock shared, then every scope's lock in ascending key order (or, past ``scopeLockLimit`` scopes, the store-wide
    /// lock exclusively and nothing else). Every writer takes them in this order, after its `held` row and before the
    /// LSN head, so writers cannot deadlock.
    static func lockScopes(
        _ scopes: some Sequence<String>, connection: PostgresConnection, logger: Logger
    ) async throws {
        let keys = Set(scopes.map(lockKey)).subtracting([storeLockKey]).sorted()
        guard !keys.isEmpty else { return }
        if keys.count > scopeLockLimit {
            try await connection.query("SELECT pg_advisory_xact_lock(\(storeLockKey))", logger: logger)
            return
        }
        // A function scan returns the array's elements in order, and the aggregate takes each lock as it reads one:
        // the store-wide lock (first) shared, then each scope's.
        try await connection.query(
            """
            SELECT count(CASE WHEN k = \(storeLockKey) THEN pg_advisory_xact_lock_shared(k) ELSE pg_advisory_xact_lock(k) END)
            FROM unnest(\([storeLockKey] + keys)) AS k
            """, logger: logger)
    }

    // MARK: - Reading what the batch touches

    /// Reads everything the ops can touch (see the type's documentation), in one query. Call once, with every op the
    /// batch may apply, after the scope locks and before the first ``apply(_:)``.
    mutating func prefetch(_ ops: [Op]) async throws {
        var named: Set<EntityID> = []
        // Incoming values and tags: a `pred` or a removal may have named them before they arrived.
        var incomingValues: [Tag] = []
        var incomingTags: [Tag] = []
        for op in ops {
            named.insert(op.body.entity)
            if let customer = op.scope.customer { named.insert(customer) }
            switch op.body {
            case .create(_, let entity, let fields):
                incomingValues += fields.map { Tag(entity: entity, field: $0.field, op: op.id) }
            case .set(let entity, let field, _, _):
                incomingValues.append(Tag(entity: entity, field: field, op: op.id))
            case .add(let entity, let field, _):
                incomingTags.append(Tag(entity: entity, field: field, op: op.id))
            case .remove:
                break
            }
        }
        guard !named.isEmpty else { return }
        // One query, five parts told apart by the first column: 0 the entity rows, 1 their live register values,
        // 2 their live set tags, 3 incoming values already superseded, 4 incoming tags already removed.
        var statement = PostgresStatement()
        let ids = statement.bind(named.map(Self.buffer))
        let values = statement.bind(incomingValues)
        let tags = statement.bind(incomingTags)
        statement.sql = """
            SELECT 0::int, id, kind::int, NULL::bytea, NULL::bigint, NULL::bigint, NULL::bytea, scope FROM entity
                WHERE id = ANY(\(ids))
            UNION ALL SELECT 1, entity, field, actor, counter, hlc, value, NULL FROM reg_value WHERE entity = ANY(\(ids))
            UNION ALL SELECT 2, entity, field, actor, counter, NULL, NULL, element FROM set_add WHERE entity = ANY(\(ids))
            UNION ALL SELECT 3, s.entity, s.field, s.actor, s.counter, NULL, NULL, NULL FROM reg_superseded s
                JOIN unnest(\(values)) AS t(e, f, a, c) ON s.entity = t.e AND s.field = t.f AND s.actor = t.a AND s.counter = t.c
            UNION ALL SELECT 4, s.entity, s.field, s.actor, s.counter, NULL, NULL, NULL FROM set_removed s
                JOIN unnest(\(tags)) AS t(e, f, a, c) ON s.entity = t.e AND s.field = t.f AND s.actor = t.a AND s.counter = t.c
            """
        let rows = try await connection.query(statement.query, logger: logger)
        for try await (part, entity, number, actor, counter, hlc, value, text) in rows.decode(
            (Int32, ByteBuffer, Int32?, ByteBuffer?, Int64?, Int64?, ByteBuffer?, String?).self)
        {
            if part == 0 {
                guard let id = EntityID(bytes: entity.readableBytesView), let scope = text else { continue }
                let state = EntityState(kind: number.map { EntityKind(rawValue: UInt8(truncatingIfNeeded: $0)) }, scope: scope)
                stored[id] = state
                entities[id] = state
                continue
            }
            guard let number, let actor, let counter, let tag = Self.tag(entity, number, actor, counter) else { continue }
            switch part {
            case 1:
                guard let hlc, let value else { continue }
                storedValues.insert(tag)
                self.values[tag.entity, default: [:]][tag.field, default: [:]][tag.op] = LiveValue(
                    hlc: UInt64(bitPattern: hlc), value: Array(value.readableBytesView))
            case 2:
                guard let text else { continue }
                storedTags.insert(tag)
                self.tags[tag.entity, default: [:]][tag.field, default: [:]][tag.op] = text
            case 3:
                superseded.insert(tag)
            default:
                removed.insert(tag)
            }
        }
    }

    // MARK: - Authority records

    /// The kind and scope of an entity whose create the database or the batch holds, or `nil`.
    func entity(_ id: EntityID) -> (kind: EntityKind, scope: Scope)? {
        guard let state = entities[id], let kind = state.kind, let scope = Scope(key: state.scope) else { return nil }
        return (kind, scope)
    }

    /// Whether `principal` covers `customer` as the database and the batch leave it: the owner register's display
    /// winner, or a live co-coverer tag (as `Book.covers` in the SQLite store). Every customer a batch's op names was
    /// read whole by ``prefetch(_:)``.
    func covers(_ principal: String, _ customer: EntityID) -> Bool {
        if owner(of: customer) == principal { return true }
        return tags[customer]?[Schema.F.cocoverers]?.values.contains(principal) ?? false
    }

    /// The display winner of a customer's owner register: greatest clock reading, then actor, then counter
    /// (`RegisterWinner`, `MVRegister.precedes`).
    private func owner(of customer: EntityID) -> String? {
        guard let live = values[customer]?[Schema.F.owner],
            let winner = live.max(by: { a, b in
                (a.value.hlc, a.key.actor, a.key.counter) < (b.value.hlc, b.key.actor, b.key.counter)
            })
        else { return nil }
        var reader = ByteReader(winner.value.value)
        return (try? Value.decode(from: &reader))?.text
    }

    // MARK: - Projecting one op

    /// Projects one op in memory (the rules of the SQLite `Projector`; a duplicate must not be passed: the caller
    /// stores only counters above the actor's `held`).
    mutating func apply(_ op: Op) {
        note(StateDigest.opFact(op.id), in: op.scope.key)
        switch op.body {
        case .create(let kind, let entity, let fields):
            create(entity, kind: kind, op: op)
            let state = EntityState(kind: kind, scope: op.scope.key)
            for assignment in fields {
                applyRegister(entity, assignment.field, state: state, op: op, value: assignment.value, pred: [])
                if assignment.field == Schema.F.owner, let code = assignment.value.text {
                    formerOwners.insert(OwnerName(customer: entity, principal: code))
                }
            }
            if kind == .customer { coverageTouched.insert(entity) }
        case .set(let entity, let field, let value, let pred):
            let state = ensureEntity(entity, scope: op.scope)
            applyRegister(entity, field, state: state, op: op, value: value, pred: pred)
            if field == Schema.F.owner {
                coverageTouched.insert(entity)
                if let code = value.text { formerOwners.insert(OwnerName(customer: entity, principal: code)) }
            }
        case .add(let entity, let field, let element):
            let state = ensureEntity(entity, scope: op.scope)
            let tag = Tag(entity: entity, field: field, op: op.id)
            if !removed.contains(tag), tags[entity]?[field]?[op.id] == nil {
                let before = tags[entity]?[field]?.values.contains(element) ?? false
                tags[entity, default: [:]][field, default: [:]][op.id] = element
                // The element's fact appears with its first live tag.
                if !before, state.kind != nil {
                    note(StateDigest.elementFact(entity, field: field, element: element), in: state.scope)
                }
            }
            if field == Schema.F.cocoverers { coverageTouched.insert(entity) }
        case .remove(let entity, let field, _, let observed):
            let state = ensureEntity(entity, scope: op.scope)
            for id in observed {
                let tag = Tag(entity: entity, field: field, op: id)
                if removed.insert(tag).inserted { newRemoved.append(tag) }
                guard let element = tags[entity]?[field]?.removeValue(forKey: id) else { continue }
                // The element's fact disappears with its last live tag (the tag's element, not the op's).
                if state.kind != nil, !(tags[entity]?[field]?.values.contains(element) ?? false) {
                    note(StateDigest.elementFact(entity, field: field, element: element), in: state.scope, removed: true)
                }
            }
            if field == Schema.F.cocoverers { coverageTouched.insert(entity) }
        }
    }

    /// Creates (or, for a second create, moves) an entity: every fact it already holds leaves the scope it lived in
    /// if it was created there, and appears in the create's scope with the new entity fact.
    private mutating func create(_ entity: EntityID, kind: EntityKind, op: Op) {
        let previous = entities[entity]
        let held = previous == nil ? [] : heldFacts(entity)
        if let previous, let oldKind = previous.kind {
            note(StateDigest.entityFact(entity, kind: oldKind), in: previous.scope, removed: true)
            for fact in held { note(fact, in: previous.scope, removed: true) }
            deltas[previous.scope, default: (.zero, 0)].entities -= 1
        }
        entities[entity] = EntityState(kind: kind, scope: op.scope.key)
        created[entity] = (kind, op.scope.key, op.hlc.rawValue, op.principal)
        note(StateDigest.entityFact(entity, kind: kind), in: op.scope.key)
        for fact in held { note(fact, in: op.scope.key) }
        deltas[op.scope.key, default: (.zero, 0)].entities += 1
    }

    /// The value and element facts an entity holds now (not its entity fact).
    private func heldFacts(_ entity: EntityID) -> [[UInt8]] {
        var facts: [[UInt8]] = []
        for (field, live) in values[entity] ?? [:] {
            for (id, value) in live {
                facts.append(StateDigest.valueFact(entity, field: field, id: id, encodedValue: value.value))
            }
        }
        for (field, live) in tags[entity] ?? [:] {
            for element in Set(live.values) {
                facts.append(StateDigest.elementFact(entity, field: field, element: element))
            }
        }
        return facts
    }

    /// The entity's state, making a placeholder for an op that arrives before its create (it names the scope the
    /// entity lives in until the create does).
    private mutating func ensureEntity(_ entity: EntityID, scope: Scope) -> EntityState {
        if let known = entities[entity] { return known }
        let state = EntityState(kind: nil, scope: scope.key)
        entities[entity] = state
        return state
    }

    /// Applies a register write; its value fact and those of the values it supersedes count only once the entity
    /// is created (until then the create brings them all).
    private mutating func applyRegister(
        _ entity: EntityID, _ field: FieldID, state: EntityState, op: Op, value: Value, pred: [OpID]
    ) {
        for id in pred {
            let tag = Tag(entity: entity, field: field, op: id)
            if superseded.insert(tag).inserted { newSuperseded.append(tag) }
            if let old = values[entity]?[field]?.removeValue(forKey: id), state.kind != nil {
                note(StateDigest.valueFact(entity, field: field, id: id, encodedValue: old.value), in: state.scope, removed: true)
            }
        }
        let tag = Tag(entity: entity, field: field, op: op.id)
        guard !superseded.contains(tag), values[entity]?[field]?[op.id] == nil else { return }
        let encoded = value.canonicalBytes
        values[entity, default: [:]][field, default: [:]][op.id] = LiveValue(hlc: op.hlc.rawValue, value: encoded)
        if state.kind != nil {
            note(StateDigest.valueFact(entity, field: field, id: op.id, encodedValue: encoded), in: state.scope)
        }
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

    // MARK: - Writing

    /// Writes what the applied ops changed, in one statement: a data-modifying part per table that changed, each
    /// over arrays (`unnest`). The parts touch disjoint rows (the net difference of the batch), so that none needs to
    /// see another's effect.
    ///
    /// - Parameters:
    ///   - statement: A statement whose binds `parts` already name (a push's own bookkeeping, written in the same
    ///     round trip).
    ///   - parts: Data-modifying statements of the caller, on rows the projection does not write, each with a name
    ///     that a later part may read (`SELECT … FROM name`).
    func write(
        _ statement: PostgresStatement = PostgresStatement(), parts named: [(name: String, sql: String)] = []
    ) async throws {
        var statement = statement
        var parts: [String] = []
        // Entities: the created ones (upserted: a create moves a placeholder), then placeholders of ops that arrived
        // before their create.
        if !created.isEmpty {
            let ids = Array(created.keys)
            let id = statement.bind(ids.map(Self.buffer))
            let kind = statement.bind(ids.map { Int16(created[$0]!.kind.rawValue) })
            let scope = statement.bind(ids.map { created[$0]!.scope })
            let hlc = statement.bind(ids.map { Int64(bitPattern: created[$0]!.hlc) })
            let author = statement.bind(ids.map { created[$0]!.author })
            parts.append(
                """
                INSERT INTO entity (id, kind, scope, created_hlc, author)
                SELECT * FROM unnest(\(id), \(kind), \(scope), \(hlc), \(author))
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, scope = excluded.scope,
                    created_hlc = excluded.created_hlc, author = excluded.author
                """)
        }
        let placeholders = entities.filter { stored[$0.key] == nil && created[$0.key] == nil }
        if !placeholders.isEmpty {
            let id = statement.bind(placeholders.keys.map(Self.buffer))
            let scope = statement.bind(placeholders.values.map(\.scope))
            parts.append(
                "INSERT INTO entity (id, scope) SELECT * FROM unnest(\(id), \(scope)) ON CONFLICT (id) DO NOTHING")
        }

        // Registers: what `pred`s superseded, values gone, values new.
        let (insertedValues, goneValues) = Self.changes(values, stored: storedValues)
        parts += Self.retire(newSuperseded, into: "reg_superseded", gone: goneValues, from: "reg_value", &statement)
        if !insertedValues.isEmpty {
            let tags = statement.bind(insertedValues.map(\.tag))
            let hlc = statement.bind(insertedValues.map { Int64(bitPattern: $0.entry.hlc) })
            let value = statement.bind(insertedValues.map { ByteBuffer(bytes: $0.entry.value) })
            parts.append(
                """
                INSERT INTO reg_value (entity, field, actor, counter, hlc, value)
                SELECT * FROM unnest(\(tags), \(hlc), \(value))
                """)
        }

        // Sets: tags a removal observed, tags gone, tags new.
        let (insertedTags, goneTags) = Self.changes(tags, stored: storedTags)
        parts += Self.retire(newRemoved, into: "set_removed", gone: goneTags, from: "set_add", &statement)
        if !insertedTags.isEmpty {
            let tags = statement.bind(insertedTags.map(\.tag))
            let element = statement.bind(insertedTags.map(\.entry))
            parts.append(
                """
                INSERT INTO set_add (entity, field, element, actor, counter)
                SELECT e, f, el, a, c FROM unnest(\(tags), \(element)) AS t(e, f, a, c, el)
                """)
        }

        // Coverage of created customers whose owner or co-coverers may have changed, and the principals owner values
        // named. An array column cannot be bound per row as an array of arrays: co-coverers travel as one text per
        // customer, split in SQL (codes hold no spaces: `addPrincipal` allows letters, digits, - and _).
        let customers = coverageTouched.filter { entities[$0]?.kind == .customer }.sorted()
        if !customers.isEmpty {
            let customer = statement.bind(customers.map(Self.buffer))
            let owners = statement.bind(customers.map { owner(of: $0) ?? "" })
            let cocoverers = statement.bind(
                customers.map { customer in
                    Set(tags[customer]?[Schema.F.cocoverers]?.values.map { $0 } ?? []).sorted().joined(separator: " ")
                })
            parts.append(
                """
                INSERT INTO coverage (customer, owner, cocoverers)
                SELECT c, nullif(o, ''), CASE WHEN s = '' THEN '{}'::text[] ELSE string_to_array(s, ' ') END
                FROM unnest(\(customer), \(owners), \(cocoverers)) AS t(c, o, s)
                ON CONFLICT (customer) DO UPDATE SET owner = excluded.owner, cocoverers = excluded.cocoverers
                """)
        }
        if !formerOwners.isEmpty {
            let pairs = Array(formerOwners)
            let customer = statement.bind(pairs.map { Self.buffer($0.customer) })
            let principal = statement.bind(pairs.map(\.principal))
            parts.append(
                """
                INSERT INTO former_owner (customer, principal)
                SELECT * FROM unnest(\(customer), \(principal)) ON CONFLICT DO NOTHING
                """)
        }

        // Each touched scope's delta added to its sum, modulo 2^256, in the upsert.
        if !deltas.isEmpty {
            let scopes = deltas.keys.sorted()
            let scope = statement.bind(scopes)
            let sum = statement.bind(scopes.map { PostgresStateSum.decimal(deltas[$0]!.sum) })
            let count = statement.bind(scopes.map { Int32(deltas[$0]!.entities) })
            parts.append(
                """
                INSERT INTO scope_sum (scope, sum, entities)
                SELECT s, d::numeric, n FROM unnest(\(scope), \(sum), \(count)) AS t(s, d, n)
                ON CONFLICT (scope) DO UPDATE SET sum = mod(scope_sum.sum + excluded.sum, \(PostgresStateSum.modulus)),
                    entities = scope_sum.entities + excluded.entities
                """)
        }
        let all = named + parts.enumerated().map { (name: "projected\($0.offset)", sql: $0.element) }
        guard !all.isEmpty else { return }
        statement.sql = "WITH " + all.map { "\($0.name) AS (\($0.sql))" }.joined(separator: ",\n") + "\nSELECT 1"
        try await connection.query(statement.query, logger: logger)
    }

    // MARK: - The log

    /// Moves the LSN head past `ops` and inserts their rows with the LSNs it gives, in one statement: the last write
    /// of every transaction that stores ops. The head's row lock is held until commit, so LSNs are handed out in
    /// commit order and become visible in order with no gap (SPEC [W-9.10]).
    ///
    /// - Returns: The LSNs, in the order of `ops`.
    static func appendLog(
        _ ops: [Op], device: DeviceID?, at: Int64, connection: PostgresConnection, logger: Logger
    ) async throws -> [UInt64] {
        guard !ops.isEmpty else { return [] }
        let count = Int64(ops.count)
        let rows = try await connection.query(
            """
            WITH head AS (UPDATE lsn_head SET lsn = lsn + \(count) RETURNING lsn),
            logged AS (
                INSERT INTO op (lsn, actor, counter, hlc, scope, principal, schema, entity, body, device, at)
                SELECT head.lsn - \(count) + t.i, t.a, t.c, t.h, t.s, t.p, t.v, t.e, t.b,
                    \(device.map { Self.buffer($0.bytes) }), \(at)
                FROM head, unnest(\(ops.map { buffer($0.id.actor.bytes) }), \(ops.map { Int64($0.id.counter) }),
                    \(ops.map { Int64(bitPattern: $0.hlc.rawValue) }), \(ops.map(\.scope.key)), \(ops.map(\.principal)),
                    \(ops.map { Int16(bitPattern: $0.schemaVersion) }), \(ops.map { buffer($0.body.entity) }),
                    \(ops.map { ByteBuffer(bytes: $0.body.encoded) }))
                    WITH ORDINALITY AS t(a, c, h, s, p, v, e, b, i)
            )
            SELECT lsn FROM head
            """, logger: logger)
        var head: Int64 = 0
        for try await lsn in rows.decode(Int64.self) { head = lsn }
        let first = UInt64(head) - UInt64(count) + 1
        return (0..<ops.count).map { first + UInt64($0) }
    }

    /// Stores ops that need no authority check (the centre's own: an administrator's coverage changes) through the
    /// same path as a push: scope locks, prefetch, projection, then the LSN head and the op rows. Run it inside
    /// `transaction(.readCommitted)`, after locking the writing actor's `held` row if it numbers the ops, and do
    /// nothing after it but commit.
    ///
    /// - Returns: The LSNs given to the ops, in order.
    static func store(
        _ ops: [Op], device: DeviceID?, at: Int64, connection: PostgresConnection, logger: Logger
    ) async throws -> [UInt64] {
        guard !ops.isEmpty else { return [] }
        try await lockScopes(ops.map(\.scope.key), connection: connection, logger: logger)
        var projector = PostgresProjector(connection: connection, logger: logger)
        try await projector.prefetch(ops)
        for op in ops { projector.apply(op) }
        try await projector.write()
        return try await appendLog(ops, device: device, at: at, connection: connection, logger: logger)
    }

    // MARK: - Binding

    /// An entity ID as a `bytea` value (an array of these binds as `bytea[]`; `Data` does not).
    /// The live tags (register values or set additions) not stored yet, with their entries, and the stored tags no
    /// longer live: what a batch inserts into and deletes from the live table.
    private static func changes<Entry>(
        _ live: [EntityID: [FieldID: [OpID: Entry]]], stored: Set<Tag>
    ) -> (inserted: [(tag: Tag, entry: Entry)], gone: [Tag]) {
        var liveTags: Set<Tag> = []
        var inserted: [(tag: Tag, entry: Entry)] = []
        for (entity, fields) in live {
            for (field, entries) in fields {
                for (id, entry) in entries {
                    let tag = Tag(entity: entity, field: field, op: id)
                    liveTags.insert(tag)
                    if !stored.contains(tag) { inserted.append((tag, entry)) }
                }
            }
        }
        return (inserted, Array(stored.subtracting(liveTags)))
    }

    /// The statements that remember `remembered` tags in `memory` (superseded or removed: an op arriving later that
    /// names one stays dead) and delete the `gone` tags' rows from the live `table`; none for empty lists.
    private static func retire(
        _ remembered: [Tag], into memory: String, gone: [Tag], from table: String, _ statement: inout PostgresStatement
    ) -> [String] {
        var parts: [String] = []
        if !remembered.isEmpty {
            parts.append(
                """
                INSERT INTO \(memory) (entity, field, actor, counter)
                SELECT * FROM unnest(\(statement.bind(remembered))) ON CONFLICT DO NOTHING
                """)
        }
        if !gone.isEmpty {
            parts.append(
                """
                DELETE FROM \(table) x USING unnest(\(statement.bind(gone))) AS t(e, f, a, c)
                WHERE x.entity = t.e AND x.field = t.f AND x.actor = t.a AND x.counter = t.c
                """)
        }
        return parts
    }

    static func buffer(_ entity: EntityID) -> ByteBuffer { ByteBuffer(bytes: entity.bytes) }
    /// Bytes as a `bytea` value.
    static func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    /// A tag from a row's columns, or `nil` for a damaged row.
    private static func tag(_ entity: ByteBuffer, _ field: Int32, _ actor: ByteBuffer, _ counter: Int64) -> Tag? {
        guard let entity = EntityID(bytes: entity.readableBytesView),
            let actor = ActorID(bytes: actor.readableBytesView), let field = UInt16(exactly: field)
        else { return nil }
        return Tag(entity: entity, field: FieldID(rawValue: field), op: OpID(actor: actor, counter: UInt64(counter)))
    }

    /// Tags as four arrays, for `unnest`.
    static func columns(
        _ tags: [Tag]
    ) -> (entities: [ByteBuffer], fields: [Int32], actors: [ByteBuffer], counters: [Int64]) {
        (
            tags.map { buffer($0.entity) }, tags.map { Int32($0.field.rawValue) },
            tags.map { buffer($0.op.actor.bytes) }, tags.map { Int64($0.op.counter) }
        )
    }
}

extension PostgresStatement {
    /// Binds tags as four arrays (entity, field, actor, counter) and returns their placeholders, for
    /// `unnest(…) AS t(e, f, a, c)`.
    mutating func bind(_ tags: [PostgresProjector.Tag]) -> String {
        let columns = PostgresProjector.columns(tags)
        return [bind(columns.entities), bind(columns.fields), bind(columns.actors), bind(columns.counters)]
            .joined(separator: ", ")
    }
}
