import BenchSupport
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB
import GRDBSQLite

/// The raw-SQLite peer of the persisted apply that writes what the book must write (issue 20): for the same ops, into
/// the book's own schema (a fresh book file, so the same tables, indexes, full-text index and triggers), the same rows
/// the projector writes, with the same durability (WAL, `synchronous=FULL`, `secure_delete`) and batching (one
/// transaction per 2,000 ops), through prepared statements bound with SQLite's C API, and nothing else.
///
/// Per op: its `op` row; a create's `entity` row and one `reg_value` row per field; a `set`'s `reg_superseded` row
/// and `reg_value` delete per predecessor and its `reg_value` row; an `add`'s `set_add` row; a `remove`'s
/// `set_removed` row and `set_add` delete per observed tag. Actors and scopes are stored by number, as in the book:
/// the first op of a new actor or scope writes its `actor_key` or `scope_key` row (the numbers are kept in memory,
/// never read back). Per batch: each touched customer's `customer` row once
/// (name, tier and search text from the batch's last writes: the full-text triggers fire as in the book), each
/// touched scope's `scope_hash` row and each actor's `actor_state` row. What is left out is Fieldbook's own work: no
/// read before a write, no conflict resolution (the last write in arrival order is taken as the displayed value), no
/// state digests (the scope's row gets a constant 32-byte sum).
///
/// `Fieldbook ÷ this` is therefore the cost of the projector's logic over the same b-tree writes; the older row
/// (``RawSQLite/insert(_:path:)``, the op rows alone) measures the cost of keeping projections at all.
enum RawProjectedRows {
    /// The fields whose last write a customer row shows (the search text is name, phone and note, as the book's).
    private static let name = Schema.F.name, phone = Schema.F.phone, note = Schema.F.note, tier = Schema.F.tier

    /// Writes the rows for `chunks` into a fresh book file at `path`; returns the milliseconds of the writes.
    static func insert(_ chunks: [[Op]], path: String) throws -> Double {
        try Measure.milliseconds(try writes(chunks, path: path))
    }

    /// Makes the fresh book file at `path` and returns the writes of `chunks` into it, for the caller to time or to
    /// count (the allocation bench counts only these, not the book's creation).
    static func writes(_ chunks: [[Op]], path: String) throws -> () throws -> Void {
        // The book's schema, as the book's migrations make it; then the book is closed and only raw SQL writes.
        _ = try Book.create(at: path, principal: "M001")
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON") }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return {
            var shown: [EntityID: Shown] = [:]
            var numbers = Numbers()
            for chunk in chunks {
                try queue.write { db in try write(chunk, shown: &shown, numbers: &numbers, db: db) }
            }
        }
    }

    /// SQLite copies the bound bytes (the C macro `transient`, which Swift does not import).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// The numbers given so far to actors and scopes (`actor_key`, `scope_key`), in the order first met, from 1.
    private struct Numbers {
        var actors: [ActorID: Int64] = [:]
        var scopes: [String: Int64] = [:]
    }

    /// The displayed values of a customer touched in the batch.
    private struct Shown {
        var name = "", phone = "", note = "", tier: String?
    }

    /// Writes one batch's rows; `shown` is the run's memory of each created customer's displayed values (kept in
    /// memory, so that no customer row is read back).
    private static func write(
        _ chunk: [Op], shown: inout [EntityID: Shown], numbers: inout Numbers, db: Database
    ) throws {
        let c = db.sqliteConnection
        func prepare(_ sql: String) throws -> OpaquePointer {
            var statement: OpaquePointer?
            guard sqlite3_prepare_v2(c, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
                throw BenchError("prepare: \(String(cString: sqlite3_errmsg(c)))")
            }
            return statement
        }
        let insertOp = try prepare("INSERT OR IGNORE INTO op (actor, counter, hlc, scope, principal, schema, body) VALUES (?, ?, ?, ?, ?, ?, ?)")
        let insertEntity = try prepare("INSERT OR IGNORE INTO entity (id, kind, scope, created_hlc, author) VALUES (?, ?, ?, ?, ?)")
        let insertValue = try prepare("INSERT OR IGNORE INTO reg_value (entity, field, actor, counter, hlc, value) VALUES (?, ?, ?, ?, ?, ?)")
        let insertSuperseded = try prepare("INSERT OR IGNORE INTO reg_superseded (entity, field, actor, counter) VALUES (?, ?, ?, ?)")
        let deleteValue = try prepare("DELETE FROM reg_value WHERE entity = ? AND field = ? AND actor = ? AND counter = ?")
        let insertSetAdd = try prepare("INSERT OR IGNORE INTO set_add (entity, field, element, actor, counter) VALUES (?, ?, ?, ?, ?)")
        let insertSetRemoved = try prepare("INSERT OR IGNORE INTO set_removed (entity, field, actor, counter) VALUES (?, ?, ?, ?)")
        let deleteSetAdd = try prepare("DELETE FROM set_add WHERE entity = ? AND field = ? AND actor = ? AND counter = ?")
        let upsertCustomer = try prepare("""
            INSERT INTO customer (id, idtext, name, tier, search) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, tier = excluded.tier, search = excluded.search
            """)
        let writeScope = try prepare("INSERT OR REPLACE INTO scope_hash (scope, hash, entities) VALUES (?, ?, 0)")
        let writeActor = try prepare("INSERT OR REPLACE INTO actor_state (actor, contiguous, principal) VALUES (?, ?, ?)")
        let insertActorKey = try prepare("INSERT INTO actor_key (no, id) VALUES (?, ?)")
        let insertScopeKey = try prepare("INSERT INTO scope_key (no, key) VALUES (?, ?)")
        let all = [insertOp, insertEntity, insertValue, insertSuperseded, deleteValue, insertSetAdd, insertSetRemoved,
                   deleteSetAdd, upsertCustomer, writeScope, writeActor, insertActorKey, insertScopeKey]
        defer { for statement in all { sqlite3_finalize(statement) } }

        func run(_ statement: OpaquePointer) throws {
            guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchError("step: \(String(cString: sqlite3_errmsg(c)))") }
            sqlite3_reset(statement)
        }
        func bind(_ statement: OpaquePointer, _ index: Int32, _ bytes: [UInt8]) {
            bytes.withUnsafeBytes { _ = sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), transient) }
        }
        func bind(_ statement: OpaquePointer, _ index: Int32, _ text: String) {
            _ = sqlite3_bind_text(statement, index, text, -1, transient)
        }
        func bind(_ statement: OpaquePointer, _ index: Int32, _ value: Int64) { _ = sqlite3_bind_int64(statement, index, value) }
        func number(_ actor: ActorID) throws -> Int64 {
            if let known = numbers.actors[actor] { return known }
            let next = Int64(numbers.actors.count + 1)
            bind(insertActorKey, 1, next)
            bind(insertActorKey, 2, actor.bytes)
            try run(insertActorKey)
            numbers.actors[actor] = next
            return next
        }
        func number(_ scope: String) throws -> Int64 {
            if let known = numbers.scopes[scope] { return known }
            let next = Int64(numbers.scopes.count + 1)
            bind(insertScopeKey, 1, next)
            bind(insertScopeKey, 2, scope)
            try run(insertScopeKey)
            numbers.scopes[scope] = next
            return next
        }
        /// Runs a statement keyed by (entity, field, actor, counter): a superseded value or an observed tag.
        func tag(_ statement: OpaquePointer, _ entity: EntityID, _ field: FieldID, _ id: OpID) throws {
            bind(statement, 1, entity.bytes)
            bind(statement, 2, Int64(field.rawValue))
            bind(statement, 3, try number(id.actor))
            bind(statement, 4, Int64(id.counter))
            try run(statement)
        }
        func value(_ entity: EntityID, _ field: FieldID, _ op: Op, _ value: Value) throws {
            bind(insertValue, 1, entity.bytes)
            bind(insertValue, 2, Int64(field.rawValue))
            bind(insertValue, 3, try number(op.id.actor))
            bind(insertValue, 4, Int64(op.id.counter))
            bind(insertValue, 5, Int64(bitPattern: op.hlc.rawValue))
            bind(insertValue, 6, value.canonicalBytes)
            try run(insertValue)
        }

        var touched: Set<EntityID> = []
        var scopes: Set<String> = []
        var actors: [ActorID: (counter: UInt64, principal: String)] = [:]
        func show(_ entity: EntityID, _ field: FieldID, _ value: Value) {
            guard shown[entity] != nil, let text = value.text else { return }
            switch field {
            case name: shown[entity]!.name = text
            case phone: shown[entity]!.phone = text
            case note: shown[entity]!.note = text
            case tier: shown[entity]!.tier = text
            default: return
            }
            touched.insert(entity)
        }
        for op in chunk {
            let scope = op.scope.key
            scopes.insert(scope)
            actors[op.id.actor] = (max(actors[op.id.actor]?.counter ?? 0, op.id.counter), op.principal)
            bind(insertOp, 1, try number(op.id.actor))
            bind(insertOp, 2, Int64(op.id.counter))
            bind(insertOp, 3, Int64(bitPattern: op.hlc.rawValue))
            bind(insertOp, 4, try number(scope))
            bind(insertOp, 5, op.principal)
            bind(insertOp, 6, Int64(op.schemaVersion))
            bind(insertOp, 7, op.body.encoded)
            try run(insertOp)
            switch op.body {
            case .create(let kind, let entity, let fields):
                bind(insertEntity, 1, entity.bytes)
                bind(insertEntity, 2, Int64(kind.rawValue))
                bind(insertEntity, 3, try number(scope))
                bind(insertEntity, 4, Int64(bitPattern: op.hlc.rawValue))
                bind(insertEntity, 5, op.principal)
                try run(insertEntity)
                if kind == .customer {
                    shown[entity] = shown[entity] ?? Shown()
                    touched.insert(entity)
                }
                for assignment in fields {
                    try value(entity, assignment.field, op, assignment.value)
                    show(entity, assignment.field, assignment.value)
                }
            case .set(let entity, let field, let newValue, let pred):
                for p in pred {
                    try tag(insertSuperseded, entity, field, p)
                    try tag(deleteValue, entity, field, p)
                }
                try value(entity, field, op, newValue)
                show(entity, field, newValue)
            case .add(let entity, let field, let element):
                bind(insertSetAdd, 1, entity.bytes)
                bind(insertSetAdd, 2, Int64(field.rawValue))
                bind(insertSetAdd, 3, element)
                bind(insertSetAdd, 4, try number(op.id.actor))
                bind(insertSetAdd, 5, Int64(op.id.counter))
                try run(insertSetAdd)
            case .remove(let entity, let field, _, let observed):
                for observedTag in observed {
                    try tag(insertSetRemoved, entity, field, observedTag)
                    try tag(deleteSetAdd, entity, field, observedTag)
                }
            }
        }
        for entity in touched {
            let row = shown[entity]!
            bind(upsertCustomer, 1, entity.bytes)
            bind(upsertCustomer, 2, entity.text)
            bind(upsertCustomer, 3, row.name)
            if let tier = row.tier { bind(upsertCustomer, 4, tier) } else { sqlite3_bind_null(upsertCustomer, 4) }
            bind(upsertCustomer, 5, [row.name, row.phone, row.note].joined(separator: "\n").lowercased())
            try run(upsertCustomer)
        }
        let sum = [UInt8](repeating: 0x5a, count: 32)
        for scope in scopes {
            bind(writeScope, 1, scope)
            bind(writeScope, 2, sum)
            try run(writeScope)
        }
        for (actor, state) in actors {
            bind(writeActor, 1, actor.bytes)
            bind(writeActor, 2, Int64(state.counter))
            bind(writeActor, 3, state.principal)
            try run(writeActor)
        }
    }
}
