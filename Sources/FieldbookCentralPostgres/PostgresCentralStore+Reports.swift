import FieldbookCentral
import FieldbookModel
import Foundation
import NIOCore
import PostgresNIO

/// The centre's reports on PostgreSQL (`fieldbook admin --db postgres://… report …`): the same rules and figures as
/// the SQLite store's (`CentralDatabase+Reports`), read from the projected registers (`reg_value` winners) and
/// `coverage`, each in one REPEATABLE READ READ ONLY transaction, so a report reads one snapshot while pushes go on.
/// Each streams the entities it needs and holds per-customer state only for the customers it reports on.
extension PostgresCentralStore: CentralReports {
    public func salesReport(from: Day, to: Day) async throws -> SalesReport {
        guard from <= to else { throw CentralError("报表开始日期 \(from.iso) 晚于结束日期 \(to.iso)") }
        let offset = Self.utcOffsetSeconds
        return try await administer(.repeatableRead, readOnly: true) { connection, logger in
            var rows: [String: SalesReport.Row] = [:]
            for principal in try await Self.principals(connection: connection, logger: logger) where principal.role != .admin {
                rows[principal.code] = SalesReport.Row(
                    code: principal.code, name: principal.name, role: principal.role, sales: 0, amount: 0, sharedSales: 0,
                    sharedAmount: 0)
            }
            var sales: [(customer: EntityID, amount: Int64)] = []
            try await Self.forEachLiveEntity(.purchase, fields: [Schema.F.amount, Schema.F.date], connection: connection, logger: logger) { event in
                let day = event.values[Schema.F.date]?.day ?? event.createdDay(offset)
                guard from <= day, day <= to, let customer = event.customer else { return }
                sales.append((customer, event.values[Schema.F.amount]?.integer ?? 0))
            }
            let coverage = try await Self.coverers(of: Set(sales.map(\.customer)), connection: connection, logger: logger)
            var total = SalesReport.Total(sales: 0, amount: 0, sharedSales: 0)
            for sale in sales {
                let coverers = coverage[sale.customer] ?? []
                let shared = coverers.count > 1
                total.sales += 1
                total.amount += sale.amount
                if shared { total.sharedSales += 1 }
                for code in coverers {
                    var row = rows[code] ?? SalesReport.Row(
                        code: code, name: nil, role: nil, sales: 0, amount: 0, sharedSales: 0, sharedAmount: 0)
                    row.sales += 1
                    row.amount += sale.amount
                    if shared {
                        row.sharedSales += 1
                        row.sharedAmount += sale.amount
                    }
                    rows[code] = row
                }
            }
            let sorted = rows.values.sorted { ($0.amount, $1.code) > ($1.amount, $0.code) }
            return SalesReport(from: from, to: to, rows: sorted, total: total)
        }
    }

    public func overlapReport(days: Int, today: Day?) async throws -> OverlapReport {
        guard days >= 1, days <= 3660 else { throw CentralError("--days 应为 1 到 3660 之间的天数") }
        let to = try await self.resolve(today)
        let from = to.adding(days: -(days - 1))
        let offset = Self.utcOffsetSeconds
        return try await administer(.repeatableRead, readOnly: true) { connection, logger in
            struct Seen {
                var contacts = 0
                var channels = Set<String>()
                var principals = Set<String>()
                var first: Day
                var last: Day
            }
            var seen: [EntityID: Seen] = [:]
            try await Self.forEachLiveEntity(.contact, fields: [Schema.F.date, Schema.F.channel], connection: connection, logger: logger) { event in
                let day = event.values[Schema.F.date]?.day ?? event.createdDay(offset)
                guard from <= day, day <= to, let customer = event.customer else { return }
                var entry = seen[customer] ?? Seen(first: day, last: day)
                entry.contacts += 1
                if let channel = event.values[Schema.F.channel]?.text { entry.channels.insert(channel) }
                entry.principals.insert(event.author)
                entry.first = min(entry.first, day)
                entry.last = max(entry.last, day)
                seen[customer] = entry
            }
            let overlapping = seen.filter { $0.value.principals.count > 1 }
            var customers: [OverlapReport.Customer] = []
            for row in try await PostgresMasterFile.rows(Array(overlapping.keys), connection: connection, logger: logger)
            where !row.archived {
                guard let entry = overlapping[row.id] else { continue }
                customers.append(
                    OverlapReport.Customer(
                        id: row.id, name: row.name, tier: row.tier, owner: row.owner, contacts: entry.contacts,
                        channels: entry.channels.sorted(), principals: entry.principals.sorted(), first: entry.first,
                        last: entry.last))
            }
            customers.sort {
                ($0.principals.count, $0.channels.count, $0.contacts, $1.id.text)
                    > ($1.principals.count, $1.channels.count, $1.contacts, $0.id.text)
            }
            return OverlapReport(from: from, to: to, customers: customers)
        }
    }

    public func coverageReport(today: Day?) async throws -> CoverageReport {
        let today = try await resolve(today)
        let offset = Self.utcOffsetSeconds
        return try await administer(.repeatableRead, readOnly: true) { connection, logger in
            // The VIPs that are not archived, with their coverage as it stands.
            var vips: [EntityID: PostgresMasterFile.Row] = [:]
            for try await bytes in try await connection.query(
                """
                SELECT w.entity FROM (
                    SELECT DISTINCT ON (r.entity) r.entity, r.value FROM reg_value r JOIN coverage c ON c.customer = r.entity
                    WHERE r.field = \(Int32(Schema.F.tier.rawValue))
                    ORDER BY r.entity, \(unescaped: PostgresMasterFile.winnerOrder)
                ) w WHERE w.value = ANY(\(CoverageReport.vipTiers.sorted().map { ByteBuffer(bytes: Value.text($0).canonicalBytes) }))
                """, logger: logger
            ).decode(Data.self) {
                if let id = EntityID(bytes: Array(bytes)) { vips[id] = PostgresMasterFile.Row(id: id) }
            }
            for row in try await PostgresMasterFile.rows(Array(vips.keys), connection: connection, logger: logger) {
                if row.archived { vips[row.id] = nil } else { vips[row.id] = row }
            }
            var lastContact: [EntityID: Day] = [:]
            try await Self.forEachLiveEntity(.contact, fields: [Schema.F.date], connection: connection, logger: logger) { event in
                guard let customer = event.customer, vips[customer] != nil else { return }
                let day = event.values[Schema.F.date]?.day ?? event.createdDay(offset)
                // A contact dated after the report's day has not happened yet as far as this report knows.
                guard day <= today else { return }
                lastContact[customer] = max(lastContact[customer] ?? day, day)
            }
            let registered = Dictionary(
                uniqueKeysWithValues: try await Self.principals(connection: connection, logger: logger).map { ($0.code, $0) })
            var principals: [String: CoverageReport.Principal] = [:]
            for vip in vips.values {
                let tier = vip.tier ?? ""
                let cadence = AgendaSettings().cadence(tier: tier, familiarity: vip.familiarity)
                let last = lastContact[vip.id]
                let since = last.map { Int(today.number - $0.number) }
                let overdue = AgendaSettings.isDue(daysSince: since, cadence: cadence)
                for code in Self.coverers(owner: vip.owner, cocoverers: vip.cocoverers) {
                    var principal = principals[code] ?? CoverageReport.Principal(
                        code: code, name: registered[code]?.name, role: registered[code]?.role, vips: 0, overdue: [])
                    principal.vips += 1
                    if overdue {
                        principal.overdue.append(
                            CoverageReport.Customer(
                                id: vip.id, name: vip.name, tier: tier, familiarity: vip.familiarity, cadence: cadence,
                                lastContact: last, daysSince: since))
                    }
                    principals[code] = principal
                }
            }
            let sorted = principals.values.map { principal in
                var principal = principal
                principal.overdue.sort { ($0.daysSince ?? Int.max, $1.id.text) > ($1.daysSince ?? Int.max, $0.id.text) }
                return principal
            }.sorted { $0.code < $1.code }
            return CoverageReport(today: today, principals: sorted)
        }
    }

    // MARK: - Reading helpers

    /// The report's day: the one given, or the centre's today.
    private func resolve(_ today: Day?) async throws -> Day {
        if let today { return today }
        return try await self.today()
    }

    /// Every registered principal, by code.
    private static func principals(
        connection: PostgresConnection, logger: Logger
    ) async throws -> [(code: String, name: String, role: PrincipalRole?)] {
        var principals: [(code: String, name: String, role: PrincipalRole?)] = []
        for try await (code, name, role) in try await connection.query(
            "SELECT code, name, role FROM principal ORDER BY code", logger: logger
        ).decode((String, String, String).self) {
            principals.append((code, name, PrincipalRole(rawValue: role)))
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

    /// One created entity with the display winners of some fields, as the reports stream them.
    struct LiveEntity {
        var id: EntityID
        var scope: Scope?
        var author: String
        var created: HLC
        var values: [FieldID: Value]

        /// The customer whose scope the entity is in, if any.
        var customer: EntityID? { scope?.customer }

        /// The day the entity was recorded, in the centre's time zone: a report's date for an entity without `date`.
        func createdDay(_ offset: Int) -> Day { Day(milliseconds: created.milliseconds, offsetSeconds: offset) }
    }

    /// Streams every created, non-archived entity of a kind with the display winners of `fields`, one entity at a
    /// time, in entity ID order (the SQLite book's `forEachLiveEntity`).
    static func forEachLiveEntity(
        _ kind: EntityKind, fields: [FieldID], connection: PostgresConnection, logger: Logger, _ body: (LiveEntity) throws -> Void
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
        var current: LiveEntity?
        func flush() throws {
            if let entity = current, entity.values[Schema.F.archived]?.isTrue != true { try body(entity) }
        }
        for try await (idBytes, scope, author, created, number, bytes) in rows.decode(
            (Data, String, String?, Int64?, Int32?, Data?).self)
        {
            guard let id = EntityID(bytes: Array(idBytes)) else { continue }
            if current?.id != id {
                try flush()
                current = LiveEntity(
                    id: id, scope: Scope(key: scope), author: author ?? "", created: HLC(rawValue: UInt64(bitPattern: created ?? 0)),
                    values: [:])
            }
            guard let number, let bytes else { continue }
            let field = FieldID(rawValue: UInt16(truncatingIfNeeded: number))
            guard current!.values[field] == nil else { continue }  // a conflict sibling, not the winner
            var reader = ByteReader(Array(bytes))
            current!.values[field] = try Value.decode(from: &reader)
        }
        try flush()
    }
}
