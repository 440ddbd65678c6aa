import FieldbookCentral
import FieldbookModel
import XCTest

/// The reports' arithmetic (``SalesReport/Builder``, ``OverlapReport/Builder``, ``CoverageReport/Builder``) without
/// a store: periods and windows, dating, double counting, ordering, cadence. The contract suite checks that both
/// stores feed them the same reads.
final class ReportBuildersTests: XCTestCase {
    private let day = Day(year: 2026, month: 11, day: 20)!
    private let offset = 8 * 3600

    private func id(_ n: UInt8) -> EntityID { EntityID(bytes: [n] + Array(repeating: 0, count: 15))! }

    /// An event dated by its `date` field.
    private func event(_ customer: UInt8?, by author: String, on day: Day, _ values: [FieldID: Value] = [:]) -> ReportEvent {
        var values = values
        values[Schema.F.date] = .date(day)
        return ReportEvent(customer: customer.map(id), author: author, created: HLC(milliseconds: 0, logical: 0), values: values)
    }

    private func principal(_ code: String, _ role: PrincipalRole) -> PrincipalRecord {
        PrincipalRecord(code: code, name: "名\(code)", role: role, deactivated: false)
    }

    func testSalesCountsCoCoveredSalesForEachCovererAndOnceInTheTotal() throws {
        XCTAssertThrowsError(try SalesReport.Builder(from: day, to: day.adding(days: -1), offsetSeconds: offset)) {
            XCTAssertEqual("\($0)", "报表开始日期 2026-11-20 晚于结束日期 2026-11-19")
        }
        var builder = try SalesReport.Builder(from: day.adding(days: -9), to: day, offsetSeconds: offset)
        builder.add(event(1, by: "M001", on: day, [Schema.F.amount: .money(100_00)]))
        builder.add(event(2, by: "M001", on: day.adding(days: -9), [Schema.F.amount: .money(50_00)]))
        builder.add(event(2, by: "M001", on: day.adding(days: -10), [Schema.F.amount: .money(7)]))  // before the period
        builder.add(event(2, by: "M001", on: day.adding(days: 1), [Schema.F.amount: .money(7)]))  // after it
        builder.add(event(nil, by: "M001", on: day, [Schema.F.amount: .money(7)]))  // no customer
        builder.add(event(3, by: "M002", on: day))  // no amount: a sale of 0
        // Without a date, the day it was recorded, in the centre's time zone: 2026-11-10 23:30 UTC is the 11th at +8,
        // the period's first day.
        let recorded = UInt64(Int64(day.adding(days: -9).number) * 86_400_000 - 30 * 60_000)
        builder.add(
            ReportEvent(customer: id(1), author: "M001", created: HLC(milliseconds: recorded, logical: 0), values: [Schema.F.amount: .money(1)]))
        XCTAssertEqual(builder.customers, [id(1), id(2), id(3)])
        let report = builder.report(
            principals: [principal("A001", .admin), principal("M001", .manager), principal("M003", .manager), principal("W001", .advisor)],
            coverers: [id(1): ["M001", "W001"], id(2): ["M001"], id(3): ["X009"]])
        XCTAssertEqual(report.total, SalesReport.Total(sales: 4, amount: 150_01, sharedSales: 2))
        XCTAssertEqual(
            report.rows,
            [
                SalesReport.Row(code: "M001", name: "名M001", role: .manager, sales: 3, amount: 150_01, sharedSales: 2, sharedAmount: 100_01),
                SalesReport.Row(code: "W001", name: "名W001", role: .advisor, sales: 2, amount: 100_01, sharedSales: 2, sharedAmount: 100_01),
                // Equal amounts by code; an unregistered coverer gets a line without a name; no administrator's line.
                SalesReport.Row(code: "M003", name: "名M003", role: .manager, sales: 0, amount: 0, sharedSales: 0, sharedAmount: 0),
                SalesReport.Row(code: "X009", name: nil, role: nil, sales: 1, amount: 0, sharedSales: 0, sharedAmount: 0),
            ])
    }

    func testOverlapCountsPrincipalsNotContactTypes() throws {
        for days in [0, 3661] {
            XCTAssertThrowsError(try OverlapReport.Builder(days: days, endingOn: day, offsetSeconds: offset)) {
                XCTAssertEqual("\($0)", "--days 应为 1 到 3660 之间的天数")
            }
        }
        var builder = try OverlapReport.Builder(days: 30, endingOn: day, offsetSeconds: offset)
        XCTAssertEqual(builder.from, day.adding(days: -29))
        // 1: one manager, two types: one channel, not listed.
        builder.add(event(1, by: "M001", on: day, [Schema.F.channel: .text("call")]))
        builder.add(event(1, by: "M001", on: day, [Schema.F.channel: .text("visit")]))
        // 2: two principals, one type, three contacts, one outside the window.
        builder.add(event(2, by: "M001", on: day.adding(days: -29), [Schema.F.channel: .text("call")]))
        builder.add(event(2, by: "W001", on: day.adding(days: -3), [Schema.F.channel: .text("call")]))
        builder.add(event(2, by: "W001", on: day.adding(days: -2)))
        builder.add(event(2, by: "R001", on: day.adding(days: -30)))
        // 3: two principals, two types; 4: the same but archived; 5: the same but unknown to the master file.
        for customer: UInt8 in [3, 4, 5] {
            builder.add(event(customer, by: "M002", on: day, [Schema.F.channel: .text("call")]))
            builder.add(event(customer, by: "W001", on: day, [Schema.F.channel: .text("wechat")]))
        }
        XCTAssertEqual(Set(builder.overlapping), [id(2), id(3), id(4), id(5)])
        let report = builder.report(customers: [
            CentralCustomer(id: id(1), name: "甲", tier: nil, owner: "M001", cocoverers: [], archived: false),
            CentralCustomer(id: id(2), name: "乙", tier: "钻石", owner: "M001", cocoverers: ["W001"], archived: false),
            CentralCustomer(id: id(3), name: "丙", tier: nil, owner: "M002", cocoverers: [], archived: false),
            CentralCustomer(id: id(4), name: "丁", tier: nil, owner: "M002", cocoverers: [], archived: true),
        ])
        XCTAssertEqual(report.from, day.adding(days: -29))
        XCTAssertEqual(report.to, day)
        XCTAssertEqual(
            report.customers,
            [
                OverlapReport.Customer(
                    id: id(3), name: "丙", tier: nil, owner: "M002", contacts: 2, channels: ["call", "wechat"],
                    principals: ["M002", "W001"], first: day, last: day),
                OverlapReport.Customer(
                    id: id(2), name: "乙", tier: "钻石", owner: "M001", contacts: 3, channels: ["call"],
                    principals: ["M001", "W001"], first: day.adding(days: -29), last: day.adding(days: -2)),
            ])
    }

    func testCoverageListsOverdueVIPsUnderEveryCoverer() {
        var builder = CoverageReport.Builder(today: day, offsetSeconds: offset)
        let vips = [
            CoverageReport.VIP(id: id(1), name: "甲", tier: "钻石", familiarity: nil, coverers: ["M001", "W001"]),  // 30 days
            CoverageReport.VIP(id: id(2), name: "乙", tier: "钻石", familiarity: "C", coverers: ["M001"]),  // 15 days
            CoverageReport.VIP(id: id(3), name: "丙", tier: "私人银行", familiarity: nil, coverers: ["M002"]),  // never
            CoverageReport.VIP(id: id(4), name: "丁", tier: "私人银行", familiarity: nil, coverers: ["M002"]),
        ]
        for vip in vips { builder.add(vip) }
        builder.add(event(1, by: "R001", on: day.adding(days: -40)))
        builder.add(event(1, by: "R001", on: day.adding(days: -30)))  // due on day 30
        builder.add(event(1, by: "R001", on: day.adding(days: 1)))  // not yet happened
        builder.add(event(2, by: "M001", on: day.adding(days: -15)))
        builder.add(event(4, by: "M002", on: day.adding(days: -29)))  // within its cadence
        builder.add(event(9, by: "M001", on: day))  // not a VIP
        let report = builder.report(principals: [principal("M001", .manager), principal("M002", .manager)])
        let overdueOne = CoverageReport.Customer(
            id: id(1), name: "甲", tier: "钻石", familiarity: nil, cadence: 30, lastContact: day.adding(days: -30), daysSince: 30)
        XCTAssertEqual(report.today, day)
        XCTAssertEqual(
            report.principals,
            [
                CoverageReport.Principal(
                    code: "M001", name: "名M001", role: .manager, vips: 2,
                    overdue: [
                        overdueOne,
                        CoverageReport.Customer(
                            id: id(2), name: "乙", tier: "钻石", familiarity: "C", cadence: 15, lastContact: day.adding(days: -15),
                            daysSince: 15),
                    ]),
                CoverageReport.Principal(
                    code: "M002", name: "名M002", role: .manager, vips: 2,
                    overdue: [
                        CoverageReport.Customer(
                            id: id(3), name: "丙", tier: "私人银行", familiarity: nil, cadence: 30, lastContact: nil, daysSince: nil)
                    ]),
                CoverageReport.Principal(code: "W001", name: nil, role: nil, vips: 1, overdue: [overdueOne]),
            ])
    }
}
