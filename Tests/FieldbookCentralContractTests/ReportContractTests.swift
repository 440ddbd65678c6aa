import FieldbookCentral
import FieldbookModel
import XCTest

/// The centre's three reports on the known book of ``ContractBook``, from both stores: the figures computed by hand
/// (as `ReportTests` checks them on SQLite alone), so both stores give the same ones.
final class ReportContractTests: XCTestCase {
    let november = Day(year: 2026, month: 11, day: 1)!

    func testSalesCountCoCoveredSalesForEveryCovererAndTheTotalOnce() async throws {
        try await ContractStores.forEach { store, name in
            let book = try await ContractBook.make(store, name: name)
            let report = try await store.salesReport(from: november, to: ContractBook.today)
            func row(_ code: String) -> SalesReport.Row? { report.rows.first { $0.code == code } }
            XCTAssertEqual(row("M001"), SalesReport.Row(
                code: "M001", name: "张经理", role: .manager, sales: 2, amount: 120_000_000, sharedSales: 1,
                sharedAmount: 100_000_000), name)
            XCTAssertEqual(row("M002"), SalesReport.Row(
                code: "M002", name: "李经理", role: .manager, sales: 2, amount: 205_000_000, sharedSales: 1,
                sharedAmount: 200_000_000), name)
            XCTAssertEqual(row("A001"), SalesReport.Row(
                code: "A001", name: "王投顾", role: .advisor, sales: 2, amount: 300_000_000, sharedSales: 2,
                sharedAmount: 300_000_000), name)
            XCTAssertEqual(row("R001")?.sales, 0, name)
            XCTAssertNil(row("X001"), name)
            XCTAssertEqual(report.total, SalesReport.Total(sales: 4, amount: 325_000_000, sharedSales: 2), name)
            XCTAssertEqual(report.rows.map(\.code), ["A001", "M002", "M001", "R001"], name)

            // Coverage as it stands when the report is made: once A001 stops co-covering 王芳, that sale is M001's.
            _ = try await store.uncover(book.ids["王芳"]!.text, with: "A001", by: ContractBook.admin)
            let after = try await store.salesReport(from: november, to: ContractBook.today)
            XCTAssertEqual(after.rows.first { $0.code == "A001" }?.amount, 200_000_000, name)
            XCTAssertEqual(after.rows.first { $0.code == "M001" }?.sharedSales, 0, name)
            XCTAssertEqual(after.total, SalesReport.Total(sales: 4, amount: 325_000_000, sharedSales: 1), name)

            let day = try await store.salesReport(from: ContractBook.today, to: ContractBook.today)
            XCTAssertEqual(day.total, SalesReport.Total(sales: 1, amount: 200_000_000, sharedSales: 1), name)
            do {
                _ = try await store.salesReport(from: ContractBook.today, to: november)
                XCTFail("a period ending before it starts: \(name)")
            } catch let error as CentralError {
                XCTAssertEqual(error.message, "报表开始日期 2026-11-23 晚于结束日期 2026-11-01", name)
            }
        }
    }

    func testOverlapListsCustomersReachedByTwoPrincipals() async throws {
        try await ContractStores.forEach { store, name in
            _ = try await ContractBook.make(store, name: name)
            let report = try await store.overlapReport(days: 30, today: ContractBook.today)
            XCTAssertEqual(report.from, Day(year: 2026, month: 10, day: 25)!, name)
            XCTAssertEqual(report.customers.map(\.name), ["王芳", "孙强"], name)
            let wang = try XCTUnwrap(report.customers.first)
            XCTAssertEqual(wang.channels, ["call", "visit"], name)
            XCTAssertEqual(wang.principals, ["A001", "M001"], name)
            XCTAssertEqual(wang.owner, "M001", name)
            XCTAssertEqual(wang.contacts, 2, name)
            XCTAssertEqual(wang.first, Day(year: 2026, month: 11, day: 20)!, name)
            XCTAssertEqual(wang.last, Day(year: 2026, month: 11, day: 21)!, name)
            XCTAssertEqual(report.customers.dropFirst().first?.principals, ["M002", "R001"], name)

            let wider = try await store.overlapReport(days: 60, today: ContractBook.today)
            XCTAssertEqual(Set(wider.customers.prefix(2).map(\.name)), ["王芳", "赵敏"], name)
            XCTAssertEqual(wider.customers.map(\.name).last, "孙强", name)
            do {
                _ = try await store.overlapReport(days: 0, today: nil)
                XCTFail("a window of no days: \(name)")
            } catch let error as CentralError {
                XCTAssertEqual(error.message, "--days 应为 1 到 3660 之间的天数", name)
            }
        }
    }

    func testCoverageListsDueVIPsUnderEveryCoverer() async throws {
        try await ContractStores.forEach { store, name in
            _ = try await ContractBook.make(store, name: name)
            let report = try await store.coverageReport(today: ContractBook.today)
            XCTAssertEqual(report.principals.map(\.code), ["A001", "M001", "M002"], name)
            let byCode = Dictionary(uniqueKeysWithValues: report.principals.map { ($0.code, $0) })
            XCTAssertEqual(byCode["M001"]?.vips, 3, name)
            XCTAssertEqual(byCode["M001"]?.overdue.map(\.name), ["周杰", "钱多"], name)
            XCTAssertNil(byCode["M001"]?.overdue.first?.lastContact, name)
            XCTAssertEqual(byCode["M001"]?.name, "张经理", name)
            let zhao = try XCTUnwrap(byCode["M002"]?.overdue.first)
            XCTAssertEqual(zhao.name, "赵敏", name)
            XCTAssertEqual(zhao.cadence, 15, name)
            XCTAssertEqual(zhao.daysSince, 21, name)
            XCTAssertEqual(byCode["M002"]?.vips, 1, name)
            XCTAssertEqual(byCode["A001"]?.vips, 2, name)
            XCTAssertEqual(byCode["A001"]?.overdue.map(\.name), ["赵敏"], name)
            let yesterday = try await store.coverageReport(today: ContractBook.today.adding(days: -1))
            XCTAssertEqual(yesterday.principals.first { $0.code == "M001" }?.overdue.map(\.name), ["周杰"], name)
        }
    }

    /// Both stores give equal reports, value for value, on the same book.
    func testBothStoresGiveTheSameReports() async throws {
        var reports: [(SalesReport, OverlapReport, CoverageReport)] = []
        var stores: [String] = []
        try await ContractStores.forEach { store, name in
            _ = try await ContractBook.make(store, name: name)
            reports.append((
                try await store.salesReport(from: november, to: ContractBook.today),
                try await store.overlapReport(days: 30, today: ContractBook.today),
                try await store.coverageReport(today: ContractBook.today)
            ))
            stores.append(name)
        }
        guard reports.count == 2 else { throw XCTSkip("only \(stores) ran") }
        // Customer IDs differ between the two runs (fresh random devices); compare by name.
        XCTAssertEqual(reports[0].0, reports[1].0)
        XCTAssertEqual(reports[0].1.customers.map(\.name), reports[1].1.customers.map(\.name))
        XCTAssertEqual(reports[0].1.customers.map(\.contacts), reports[1].1.customers.map(\.contacts))
        XCTAssertEqual(reports[0].2.principals.map(\.code), reports[1].2.principals.map(\.code))
        XCTAssertEqual(reports[0].2.principals.map { $0.overdue.map(\.name) }, reports[1].2.principals.map { $0.overdue.map(\.name) })
        XCTAssertEqual(reports[0].2.principals.map(\.vips), reports[1].2.principals.map(\.vips))
    }
}
