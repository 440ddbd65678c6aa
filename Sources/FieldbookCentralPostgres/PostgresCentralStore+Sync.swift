import FieldbookCentral
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Foundation
import NIOCore
import PostgresNIO

/// The sync half of the seam on PostgreSQL: the same answers as the SQLite store (`CentralDatabase`), from one
/// database that several servers share (docs/DECISIONS.md "The centre on PostgreSQL: LSN order, locks, set-based
/// writes").
///
/// - A push is one READ COMMITTED transaction that takes its locks in one order: the pushing actor's `held` row
///   (two sessions of one device serialize there), the advisory locks of the scopes the batch writes (two servers
///   writing one customer serialize there), and the LSN head last, in the statement that inserts the op rows, just
///   before COMMIT. Authority comes from records prefetched under those locks (``PostgresAuthority``), and the
///   projection is written set-based (``PostgresProjector``).
/// - A pull plans from one REPEATABLE READ snapshot, whose LSN head is the new cursor (every op at or below it is in
///   the snapshot, because the head moves in the transaction that stores the ops), then records the scope snapshot
///   in a short write.
extension PostgresCentralStore: CentralSyncStore {
    /// The centre's clock in Unix milliseconds (every server of one centre should run NTP).
    static func nowMilliseconds() -> UInt64 { UInt64(max(Date().timeIntervalSince1970 * 1000, 0)) }

    public func enrolment(of device: DeviceID) async throws -> DeviceEnrolment? {
        let row = try await transaction(.readCommitted, readOnly: true) { connection -> (String, Data, Data?, Bool)? in
            let rows = try await connection.query(
                "SELECT principal, secret, actor, revoked FROM device WHERE id = \(Data(device.bytes))", logger: logger)
            for try await row in rows.decode((String, Data, Data?, Bool).self) { return row }
            return nil
        }
        guard let (principal, secret, actorBytes, revoked) = row else { return nil }
        let actor = actorBytes.flatMap { ActorID(bytes: Array($0)) }
        // A revoked device's secret was deleted with the enrolment.
        if revoked { return DeviceEnrolment(secret: [], principal: principal, actor: actor, revoked: true) }
        return DeviceEnrolment(secret: try seal.open(secret), principal: principal, actor: actor, revoked: false)
    }

    public func bind(_ device: DeviceID, actor: ActorID) async throws {
        do {
            try await transaction(.readCommitted) { connection in
                // An actor known here already (another device's, or the centre's own) cannot be taken over: the
                // device could then push ops in its name (SECURITY.md). Two devices binding one actor at once: the
                // unique index on `device.actor` refuses the second.
                let bytes = Data(actor.bytes)
                let rows = try await connection.query(
                    """
                    SELECT EXISTS (SELECT 1 FROM setting WHERE key = 'actor' AND value = \(actor.hex))
                        OR EXISTS (SELECT 1 FROM device WHERE actor = \(bytes))
                        OR EXISTS (SELECT 1 FROM op WHERE actor = \(bytes))
                    """, logger: logger)
                var taken = true
                for try await value in rows.decode(Bool.self) { taken = value }
                guard !taken else { throw SyncError(.authFailed, "the actor belongs to another replica") }
                try await connection.query(
                    "UPDATE device SET actor = \(bytes) WHERE id = \(Data(device.bytes)) AND actor IS NULL", logger: logger)
            }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
            throw SyncError(.authFailed, "the actor belongs to another replica")
        }
    }

    public func opening(_ actor: ActorID) async throws -> (held: UInt64, time: HLC) {
        let held = try await transaction(.readCommitted, readOnly: true) { connection in
            try await Self.held(actor, connection: connection, logger: logger, lock: false)
        }
        return (held, HLC(milliseconds: Self.nowMilliseconds(), logical: 0))
    }

    /// The highest contiguous counter held of an actor; with `lock`, its row is made if missing and locked until
    /// commit (the first lock of every transaction that stores an actor's ops).
    static func held(
        _ actor: ActorID, connection: PostgresConnection, logger: Logger, lock: Bool
    ) async throws -> UInt64 {
        let bytes = Data(actor.bytes)
        // With `lock`, one upsert: DO UPDATE locks the row whether it was just made or not, and returns the value
        // of its latest version (after waiting for a writer that held it).
        let rows = try await connection.query(
            lock
                ? """
                INSERT INTO held (actor, held) VALUES (\(bytes), 0)
                ON CONFLICT (actor) DO UPDATE SET held = held.held RETURNING held
                """
                : "SELECT held FROM held WHERE actor = \(bytes)", logger: logger)
        var held: Int64 = 0
        for try await value in rows.decode(Int64.self) { held = value }
        return UInt64(held)
    }

    // MARK: - Push

    public func push(_ ops: [Op], from account: DeviceAccount) async throws -> PushOutcome {
        let now = Self.nowMilliseconds()
        let clock = HLC(milliseconds: now, logical: 0)
        let logger = self.logger
        return try await transaction(.readCommitted) { connection in
            // (1) The actor's row: two sessions of one device take turns from here.
            var held = try await Self.held(account.actor, connection: connection, logger: logger, lock: true)
            var outcome = PushOutcome(held: held)
            // The ops that continue what is held, in counter order; the rest are counted as every store does.
            let batch = PushBatch(ops, actor: account.actor, held: held)
            outcome.denied = batch.foreign
            outcome.gap = batch.gap
            let candidates = batch.continuing
            guard !candidates.isEmpty else { return outcome }

            // (2) The scopes the batch writes, then what it can touch, read under their locks.
            try await PostgresProjector.lockScopes(candidates.map(\.scope.key), connection: connection, logger: logger)
            var projector = PostgresProjector(connection: connection, logger: logger)
            try await projector.prefetch(candidates)
            let mayHold =
                Self.mayNeedSnapshots(candidates, account: account, projector: projector)
                ? try await Self.snapshotUnion(of: account.device, connection: connection, logger: logger) : []

            var accepted: [Op] = []
            var refused: [Refusal] = []
            var created: [String] = []
            for op in candidates {
                if let refusal = try Self.refusal(of: op, from: account, now: clock, projector: projector, mayHold: mayHold) {
                    if refusal.code == .scopeViolation { outcome.outOfScope += 1 } else { outcome.denied += 1 }
                    refused.append(refusal)
                } else {
                    projector.apply(op)
                    accepted.append(op)
                    if case .create(.customer, let customer, _) = op.body {
                        created.append(Scope.customer(customer).key)
                    }
                }
                held += 1
            }
            outcome.refusals = refused
            outcome.held = held

            // The projection and the push's own records (refusals, held, the device's snapshots) in one statement.
            var statement = PostgresStatement()
            var parts: [(name: String, sql: String)] = []
            let actor = statement.bind(ByteBuffer(bytes: account.actor.bytes))
            if !refused.isEmpty {
                let counter = statement.bind(refused.map { Int64($0.op.counter) })
                let code = statement.bind(refused.map { Int32($0.code.rawValue) })
                let reason = statement.bind(refused.map { Int32($0.reasonNumber) })
                let customer = statement.bind(refused.map { $0.customer?.short ?? "" })
                let change = statement.bind(refused.map(\.change))
                parts.append((
                    "refusals",
                    """
                    INSERT INTO refused (actor, counter, code, at, reason, customer, change)
                    SELECT \(actor), c, k, \(statement.bind(Int64(now))), r, nullif(cu, ''), ch
                    FROM unnest(\(counter), \(code), \(reason), \(customer), \(change)) AS t(c, k, r, cu, ch)
                    ON CONFLICT (actor, counter) DO NOTHING
                    """))
            }
            parts.append(("counter", "UPDATE held SET held = \(statement.bind(Int64(held))) WHERE actor = \(actor)"))
            parts += Self.recordHeld(created, by: account.device, statement: &statement)
            try await projector.write(statement, parts: parts)
            // (3) The LSN head, last: its lock is held from here to COMMIT.
            _ = try await PostgresProjector.appendLog(
                accepted, device: account.device, at: Int64(now), connection: connection, logger: logger)
            return outcome
        }
    }

    /// The policy's answer for one op, from what the projector holds now. A function of its own so that the records'
    /// copy of the projector is gone before the projector applies the op (a copy still alive then would make it copy
    /// its tables on write, for every op).
    static func refusal(
        of op: Op, from account: DeviceAccount, now: HLC, projector: PostgresProjector, mayHold: Set<String>
    ) throws -> Refusal? {
        let records = PostgresAuthority(projector: projector, principal: account.principal, mayHold: mayHold)
        return try ScopePolicy.refusal(of: op, from: account, now: now, records: records)
    }

    /// Whether an op of the batch may ask ``AuthorityRecords/deviceMayHold(_:)``: it names a customer the principal
    /// does not cover as the batch starts, and that the batch does not create with the principal as owner (the one
    /// way a device's batch can make a customer covered). Then the device's snapshots are read, once, before the
    /// batch; otherwise not at all.
    static func mayNeedSnapshots(_ ops: [Op], account: DeviceAccount, projector: PostgresProjector) -> Bool {
        var ownCreates: Set<EntityID> = []
        for op in ops {
            if case .create(.customer, let customer, let fields) = op.body,
                fields.contains(FieldAssignment(Schema.F.owner, .text(account.principal)))
            {
                ownCreates.insert(customer)
            }
        }
        return ops.contains { op in
            guard let customer = op.scope.customer else { return false }
            return !ownCreates.contains(customer) && !projector.covers(account.principal, customer)
        }
    }

    /// Every customer scope in any scope snapshot the device still has (see `CentralDatabase.snapshotUnion`).
    static func snapshotUnion(
        of device: DeviceID, connection: PostgresConnection, logger: Logger
    ) async throws -> Set<String> {
        let rows = try await connection.query(
            "SELECT DISTINCT unnest(scopes) FROM scope_snapshot WHERE device = \(Data(device.bytes))", logger: logger)
        var union: Set<String> = []
        for try await key in rows.decode(String.self) { union.insert(key) }
        return union
    }

    /// Records that a device holds customers it created: they join every scope snapshot the device has, and a device
    /// with none gets one at cursor 0, which no PULL can name as known (see `CentralDatabase.recordHeld`). Returns the
    /// two data-modifying parts that do it (none without keys), for the push's one write.
    static func recordHeld(
        _ keys: [String], by device: DeviceID, statement: inout PostgresStatement
    ) -> [(name: String, sql: String)] {
        guard !keys.isEmpty else { return [] }
        let id = statement.bind(ByteBuffer(bytes: device.bytes))
        let sorted = statement.bind(keys.sorted())
        return [
            (
                "widened",
                """
            UPDATE scope_snapshot SET scopes = ARRAY(SELECT DISTINCT k COLLATE "C" FROM unnest(scopes || \(sorted)) AS k ORDER BY 1)
            WHERE device = \(id) RETURNING 1
            """
            ),
            // Only when the device has no snapshot (the part above widened none).
            (
                "seeded",
                """
            INSERT INTO scope_snapshot (device, cursor, scopes)
            SELECT \(id), 0, \(sorted) WHERE NOT EXISTS (SELECT 1 FROM widened)
            """
            ),
        ]
    }

    // MARK: - Pull

    public func pull(
        for account: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64
    ) async throws -> PullPlan {
        // A cursor is the device's word: one past PostgreSQL's integers (forged) counts as unknown, like any other.
        let cursor = min(cursor, UInt64(Int64.max))
        let device = Data(account.device.bytes)
        let logger = self.logger
        let (plan, known, scopes) = try await transaction(.repeatableRead, readOnly: true) {
            connection -> (PullPlan, Bool, [String]) in
            // The head is the cursor: every op at or below it committed before this snapshot (SPEC [W-9.10]).
            var last: UInt64 = 0
            for try await lsn in try await connection.query("SELECT lsn FROM lsn_head", logger: logger).decode(Int64.self) {
                last = UInt64(lsn)
            }
            var current: Set<String> = [Scope.principal(account.principal).key, Scope.global.key]
            for try await customer in try await connection.query(
                // `@>` so that the GIN index on `cocoverers` answers the second half.
                "SELECT customer FROM coverage WHERE owner = \(account.principal) OR cocoverers @> \([account.principal])",
                logger: logger
            ).decode(Data.self) {
                if let id = EntityID(bytes: customer) { current.insert(Scope.customer(id).key) }
            }

            // What the device holds: exactly the snapshot of a known cursor, or anything it was ever given that the
            // centre has not seen it move past (SPEC [W-9.8], [W-9.9]; as `CentralDatabase.pull`).
            var previous: Set<String> = []
            var known = false
            if cursor > 0, !resync {
                for try await list in try await connection.query(
                    "SELECT scopes FROM scope_snapshot WHERE device = \(device) AND cursor = \(Int64(cursor))", logger: logger
                ).decode([String].self) {
                    previous = Set(list)
                    known = true
                }
            }
            if !known {
                previous = try await Self.snapshotUnion(of: account.device, connection: connection, logger: logger)
            }

            let leaving = previous.subtracting(current).sorted().compactMap { Scope(key: $0)?.customer }
            var purges: [Message.Purge.Entry] = []
            if !leaving.isEmpty {
                let ids = leaving.map { ByteBuffer(bytes: $0.bytes) }
                var owners: [EntityID: String] = [:]
                for try await (customer, owner) in try await connection.query(
                    "SELECT customer, owner FROM coverage WHERE customer = ANY(\(ids)) AND owner IS NOT NULL", logger: logger
                ).decode((Data, String).self) {
                    if let id = EntityID(bytes: customer) { owners[id] = owner }
                }
                var formerly: Set<EntityID> = []
                for try await customer in try await connection.query(
                    "SELECT customer FROM former_owner WHERE principal = \(account.principal) AND customer = ANY(\(ids))",
                    logger: logger
                ).decode(Data.self) {
                    if let id = EntityID(bytes: customer) { formerly.insert(id) }
                }
                for customer in leaving {
                    let owner = owners[customer]
                    // Reassigned only for a former owner: an advisor whose co-coverage ended hears that.
                    let reassigned = owner != nil && owner != account.principal && formerly.contains(customer)
                    purges.append(
                        reassigned
                            ? Message.Purge.Entry(customer: customer, reason: .reassigned, newOwner: owner)
                            : Message.Purge.Entry(customer: customer, reason: .coverageEnded))
                }
            }
            let kept = known ? current.intersection(previous) : []
            let entered = current.subtracting(kept).sorted()
            var backfill: [Op] = []
            if !entered.isEmpty {
                let rows = try await connection.query(
                    """
                    SELECT lsn, actor, counter, hlc, scope, principal, schema, body FROM op
                    WHERE scope = ANY(\(entered)) AND lsn <= \(Int64(last)) ORDER BY scope COLLATE "C", lsn
                    """, logger: logger)
                for try await row in rows.decode((Int64, Data, Int64, Int64, String, String, Int16, Data).self) {
                    backfill.append(try Self.operation(row).op)
                }
            }
            var delta: [(lsn: UInt64, op: Op)] = []
            // A cut pull from this known cursor applied its delta up to `resume` (SPEC [W-9.12]).
            let start = known && resume > cursor && resume <= last ? resume : cursor
            if !kept.isEmpty, last > start {
                let rows = try await connection.query(
                    """
                    SELECT lsn, actor, counter, hlc, scope, principal, schema, body FROM op
                    WHERE scope = ANY(\(kept.sorted())) AND lsn > \(Int64(start)) AND lsn <= \(Int64(last))
                        AND actor <> \(Data(account.actor.bytes))
                    ORDER BY lsn
                    """, logger: logger)
                for try await row in rows.decode((Int64, Data, Int64, Int64, String, String, Int16, Data).self) {
                    delta.append(try Self.operation(row))
                }
            }
            var hash = StateSum.zero
            for try await text in try await connection.query(
                """
                SELECT mod(coalesce(sum(sum), 0), \(unescaped: PostgresStateSum.modulus))::text FROM scope_sum
                WHERE scope = ANY(\(current.sorted())) AND entities > 0
                """, logger: logger
            ).decode(String.self) {
                guard let sum = PostgresStateSum.sum(decimal: text) else {
                    throw PostgresStoreError("中心数据库的状态哈希已损坏")
                }
                hash = sum
            }
            let plan = PullPlan(purges: purges, backfill: backfill, delta: delta, cursor: last, stateHash: hash.bytes)
            return (plan, known, current.sorted())
        }
        let now = Int64(Self.nowMilliseconds())
        try await transaction(.readCommitted) { connection in
            // A known cursor shows the device holds exactly that snapshot: every other one can no longer describe
            // it. The named one stays until the device names a later cursor (SPEC [W-10.7]).
            if known {
                try await connection.query(
                    """
                    DELETE FROM scope_snapshot
                    WHERE device = \(device) AND cursor <> \(Int64(cursor)) AND cursor <> \(Int64(plan.cursor))
                    """, logger: logger)
            }
            try await connection.query(
                """
                INSERT INTO scope_snapshot (device, cursor, scopes) VALUES (\(device), \(Int64(plan.cursor)), \(scopes))
                ON CONFLICT (device, cursor) DO UPDATE SET scopes = excluded.scopes
                """, logger: logger)
            try await connection.query("UPDATE device SET last_sync = \(now) WHERE id = \(device)", logger: logger)
        }
        return plan
    }

    /// Decodes an `op` row (lsn, actor, counter, hlc, scope, principal, schema, body).
    // Not inlined: inlined into the async pull's closure, it crashes LLVM's coroutine split in release builds (Swift 6.3.1).
    @inline(never)
    static func operation(
        _ row: (Int64, Data, Int64, Int64, String, String, Int16, Data)
    ) throws -> (lsn: UInt64, op: Op) {
        let (lsn, actorBytes, counter, hlc, key, principal, schema, body) = row
        guard let actor = ActorID(bytes: actorBytes), let scope = Scope(key: key) else {
            throw PostgresStoreError("中心数据库的操作记录已损坏")
        }
        let op = Op(
            id: OpID(actor: actor, counter: UInt64(counter)), hlc: HLC(rawValue: UInt64(bitPattern: hlc)), scope: scope,
            principal: principal, schemaVersion: UInt16(bitPattern: schema), body: try Op.Body(encoded: Array(body)))
        return (UInt64(lsn), op)
    }
}
