import FieldbookCentral
import FieldbookModel
import Foundation
import NIOCore
import PostgresNIO

/// The centre's reports on PostgreSQL (`fieldbook admin --db postgres://… report …`): the reads only, from the
/// projected registers (`reg_value` winners) and `coverage`, each in one REPEATABLE READ READ ONLY transaction, so a
/// report reads one snapshot while pushes go on. The arithmetic is the report builders' in FieldbookCentral
/// (``SalesReport/Builder``, ``OverlapReport/Builder``, ``CoverageReport/Builder``), which the SQLite store feeds too.
extension PostgresCentralStore: CentralReports {
    public func salesReport(from: Day, to: Day) async throws -> SalesReport {
        var builder = try SalesReport.Builder(from: from, to: to, offsetSeconds: Self.utcOffsetSeconds)
        return try await administer(.repeatableRead, readOnly: true) { connection, logger in
            try await Self.forEachLiveEntity(.purchase, fields: [Schema.F.amount, Schema.F.date], connection: connection, logger: logger) {
                builder.add($0)
            }
            let coverers = try await Self.coverers(of: builder.customers, connection: connection, logger: logger)
            return builder.report(principals: try await Self.principals(connection: connection, logger: logger), coverers: coverers)
        }
    }

    public func overlapReport(days: Int, today: Day?) async throws -> OverlapReport {
        var builder = try OverlapReport.Builder(days: days, endingOn: try await resolve(today), offsetSeconds: Self.utcOffsetSeconds)
        return try await administer(.repeatableRead, readOnly: true) { connection, logger in
            try await Self.forEachLiveEntity(.contact, fields: [Schema.F.date, Schema.F.channel], connection: connection, logger: logger) {
                builder.add($0)
            }
            let rows = try await PostgresMasterFile.rows(builder.overlapping, connection: connection, logger: logger)
            return builder.report(customers: rows.map(\.central))
        }
    }

    public func coverageReport(today: Day?) async throws -> CoverageReport {
        var builder = CoverageReport.Builder(today: try await resolve(today), offsetSeconds: Self.utcOffsetSeconds)
        return try await administer(.repeatableRead, readOnly: true) { connection, logger in
            // The VIPs, with their coverage as it stands.
            var vips: [EntityID] = []
            for try await bytes in try await connection.query(
                """
                SELECT w.entity FROM (
                    SELECT DISTINCT ON (r.entity) r.entity, r.value FROM reg_value r JOIN coverage c ON c.customer = r.entity
                    WHERE r.field = \(Int32(Schema.F.tier.rawValue))
                    ORDER BY r.entity, \(unescaped: PostgresMasterFile.winnerOrder)
                ) w WHERE w.value = ANY(\(CoverageReport.vipTiers.sorted().map { ByteBuffer(bytes: Value.text($0).canonicalBytes) }))
                """, logger: logger
            ).decode(Data.self) {
                if let id = EntityID(bytes: Array(bytes)) { vips.append(id) }
            }
            for row in try await PostgresMasterFile.rows(vips, connection: connection, logger: logger) where !row.archived {
                builder.add(
                    CoverageReport.VIP(
                        id: row.id, name: row.name, tier: row.tier ?? "", familiarity: row.familiarity,
                        coverers: Self.coverers(owner: row.owner, cocoverers: row.cocoverers)))
            }
            try await Self.forEachLiveEntity(.contact, fields: [Schema.F.date], connection: connection, logger: logger) {
                builder.add($0)
            }
            return builder.report(principals: try await Self.principals(connection: connection, logger: logger))
        }
    }

    // MARK: - Reading helpers

    /// The report's day: the one given, or the centre's today.
    private func resolve(_ today: Day?) async throws -> Day {
        if let today { return today }
        return try await self.today()
    }

    /// Every registered principal, by code.
    private static func principals(connection: PostgresConnection, logger: Logger) async throws -> [PrincipalRecord] {
        var principals: [PrincipalRecord] = []
        for try await (code, name, role, deactivated) in try await connection.query(
            "SELECT code, name, role, deactivated FROM principal ORDER BY code", logger: logger
        ).decode((String, String, String, Int64?).self) {
            principals.append(
                PrincipalRecord(code: code, name: name, role: PrincipalRole(rawValue: role), deactivated: deactivated != nil))
        }
        return principals
    }

    /// The owner and co-coverers of a customer, owner first, without duplicates (`Book.coverers`).
    private static func coverers(owner: String?, cocoverers: [String]) -> [String] {
        var codes: [String] = []
        if let owner { codes.append(owner) }
        for code in cocoverers.sorted() where !codes.contains(code) { codes.append(code) }
        return codes
    }

    /// The coverers of some customers, from their `coverage` rows, in one query.
    private static func coverers(
        of customers: Set<EntityID>, connection: PostgresConnection, logger: Logger
    ) async throws -> [EntityID: [String]] {
        guard !customers.isEmpty else { return [:] }
        var result: [EntityID: [String]] = [:]
        for try await (bytes, owner, cocoverers) in try await connection.query(
            "SELECT customer, owner, cocoverers FROM coverage WHERE customer = ANY(\(customers.map { ByteBuffer(bytes: $0.bytes) }))",
            logger: logger
        ).decode((Data, String?, [String]).self) {
            guard let id = EntityID(bytes: Array(bytes)) else { continue }
            result[id] = coverers(owner: owner, cocoverers: Array(Set(cocoverers)))
        }
        return result
    }

    /// Streams every created, non-archived entity of a kind with the display winners of `fields`, one entity at a
    /// time, in entity ID order (the SQLite book's `forEachLiveEntity`).
    static func forEachLiveEntity(
        _ kind: EntityKind, fields: [FieldID], connection: PostgresConnection, logger: Logger, _ body: (ReportEvent) throws -> Void
    ) async throws {
        let wanted = (fields + [Schema.F.archived]).map { Int32($0.rawValue) }
        // The winner first within each (entity, field), so the first row of a register is its winner.
        let rows = try await connection.query(
            """
            SELECT e.id, e.scope, e.author, e.created_hlc, r.field, r.value
            FROM entity e LEFT JOIN reg_value r ON r.entity = e.id AND r.field = ANY(\(wanted))
            WHERE e.kind = \(Int16(kind.rawValue))
            ORDER BY e.id, r.field, \(unescaped: PostgresMasterFile.winnerOrder)
            """, logger: logger)
        var current: (id: EntityID, event: ReportEvent)?
        func flush() throws {
            if let entity = current?.event, entity.values[Schema.F.archived]?.isTrue != true { try body(entity) }
        }
        for try await (idBytes, scope, author, created, number, bytes) in rows.decode(
            (Data, String, String?, Int64?, Int32?, Data?).self)
        {
            guard let id = EntityID(bytes: Array(idBytes)) else { continue }
            if current?.id != id {
                try flush()
                current = (
                    id,
                    ReportEvent(
                        customer: Scope(key: scope)?.customer, author: author ?? "",
                        created: HLC(rawValue: UInt64(bitPattern: created ?? 0)), values: [:])
                )
            }
            guard let number, let bytes else { continue }
            let field = FieldID(rawValue: UInt16(truncatingIfNeeded: number))
            guard current!.event.values[field] == nil else { continue }  // a conflict sibling, not the winner
            var reader = ByteReader(Array(bytes))
            current!.event.values[field] = try Value.decode(from: &reader)
        }
        try flush()
    }
}
