import FieldbookCentral
import FieldbookModel
import Foundation
import PostgresNIO

extension PostgresCentralStore {
    /// How many scopes ``check()`` recomputes from their ops (a random sample; every scope when there are fewer).
    static let checkSample = 64

    /// Verifies the centre's database from one REPEATABLE READ snapshot; changes nothing. `fieldbook admin check`
    /// prints the result.
    ///
    /// A smaller set of checks than the SQLite store's (which also runs SQLite's own integrity check and rebuilds the
    /// whole projection), but each a real one:
    /// - **op scopes and bodies**: every op row has a valid actor and scope key and a body that decodes;
    /// - **log sequence contiguous up to the head**: the op rows' LSNs are exactly 1…head (the LSN head), so no pull
    ///   can have skipped one (SPEC [W-9.10]);
    /// - **device counters contiguous up to held**: for every actor with a `held` row (devices' and the centre's
    ///   own), the stored and refused counters together are exactly 1…held, nothing is stored above it, and no op is
    ///   stored of an actor without one;
    /// - **every actor is an enrolled device**: every actor with stored ops is bound to an enrolled device, or is the
    ///   centre itself;
    /// - **projections match the op log** and **state hashes match a recomputation**, on a random sample of
    ///   ``checkSample`` scopes: the scope's ops replayed in an in-memory `Replica` give exactly the facts the
    ///   projection holds (created entities, live register values, present set elements, ops), and the stored scope
    ///   sum equals their recomputed sum.
    ///
    /// Problems are counts and scope kinds, never customer data.
    public func check() async throws -> IntegrityReport {
        try await administer(.repeatableRead, readOnly: true) { connection, logger in
            var report = IntegrityReport()
            report.checks.append("op scopes and bodies")
            var bad = 0
            var actors: Set<ActorID> = []
            for try await (actorBytes, scope, body) in try await connection.query(
                "SELECT actor, scope, body FROM op", logger: logger
            ).decode((Data, String, Data).self) {
                guard let actor = ActorID(bytes: Array(actorBytes)), Scope(key: scope) != nil,
                    (try? Op.Body(encoded: Array(body))) != nil
                else {
                    bad += 1
                    continue
                }
                actors.insert(actor)
            }
            if bad > 0 { report.problems.append("\(bad) 个操作的范围或内容无法识别") }

            report.checks.append("log sequence contiguous up to the head")
            for try await (count, low, high, head) in try await connection.query(
                "SELECT count(*), coalesce(min(lsn), 0), coalesce(max(lsn), 0), (SELECT lsn FROM lsn_head) FROM op",
                logger: logger
            ).decode((Int64, Int64, Int64, Int64).self) {
                // LSNs are unique (the primary key): count = head with min 1 and max head means exactly 1…head.
                if count != head || (count > 0 && (low != 1 || high != head)) {
                    report.problems.append("日志序号不连续：\(count) 个操作，序号 \(low)…\(high)，最新序号 \(head)")
                }
            }

            report.checks.append("device counters contiguous up to held")
            var gaps = 0
            var above = 0
            for try await (held, stored, refused, beyond) in try await connection.query(
                """
                SELECT h.held,
                    (SELECT count(*) FROM op o WHERE o.actor = h.actor AND o.counter BETWEEN 1 AND h.held),
                    (SELECT count(*) FROM refused r WHERE r.actor = h.actor AND r.counter BETWEEN 1 AND h.held),
                    (SELECT count(*) FROM op o WHERE o.actor = h.actor AND o.counter > h.held)
                FROM held h
                """, logger: logger
            ).decode((Int64, Int64, Int64, Int64).self) {
                if stored + refused != held { gaps += 1 }
                if beyond > 0 { above += 1 }
            }
            for try await orphans in try await connection.query(
                "SELECT count(DISTINCT actor) FROM op WHERE actor NOT IN (SELECT actor FROM held)", logger: logger
            ).decode(Int64.self) {
                above += Int(orphans)
            }
            if gaps > 0 { report.problems.append("\(gaps) 台设备的已收操作编号有缺口或重复") }
            if above > 0 { report.problems.append("\(above) 台设备有超出已确认编号的操作") }

            report.checks.append("every actor is an enrolled device")
            var enrolled: Set<ActorID> = [try await PostgresCentralWriter.centralActor(connection: connection, logger: logger)]
            for try await bytes in try await connection.query(
                "SELECT actor FROM device WHERE actor IS NOT NULL", logger: logger
            ).decode(Data.self) {
                if let actor = ActorID(bytes: Array(bytes)) { enrolled.insert(actor) }
            }
            let strangers = actors.subtracting(enrolled).count
            if strangers > 0 { report.problems.append("\(strangers) 个操作者不属于任何已登记的设备") }

            guard report.isClean else { return report }
            try await Self.checkSampledScopes(into: &report, connection: connection, logger: logger)
            return report
        }
    }

    /// Replays the ops of a sample of scopes and compares the facts and sums with what the projection holds.
    private static func checkSampledScopes(into report: inout IntegrityReport, connection: PostgresConnection, logger: Logger) async throws {
        report.checks.append("projections match the op log")
        report.checks.append("state hashes match a recomputation")
        var scopes: [(key: String, sum: String)] = []
        for try await row in try await connection.query(
            "SELECT scope, sum::text FROM scope_sum ORDER BY random() LIMIT \(Int64(checkSample))", logger: logger
        ).decode((String, String).self) {
            scopes.append(row)
        }
        var differing = 0
        var wrongSums = 0
        for (key, storedSum) in scopes {
            // The scope's ops, replayed from scratch.
            var replica = Replica()
            for try await row in try await connection.query(
                "SELECT lsn, actor, counter, hlc, scope, principal, schema, body FROM op WHERE scope = \(key)", logger: logger
            ).decode((Int64, Data, Int64, Int64, String, String, Int16, Data).self) {
                _ = replica.apply(try Self.operation(row).op)
            }
            let expected = Set(replica.facts()[key] ?? [])
            let projected = Set(try await projectedFacts(key, connection: connection, logger: logger))
            if expected != projected { differing += 1 }
            let recomputed = StateDigest.scopeSum(key, projected)
            if PostgresStateSum.sum(decimal: storedSum) != recomputed { wrongSums += 1 }
        }
        if differing > 0 { report.problems.append("抽查的 \(scopes.count) 个范围中有 \(differing) 个的客户资料与操作日志不一致") }
        if wrongSums > 0 { report.problems.append("抽查的 \(scopes.count) 个范围中有 \(wrongSums) 个的状态哈希与客户资料不一致") }
    }

    /// The facts of one scope as the projection holds them (``StateDigest``): each created entity of the scope, its
    /// live register values and present set elements, and every op stored in the scope when it has visible state.
    private static func projectedFacts(_ key: String, connection: PostgresConnection, logger: Logger) async throws -> [[UInt8]] {
        var facts: [[UInt8]] = []
        for try await (idBytes, kind) in try await connection.query(
            "SELECT id, kind FROM entity WHERE scope = \(key) AND kind IS NOT NULL", logger: logger
        ).decode((Data, Int16).self) {
            guard let id = EntityID(bytes: Array(idBytes)) else { continue }
            facts.append(StateDigest.entityFact(id, kind: EntityKind(rawValue: UInt8(truncatingIfNeeded: kind))))
        }
        guard !facts.isEmpty else { return [] }
        for try await (idBytes, field, actorBytes, counter, value) in try await connection.query(
            """
            SELECT r.entity, r.field, r.actor, r.counter, r.value FROM reg_value r JOIN entity e ON e.id = r.entity
            WHERE e.scope = \(key) AND e.kind IS NOT NULL
            """, logger: logger
        ).decode((Data, Int32, Data, Int64, Data).self) {
            guard let id = EntityID(bytes: Array(idBytes)), let actor = ActorID(bytes: Array(actorBytes)) else { continue }
            facts.append(
                StateDigest.valueFact(
                    id, field: FieldID(rawValue: UInt16(truncatingIfNeeded: field)),
                    id: OpID(actor: actor, counter: UInt64(counter)), encodedValue: Array(value)))
        }
        for try await (idBytes, field, element) in try await connection.query(
            """
            SELECT DISTINCT s.entity, s.field, s.element FROM set_add s JOIN entity e ON e.id = s.entity
            WHERE e.scope = \(key) AND e.kind IS NOT NULL
            """, logger: logger
        ).decode((Data, Int32, String).self) {
            guard let id = EntityID(bytes: Array(idBytes)) else { continue }
            facts.append(StateDigest.elementFact(id, field: FieldID(rawValue: UInt16(truncatingIfNeeded: field)), element: element))
        }
        for try await (actorBytes, counter) in try await connection.query(
            "SELECT actor, counter FROM op WHERE scope = \(key)", logger: logger
        ).decode((Data, Int64).self) {
            guard let actor = ActorID(bytes: Array(actorBytes)) else { continue }
            facts.append(StateDigest.opFact(OpID(actor: actor, counter: UInt64(counter))))
        }
        return facts
    }
}
