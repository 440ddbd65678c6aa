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
                db.cachedStatement(sql: "\(Self.opRowsSQL) WHERE op.actor = \(Self.actorNumberSQL) AND op.counter > ? ORDER BY op.counter LIMIT ?"),
                arguments: [Data(actor.bytes), Int64(counter), limit]
            ).map(Self.operation)
        }
    }

    /// Every op of one scope, in arrival order.
    public func ops(in scope: Scope) throws(StoreError) -> [Op] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "\(Self.opRowsSQL) WHERE op.scope = \(Self.scopeNumberSQL) ORDER BY op.rowid"),
                arguments: [scope.key])
                .map(Self.operation)
        }
    }

    /// Every op in the log, in arrival order (for tests and tools; sync reads by actor or scope).
    public func allOps() throws(StoreError) -> [Op] {
        try read { db in try Row.fetchAll(db.cachedStatement(sql: "\(Self.opRowsSQL) ORDER BY op.rowid")).map(Self.operation) }
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
    // Each scope's state hash is a sum of fact digests (`StateDigest`), kept in `scope_hash` as 32 little-endian
    // bytes with the number of created entities in the scope: the projector adds the digest of each fact that
    // appears and subtracts that of each fact that disappears, in the transaction that applies the op, so a sync
    // costs O(its ops), never O(scope) or O(book). A scope has a row exactly when it holds an op; a purge drops the
    // row with the scope's ops (a trigger on `op`), and a rebuild empties the table and sums again from the log.
    // `check` compares every row with a recomputation from the facts (`stateHashProblems`).
    //
    // The whole book's sum is stored too, in the row `overallHashKey`, once something read it: the projector moves
    // it with each scope it touches, a purge drops it (the trigger), and a read after that sums the rows again.

    /// The `scope_hash` row that holds the whole book's hash: no scope has this key.
    static let overallHashKey = "*"

    /// A scope's state sum and how many created entities it holds: its hash counts only while that is above 0.
    struct ScopeHash: Equatable {
        /// The sum of the digests of the scope's facts (``StateDigest``).
        var sum: StateSum
        /// The created entities living in the scope.
        var entities: Int

        /// Whether the scope's hash counts: a scope without a created entity hashes as zero.
        var isVisible: Bool { entities > 0 }
        /// The scope's hash.
        var hash: StateSum { isVisible ? sum : .zero }
    }

    /// The digest of the whole visible state (see `StateDigest`): equal on two replicas holding the same ops.
    public func stateHash() throws(StoreError) -> [UInt8] {
        // Almost always stored: a read. Only after a purge (or a rebuild) is it summed again, in a write.
        if let stored = try read({ db in try Self.storedScopeHash(Self.overallHashKey, db: db) }) { return stored.sum.bytes }
        do {
            return try database.write { db in
                if let stored = try Self.storedScopeHash(Self.overallHashKey, db: db) { return stored.sum.bytes }
                var total = StateSum.zero
                let rows = try Row.fetchCursor(
                    db.cachedStatement(sql: "SELECT hash FROM scope_hash WHERE entities > 0 AND scope <> ?"),
                    arguments: [Self.overallHashKey])
                while let row = try rows.next() { total += try Self.sum(row[0]) }
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO scope_hash (scope, hash, entities) VALUES (?, ?, 0)")
                    .execute(arguments: [Self.overallHashKey, Data(total.bytes)])
                return total.bytes
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// The digest of one scope's visible state.
    public func stateHash(scope: Scope) throws(StoreError) -> [UInt8] {
        try read { db in try Self.storedScopeHash(scope.key, db: db)?.hash.bytes ?? StateSum.zero.bytes }
    }

    /// The overall state hash, recomputed from every fact without `scope_hash` (for tests and verification).
    package func stateHashRecomputed() throws(StoreError) -> [UInt8] {
        try read { db in StateDigest.overall(try Self.recomputedScopeHashes(db).values.map(\.hash)) }
    }

    /// The overall state hash of a set of scopes, leaving out scopes with no visible state (as a replica that
    /// holds exactly those scopes computes it), inside the caller's transaction: one row read per scope.
    package static func stateHash(of scopes: some Sequence<Scope>, db: Database) throws -> [UInt8] {
        var total = StateSum.zero
        for key in Set(scopes.map(\.key)) {
            if let stored = try storedScopeHash(key, db: db) { total += stored.hash }
        }
        return total.bytes
    }

    /// The `scope_hash` row under `key` (a scope's, or the whole book's), or `nil`.
    static func storedScopeHash(_ key: String, db: Database) throws -> ScopeHash? {
        // Read in place (the projector reads one or two of these for every batch).
        let row = DirectStatement(
            try db.cachedStatement(sql: "SELECT hash, entities FROM scope_hash WHERE scope = ?"), db: db)
        row.reset()
        defer { row.reset() }
        try row.bind(1, key)
        guard try row.step() else { return nil }
        let sum = try row.withBytes(0) { bytes in
            guard !row.isNull(0), bytes.count == 32 else {
                throw StoreError(.corrupt, "状态哈希表中有损坏的行（可用 rebuild 重建）")
            }
            return StateSum(littleEndian: bytes)
        }
        return ScopeHash(sum: sum, entities: Int(row.int64(1)))
    }

    /// A stored sum; a damaged one (not 32 bytes) is reported, not read as some other number.
    private static func sum(_ data: Data?) throws -> StateSum {
        guard let data, let sum = StateSum(bytes: data) else {
            throw StoreError(.corrupt, "状态哈希表中有损坏的行（可用 rebuild 重建）")
        }
        return sum
    }

    /// Every scope's sum and created-entity count, recomputed from the facts and the op log (one pass over each,
    /// in no particular order: a sum needs none).
    static func recomputedScopeHashes(_ db: Database) throws -> [String: ScopeHash] {
        var scopes: [String: ScopeHash] = [:]
        let cursor = try Row.fetchCursor(db, sql: factsSQL)
        while let row = try cursor.next() {
            let scope: String = row[0]
            scopes[scope, default: ScopeHash(sum: .zero, entities: 0)].sum += StateDigest.digest(scope: scope, fact: try fact(row))
            if row[1] as Int == 1 { scopes[scope]!.entities += 1 }
        }
        return scopes
    }

    /// Stores every scope's recomputed sum in `scope_hash` in place of what it held (a migration; a rebuild sums
    /// as it projects instead).
    static func resumScopeHashes(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM scope_hash")
        let insert = try db.cachedStatement(sql: "INSERT INTO scope_hash (scope, hash, entities) VALUES (?, ?, ?)")
        for (scope, state) in try recomputedScopeHashes(db) {
            try insert.execute(arguments: [scope, Data(state.sum.bytes), state.entities])
        }
    }

    /// How many `scope_hash` rows differ from a recomputation from the facts (a missing, extra or wrong row), and
    /// whether the whole book's row is stored and wrong; `(0, false)` when all is well. Changes nothing.
    static func stateHashProblems(_ db: Database) throws -> (scopes: Int, overall: Bool) {
        let recomputed = try recomputedScopeHashes(db)
        var stored: [String: ScopeHash] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT scope, hash, entities FROM scope_hash")
        while let row = try rows.next() {
            // A damaged sum counts as a wrong row.
            let sum = StateSum(bytes: row[1] as Data? ?? Data()) ?? StateSum(bytes: [UInt8](repeating: 0xff, count: 32))!
            stored[row[0]] = ScopeHash(sum: sum, entities: row[2])
        }
        let overall = stored.removeValue(forKey: overallHashKey)
        let keys = Set(recomputed.keys).union(stored.keys)
        let wrong = keys.filter { recomputed[$0] != stored[$0] }.count
        let total = StateDigest.overall(recomputed.values.map(\.hash))
        return (wrong, overall.map { $0.sum.bytes != total } ?? false)
    }

    /// Every fact of the book, with its scope: entity, value and element facts of created entities (where the
    /// entity lives), then every op (in its own scope).
    private static let factsSQL = """
        SELECT k.key, f.t, f.id, f.kind, f.field, f.actor, f.counter, f.value FROM (
          SELECT e.scope, 1 AS t, e.id, e.kind, NULL AS field, NULL AS actor, NULL AS counter, NULL AS value
            FROM entity e WHERE e.kind IS NOT NULL
          UNION ALL
          SELECT e.scope, 2, e.id, NULL, r.field, a.id, r.counter, r.value
            FROM reg_value r JOIN entity e ON e.id = r.entity JOIN actor_key a ON a.no = r.actor WHERE e.kind IS NOT NULL
          UNION ALL
          SELECT DISTINCT e.scope, 3, e.id, NULL, s.field, NULL, NULL, s.element
            FROM set_add s JOIN entity e ON e.id = s.entity WHERE e.kind IS NOT NULL
          UNION ALL
          SELECT o.scope, 4, NULL, NULL, NULL, a.id, o.counter, NULL FROM op o JOIN actor_key a ON a.no = o.actor
        ) f JOIN scope_key k ON k.no = f.scope
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
        let cursor = try Row.fetchCursor(db, sql: "\(opRowsSQL) ORDER BY op.rowid")
        while let row = try cursor.next() {
            try projector.project(try operation(row))
        }
        try projector.finish()
    }

    /// Checks that the projections equal a rebuild from the log and that the search index is intact; changes
    /// nothing but bringing the search index up to date (``catchUpSearchIndex(_:)``).
    ///
    /// - Returns: The names of the projection tables that differ (empty when all is well).
    public func verifyProjections() throws(StoreError) -> [String] {
        do {
            return try database.write { db in
                if try Self.hasSearchIndex(db) {
                    // Caught up first: the index then holds every row's current text (an entry that lags is not an
                    // inconsistency, but a check that compares the index with its rows would take it for one).
                    try Self.catchUpSearchIndex(db)
                    try db.cachedStatement(sql: "INSERT INTO customer_fts (customer_fts) VALUES ('integrity-check')").execute()
                }
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
            let columns = table == "customer" ? (["id", "idtext"] + Projector.customerColumns).joined(separator: ", ") : "*"
            let rows = try Row.fetchAll(db, sql: "SELECT \(columns) FROM \(table)")
            dump[table] = rows.map { $0.description }.sorted()
        }
        return dump
    }
}
