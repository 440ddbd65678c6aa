import FieldbookModel
import Foundation
import GRDB

extension Book {
    // MARK: - Remote ops

    /// Applies ops received from another replica, idempotently and in any order, in one transaction.
    ///
    /// Duplicates are counted and ignored; an op whose create arrives later is kept and becomes visible then.
    /// A structurally invalid op rejects the whole batch before anything is written.
    ///
    /// - Parameters:
    ///   - ops: The ops, in any order.
    ///   - meta: Metadata to write in the same transaction (a sync cursor), so that applied twice the batch changes
    ///     nothing.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/invalid`` naming the first bad op's position.
    @discardableResult
    public func applyRemote(_ ops: [Op], meta: [String: String] = [:]) throws(StoreError) -> ApplyResult
    {
        for (index, op) in ops.enumerated() {
            if let problem = op.structuralProblem {
                throw StoreError(.invalid, "第 \(index + 1) 个操作无效：\(problem)")
            }
        }
        do {
            return try database.write { db in
                var result = ApplyResult()
                var maxHLC: UInt64 = 0
                var projector = try Projector(db)
                for op in ops {
                    // A value no writer may store (text too long, control characters, wrong type) is not applied,
                    // so it is never shown; the central node refuses such ops, so only old ones can arrive.
                    if op.valueProblem != nil {
                        result.invalid += 1
                        continue
                    }
                    if try projector.append(op) {
                        result.applied += 1
                        maxHLC = max(maxHLC, op.hlc.rawValue)
                    } else {
                        result.duplicates += 1
                    }
                }
                try projector.finish()
                // Remember the greatest reading seen, so later local ops sort after everything received, but never
                // past this device's wall clock plus the bound: an op clocked a year ahead cannot date every later
                // local edit next year (SPEC [W-10.8]).
                maxHLC = min(maxHLC, HLC(milliseconds: options.now() + HLC.aheadBound, logical: 0).rawValue)
                if maxHLC > 0 {
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO meta (key, value) VALUES ('hlc', ?)
                            ON CONFLICT(key) DO UPDATE SET value = max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                            """).execute(
                        arguments: [String(Int64(bitPattern: maxHLC))])
                }
                try Self.writeMeta(meta, db: db)
                return result
            }
        } catch {
            throw Self.map(error)
        }
    }

    // MARK: - Reading the log

    /// The ops of one actor after a counter, in counter order: what a peer lacks of that actor.
    public func ops(of actor: ActorID, after counter: UInt64, limit: Int = 10_000) throws(StoreError) -> [Op] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM op WHERE actor = ? AND counter > ? ORDER BY counter LIMIT ?"),
                arguments: [Data(actor.bytes), Int64(counter), limit]
            ).map(Self.operation)
        }
    }

    /// Every op of one scope, in arrival order.
    public func ops(in scope: Scope) throws(StoreError) -> [Op] {
        try read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM op WHERE scope = ? ORDER BY rowid"), arguments: [scope.key])
                .map(Self.operation)
        }
    }

    /// Every op in the log, in arrival order (for tests and tools; sync reads by actor or scope).
    public func allOps() throws(StoreError) -> [Op] {
        try read { db in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM op ORDER BY rowid")).map(Self.operation) }
    }

    /// The number of ops in the log.
    public func opCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM op")) ?? 0 }
    }

    /// The highest contiguous counter held of each actor.
    public func versionVector() throws(StoreError) -> [ActorID: UInt64] {
        try read { db in
            var vector: [ActorID: UInt64] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT actor, contiguous FROM actor_state")) {
                vector[ActorID(bytes: Array(row["actor"] as Data))!] = UInt64(row["contiguous"] as Int64)
            }
            return vector
        }
    }

    // MARK: - State hash
    //
    // Each scope's hash is cached in `scope_hash` and kept right without ever recomputing a whole book: the projector
    // drops the row of every scope whose facts an op may change (the scope its entity lives in, before and after a
    // create), a purge drops it with the scope's ops (a trigger on `op`), and a rebuild empties the table. A missing
    // row is recomputed from the facts, exactly as without a cache, and stored in the caller's transaction, so a
    // rolled-back transaction leaves nothing stale behind. A sync then costs O(scopes it touched), not O(book).
    // `stateHashRecomputed()` is the cache-free computation that tests compare with.
    //
    // The whole book's hash is cached too, in the row `overallHashKey`, and dropped with any scope's row (by the
    // projector and by the purge trigger), so `status` reads one row instead of hashing thousands of scopes.

    /// The `scope_hash` row that holds the whole book's hash: no scope has this key.
    static let overallHashKey = "*"

    /// The digest of the whole visible state (see `StateDigest`): equal on two replicas holding the same ops.
    public func stateHash() throws(StoreError) -> [UInt8] {
        do {
            return try database.write { db in
                if let hash = try Self.cachedHash(Self.overallHashKey, db: db) { return hash }
                let keys = try String.fetchSet(db.cachedStatement(sql: "SELECT DISTINCT scope FROM entity WHERE kind IS NOT NULL"))
                let overall = StateDigest.overall(try Self.cachedScopeHashes(keys, db: db))
                try Self.cache(overall, as: Self.overallHashKey, db: db)
                return overall
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// The digest of one scope's visible state.
    public func stateHash(scope: Scope) throws(StoreError) -> [UInt8] {
        do {
            return try database.write { db in
                try Self.cachedScopeHashes([scope.key], db: db).first?.hash ?? StateDigest.scopeHash([])
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// The overall state hash, recomputed from every fact without the cache (for tests and verification).
    package func stateHashRecomputed() throws(StoreError) -> [UInt8] {
        try read { db in
            StateDigest.overall(try Self.scopeHashes(sql: Self.factsSQL(whereScope: false) + " ORDER BY 1", db: db))
        }
    }

    /// The overall state hash of a set of scopes, leaving out scopes with no visible state (as a replica that
    /// holds exactly those scopes computes it), inside the caller's transaction.
    package static func stateHash(of scopes: some Sequence<Scope>, db: Database) throws -> [UInt8] {
        StateDigest.overall(try cachedScopeHashes(Set(scopes.map(\.key)), db: db))
    }

    /// The hashes of the listed scopes that have visible state, from `scope_hash` where it holds them; the others
    /// are computed one scope at a time on the `entity (scope)` index and stored.
    private static func cachedScopeHashes(_ keys: Set<String>, db: Database) throws -> [(key: String, hash: [UInt8])] {
        var hashes: [(key: String, hash: [UInt8])] = []
        let facts = try db.cachedStatement(sql: factsSQL(whereScope: true))
        let ops = try db.cachedStatement(sql: "SELECT actor, counter FROM op WHERE scope = ?")
        for key in keys {
            var hash: [UInt8]
            if let cached = try cachedHash(key, db: db) {
                hash = cached
            } else {
                let rows = try Row.fetchAll(facts, arguments: [key, key, key])
                if rows.isEmpty {
                    hash = []
                } else {
                    var all = try rows.map(Self.fact)
                    for op in try Row.fetchAll(ops, arguments: [key]) {
                        all.append(StateDigest.opFact(OpID(actor: ActorID(bytes: op[0] as Data)!, counter: UInt64(op[1] as Int64))))
                    }
                    hash = StateDigest.scopeHash(all)
                }
                try cache(hash, as: key, db: db)
            }
            if !hash.isEmpty { hashes.append((key, hash)) }
        }
        return hashes
    }

    /// The hash `scope_hash` holds under `key` (a scope's, or the whole book's), or `nil`.
    private static func cachedHash(_ key: String, db: Database) throws -> [UInt8]? {
        try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM scope_hash WHERE scope = ?"), arguments: [key])
            .map { Array($0) }
    }

    /// Stores a hash in `scope_hash` under `key`, in the caller's transaction.
    private static func cache(_ hash: [UInt8], as key: String, db: Database) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO scope_hash (scope, hash) VALUES (?, ?)")
            .execute(arguments: [key, Data(hash)])
    }

    /// Hashes facts that arrive ordered by scope, one scope at a time, so memory holds one scope's facts at most.
    private static func scopeHashes(sql: String, db: Database) throws -> [(key: String, hash: [UInt8])] {
        var hashes: [(key: String, hash: [UInt8])] = []
        var currentScope: String?
        var facts: [[UInt8]] = []
        let cursor = try Row.fetchCursor(db, sql: sql)
        while let row = try cursor.next() {
            let scope: String = row[0]
            if scope != currentScope {
                if let currentScope { hashes.append((currentScope, StateDigest.scopeHash(facts))) }
                currentScope = scope
                facts = []
            }
            facts.append(try fact(row))
        }
        if let currentScope { hashes.append((currentScope, StateDigest.scopeHash(facts))) }
        return hashes
    }

    private static func factsSQL(whereScope: Bool) -> String {
        let filter = whereScope ? "AND e.scope = ?" : ""
        return """
            SELECT e.scope, 1 AS t, e.id, e.kind, NULL AS field, NULL AS actor, NULL AS counter, NULL AS value
              FROM entity e WHERE e.kind IS NOT NULL \(filter)
            UNION ALL
            SELECT e.scope, 2, e.id, NULL, r.field, r.actor, r.counter, r.value
              FROM reg_value r JOIN entity e ON e.id = r.entity WHERE e.kind IS NOT NULL \(filter)
            UNION ALL
            SELECT DISTINCT e.scope, 3, e.id, NULL, s.field, NULL, NULL, s.element
              FROM set_add s JOIN entity e ON e.id = s.entity WHERE e.kind IS NOT NULL \(filter)
            \(whereScope ? "" : opsFactsSQL)
            """
    }

    /// The op facts of the whole book (the cached per-scope path reads them per scope): each op in its scope, for
    /// scopes with visible state, as ``StateDigest/opFact(_:)``.
    private static let opsFactsSQL = """
        UNION ALL
        SELECT o.scope, 4, NULL, NULL, NULL, o.actor, o.counter, NULL
          FROM op o WHERE o.scope IN (SELECT scope FROM entity WHERE kind IS NOT NULL)
        """

    private static func fact(_ row: Row) throws -> [UInt8] {
        if row[1] as Int == 4 {
            return StateDigest.opFact(OpID(actor: ActorID(bytes: row[5] as Data)!, counter: UInt64(row[6] as Int64)))
        }
        let entity = EntityID(bytes: row[2] as Data)!
        switch row[1] as Int {
        case 1:
            return StateDigest.entityFact(entity, kind: EntityKind(rawValue: UInt8(row[3] as Int)))
        case 2:
            // `reg_value.value` holds the value's canonical encoding, which is what the fact carries.
            let id = OpID(actor: ActorID(bytes: row[5] as Data)!, counter: UInt64(row[6] as Int64))
            return StateDigest.valueFact(
                entity, field: FieldID(rawValue: UInt16(row[4] as Int)), id: id, encodedValue: Array(row[7] as Data))
        default:
            return StateDigest.elementFact(entity, field: FieldID(rawValue: UInt16(row[4] as Int)), element: row[7])
        }
    }

    // MARK: - Rebuild and verification

    /// Throws away every projection and rebuilds it from the op log, in one transaction.
    public func rebuild() throws(StoreError) {
        do {
            try database.write { db in try Self.rebuild(db) }
        } catch {
            throw Self.map(error)
        }
    }

    static func rebuild(_ db: Database) throws {
        for table in projectionTables { try db.execute(sql: "DELETE FROM \(table)") }
        try db.cachedStatement(sql: "DELETE FROM scope_hash").execute()
        var projector = try Projector(db)
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM op ORDER BY rowid")
        while let row = try cursor.next() {
            try projector.project(try operation(row))
        }
        try projector.finish()
    }

    /// Checks that the projections equal a rebuild from the log and that the search index is intact; changes
    /// nothing.
    ///
    /// - Returns: The names of the projection tables that differ (empty when all is well).
    public func verifyProjections() throws(StoreError) -> [String] {
        do {
            return try database.write { db in
                try db.cachedStatement(sql: "INSERT INTO customer_fts (customer_fts) VALUES ('integrity-check')").execute()
                let before = try Self.projectionDump(db)
                var after: [String: [String]] = [:]
                try db.inSavepoint {
                    try Self.rebuild(db)
                    after = try Self.projectionDump(db)
                    return .rollback
                }
                return Self.projectionTables.filter { before[$0] != after[$0] }
            }
        } catch {
            throw Self.map(error)
        }
    }

    private static func projectionDump(_ db: Database) throws -> [String: [String]] {
        var dump: [String: [String]] = [:]
        for table in projectionTables {
            // `customer.rowid` is an internal key that a rebuild may number differently.
            let columns = table == "customer" ? "id, idtext, name, tier, archived, search" : "*"
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table)")
            dump[table] = rows.map { $0.description }.sorted()
        }
        return dump
    }
}
