import FieldbookCentral
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB

/// The centre's reports (`fieldbook admin report …`): queries over the consolidated book that no single device can
/// answer, because only the centre sees every principal's customers.
///
/// Each report reads one consistent snapshot and streams the entities it needs; it holds per-customer state only
/// for the customers it reports on.
extension CentralDatabase {
    /// Sales per principal between two days (inclusive), co-covered sales counted in full for every coverer.
    ///
    /// A sale is a purchase that is not archived, dated by its `date` field (or the day it was recorded, when it
    /// has none). Coverage is taken as it stands now, not as it stood on the day of the sale.
    ///
    /// - Throws: ``CentralError`` when `from` is after `to`, or for a database failure.
    public func salesReport(from: Day, to: Day) throws -> SalesReport {
        guard from <= to else { throw CentralError("报表开始日期 \(from.iso) 晚于结束日期 \(to.iso)") }
        let offset = book.options.utcOffsetSeconds
        return try book.database.read { db in
            var rows: [String: SalesReport.Row] = [:]
            for principal in try Self.principals(db) where principal.role != .admin {
                rows[principal.code] = SalesReport.Row(
                    code: principal.code, name: principal.name, role: principal.role, sales: 0, amount: 0,
                    sharedSales: 0, sharedAmount: 0)
            }
            var total = SalesReport.Total(sales: 0, amount: 0, sharedSales: 0)
            var coverage: [EntityID: [String]] = [:]
            try Book.forEachLiveEntity(.purchase, fields: [Schema.F.amount, Schema.F.date], db: db) { event in
                let day = event.values[Schema.F.date]?.day ?? event.createdDay(offset)
                guard from <= day, day <= to, let customer = event.customer else { return }
                let amount = event.values[Schema.F.amount]?.integer ?? 0
                let coverers: [String]
                if let known = coverage[customer] {
                    coverers = known
                } else {
                    coverers = try Book.coverers(of: customer, db: db)
                    coverage[customer] = coverers
                }
                let shared = coverers.count > 1
                total.sales += 1
                total.amount += amount
                if shared { total.sharedSales += 1 }
                for code in coverers {
                    var row = rows[code] ?? SalesReport.Row(
                        code: code, name: nil, role: nil, sales: 0, amount: 0, sharedSales: 0, sharedAmount: 0)
                    row.sales += 1
                    row.amount += amount
                    if shared {
                        row.sharedSales += 1
                        row.sharedAmount += amount
                    }
                    rows[code] = row
                }
            }
            let sorted = rows.values.sorted { ($0.amount, $1.code) > ($1.amount, $0.code) }
            return SalesReport(from: from, to: to, rows: sorted, total: total)
        }
    }

    /// Customers contacted by more than one principal in the `days` days ending `today` (inclusive).
    ///
    /// A channel is a principal (the person who reached the customer), not a contact type: one manager who called and
    /// then visited is one channel, and the customer is not listed.
    ///
    /// - Parameters:
    ///   - days: The window, at least 1.
    ///   - today: The last day of the window; the centre's today by default.
    /// - Throws: ``CentralError`` for a window under one day, or for a database failure.
    public func overlapReport(days: Int, today: Day? = nil) throws -> OverlapReport {
        guard days >= 1, days <= 3660 else { throw CentralError("--days 应为 1 到 3660 之间的天数") }
        let to = today ?? book.today
        let from = to.adding(days: -(days - 1))
        let offset = book.options.utcOffsetSeconds
        return try book.database.read { db in
            struct Seen {
                var contacts = 0
                var channels = Set<String>()
                var principals = Set<String>()
                var first: Day
                var last: Day
            }
            var seen: [EntityID: Seen] = [:]
            try Book.forEachLiveEntity(.contact, fields: [Schema.F.date, Schema.F.channel], db: db) { event in
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
            var customers: [OverlapReport.Customer] = []
            for (id, entry) in seen where entry.principals.count > 1 {
                guard let row = try Book.customerSummary(id, db: db), !row.archived else { continue }
                customers.append(
                    OverlapReport.Customer(
                        id: id, name: row.name, tier: row.tier, owner: try Book.owner(of: id, db: db),
                        contacts: entry.contacts, channels: entry.channels.sorted(),
                        principals: entry.principals.sorted(), first: entry.first, last: entry.last))
            }
            customers.sort {
                ($0.principals.count, $0.channels.count, $0.contacts, $1.id.text)
                    > ($1.principals.count, $1.channels.count, $1.contacts, $0.id.text)
            }
            return OverlapReport(from: from, to: to, customers: customers)
        }
    }

    /// VIPs past their contact cadence, under each principal who covers them.
    ///
    /// - Parameter today: The day to measure from; the centre's today by default.
    public func coverageReport(today: Day? = nil) throws -> CoverageReport {
        let today = today ?? book.today
        let offset = book.options.utcOffsetSeconds
        return try book.database.read { db in
            struct VIP {
                var id: EntityID
                var name: String
                var tier: String
                var familiarity: String?
            }
            var vips: [EntityID: VIP] = [:]
            for customer in try Book.liveCustomers(tiers: Array(CoverageReport.vipTiers), db: db) {
                let familiarity = try Book.value(Schema.F.familiarity, of: customer.id, db: db)?.text
                vips[customer.id] = VIP(id: customer.id, name: customer.name, tier: customer.tier ?? "", familiarity: familiarity)
            }
            var lastContact: [EntityID: Day] = [:]
            try Book.forEachLiveEntity(.contact, fields: [Schema.F.date], db: db) { event in
                guard let customer = event.customer, vips[customer] != nil else { return }
                let day = event.values[Schema.F.date]?.day ?? event.createdDay(offset)
                // A contact dated after the report's day has not happened yet as far as this report knows.
                guard day <= today else { return }
                lastContact[customer] = max(lastContact[customer] ?? day, day)
            }
            let registered = Dictionary(uniqueKeysWithValues: try Self.principals(db).map { ($0.code, $0) })
            var principals: [String: CoverageReport.Principal] = [:]
            for vip in vips.values {
                let cadence = AgendaSettings().cadence(tier: vip.tier, familiarity: vip.familiarity)
                let last = lastContact[vip.id]
                let since = last.map { Int(today.number - $0.number) }
                let overdue = AgendaSettings.isDue(daysSince: since, cadence: cadence)
                for code in try Book.coverers(of: vip.id, db: db) {
                    var principal = principals[code] ?? CoverageReport.Principal(
                        code: code, name: registered[code]?.name, role: registered[code]?.role, vips: 0, overdue: [])
                    principal.vips += 1
                    if overdue {
                        principal.overdue.append(
                            CoverageReport.Customer(
                                id: vip.id, name: vip.name, tier: vip.tier, familiarity: vip.familiarity,
                                cadence: cadence, lastContact: last, daysSince: since))
                    }
                    principals[code] = principal
                }
            }
            let sorted = principals.values.map { principal in
                var principal = principal
                principal.overdue.sort {
                    ($0.daysSince ?? Int.max, $1.id.text) > ($1.daysSince ?? Int.max, $0.id.text)
                }
                return principal
            }.sorted { $0.code < $1.code }
            return CoverageReport(today: today, principals: sorted)
        }
    }

    /// The default period of the sales report: the first of `today`'s month to `today`.
    public static func monthToDate(_ today: Day) -> (from: Day, to: Day) {
        let civil = today.civil
        return (Day(year: civil.year, month: civil.month, day: 1)!, today)
    }

    // MARK: - Reading helpers

    private static func principals(_ db: Database) throws -> [(code: String, name: String, role: PrincipalRole?)] {
        try Row.fetchAll(db, sql: "SELECT code, name, role FROM principal ORDER BY code").map {
            ($0["code"], $0["name"], PrincipalRole(rawValue: $0["role"]))
        }
    }
}

extension EntityWinners {
    /// The day the entity was recorded, in the centre's time zone: a report's date for an entity without `date`.
    fileprivate func createdDay(_ offset: Int) -> Day { Day(milliseconds: created.milliseconds, offsetSeconds: offset) }
}
