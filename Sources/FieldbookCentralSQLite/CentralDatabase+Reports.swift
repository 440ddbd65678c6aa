import FieldbookCentral
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB

/// The centre's reports (`fieldbook admin report …`): queries over the consolidated book that no single device can
/// answer, because only the centre sees every principal's customers.
///
/// Each report reads one consistent snapshot and streams the entities it needs into its builder in FieldbookCentral
/// (``SalesReport/Builder``, ``OverlapReport/Builder``, ``CoverageReport/Builder``), which does the arithmetic for
/// both stores.
extension CentralDatabase {
    /// Sales per principal between two days (inclusive), co-covered sales counted in full for every coverer
    /// (``SalesReport/Builder``).
    ///
    /// A sale is a purchase that is not archived, dated by its `date` field (or the day it was recorded, when it
    /// has none). Coverage is taken as it stands now, not as it stood on the day of the sale.
    ///
    /// - Throws: ``CentralError`` when `from` is after `to`, or for a database failure.
    public func salesReport(from: Day, to: Day) throws -> SalesReport {
        var builder = try SalesReport.Builder(from: from, to: to, offsetSeconds: book.options.utcOffsetSeconds)
        return try book.database.read { db in
            try Book.forEachLiveEntity(.purchase, fields: [Schema.F.amount, Schema.F.date], db: db) { builder.add($0.event) }
            var coverers: [EntityID: [String]] = [:]
            for customer in builder.customers { coverers[customer] = try Book.coverers(of: customer, db: db) }
            return builder.report(principals: try Self.principals(db), coverers: coverers)
        }
    }

    /// Customers contacted by more than one principal in the `days` days ending `today` (inclusive)
    /// (``OverlapReport/Builder``).
    ///
    /// A channel is a principal (the person who reached the customer), not a contact type: one manager who called and
    /// then visited is one channel, and the customer is not listed.
    ///
    /// - Parameters:
    ///   - days: The window, at least 1.
    ///   - today: The last day of the window; the centre's today by default.
    /// - Throws: ``CentralError`` for a window under one day, or for a database failure.
    public func overlapReport(days: Int, today: Day? = nil) throws -> OverlapReport {
        var builder = try OverlapReport.Builder(
            days: days, endingOn: today ?? book.today, offsetSeconds: book.options.utcOffsetSeconds)
        return try book.database.read { db in
            try Book.forEachLiveEntity(.contact, fields: [Schema.F.date, Schema.F.channel], db: db) { builder.add($0.event) }
            return builder.report(customers: try builder.overlapping.compactMap { try Self.centralCustomer($0, db: db) })
        }
    }

    /// VIPs past their contact cadence, under each principal who covers them (``CoverageReport/Builder``).
    ///
    /// - Parameter today: The day to measure from; the centre's today by default.
    public func coverageReport(today: Day? = nil) throws -> CoverageReport {
        var builder = CoverageReport.Builder(today: today ?? book.today, offsetSeconds: book.options.utcOffsetSeconds)
        return try book.database.read { db in
            for customer in try Book.liveCustomers(tiers: Array(CoverageReport.vipTiers), db: db) {
                builder.add(
                    CoverageReport.VIP(
                        id: customer.id, name: customer.name, tier: customer.tier ?? "",
                        familiarity: try Book.value(Schema.F.familiarity, of: customer.id, db: db)?.text,
                        coverers: try Book.coverers(of: customer.id, db: db)))
            }
            try Book.forEachLiveEntity(.contact, fields: [Schema.F.date], db: db) { builder.add($0.event) }
            return builder.report(principals: try Self.principals(db))
        }
    }

    /// The default period of the sales report: the first of `today`'s month to `today`.
    public static func monthToDate(_ today: Day) -> (from: Day, to: Day) {
        let civil = today.civil
        return (Day(year: civil.year, month: civil.month, day: 1)!, today)
    }

    // MARK: - Reading helpers

    /// Every registered principal, by code.
    private static func principals(_ db: Database) throws -> [PrincipalRecord] {
        try Row.fetchAll(db, sql: "SELECT code, name, role, deactivated FROM principal ORDER BY code").map {
            PrincipalRecord(
                code: $0["code"], name: $0["name"], role: PrincipalRole(rawValue: $0["role"]),
                deactivated: ($0["deactivated"] as Int64?) != nil)
        }
    }
}

extension EntityWinners {
    /// The entity as the report builders read it.
    fileprivate var event: ReportEvent { ReportEvent(customer: customer, author: author, created: created, values: values) }
}
