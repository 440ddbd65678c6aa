import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore
import Testing

/// The centre's reports on a small fixture whose figures are computed by hand in the comments.
///
/// Today is 2026-11-23 (UTC+8). Managers M001 and M002, advisor A001 (co-covers 王芳 and 赵敏), remote manager R001.
///
/// | customer | owner | tier | co-cover | purchases (date, amount) | contacts (date, channel, by) |
/// |---|---|---|---|---|---|
/// | 王芳 | M001 | 钻石 B | A001 | 11-05 100万; 10-20 50万 | 11-20 call M001; 11-21 visit A001 |
/// | 李明 | M001 | 金葵花 | | 11-10 20万; 11-11 30万 archived | 11-01 call M001; 11-15 call M001 |
/// | 周杰 | M001 | 钻石 | | | (never) |
/// | 钱多 | M001 | 钻石 A | | | 10-24 call M001 (exactly 30 days) |
/// | 赵敏 | M002 | 私人银行 C | A001 | 11-23 200万; 12-01 1万 | 10-10 call M002; 11-02 visit A001 |
/// | 孙强 | M002 | 普通 | | 11-01 5万 | 11-22 call M002; 11-22 call R001 |
@Suite("The centre's reports")
struct ReportTests {
    static let today = Day(year: 2026, month: 11, day: 23)!
    /// 2026-11-23 10:00 in UTC+8.
    static let now = UInt64(today.number) * 86_400_000 + 2 * 3_600_000

    struct Fixture {
        var central: CentralDatabase
        var ids: [String: EntityID] = [:]
    }

    static func day(_ month: Int, _ day: Int) -> Value { .date(Day(year: 2026, month: month, day: day)!) }

    static func fixture() throws -> Fixture {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: now, seed: 70))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        try central.addPrincipal("M002", name: "李经理", role: .manager)
        try central.addPrincipal("A001", name: "王投顾", role: .advisor)
        try central.addPrincipal("R001", name: "赵远维", role: .remote)
        try central.addPrincipal("X001", name: "管理员", role: .admin)
        var fixture = Fixture(central: central)
        var seed: UInt64 = 1
        // Each principal writes on its own device book; the centre receives the ops as a sync would deliver them.
        func on(_ code: String, _ body: (BookTransaction) throws -> Void) throws {
            seed += 1
            let device = try Book.inMemory(principal: code, options: .fixed(milliseconds: now - 90 * 86_400_000, seed: seed))
            let ops = try device.write { tx in
                try body(tx)
                return tx.appended
            }
            _ = try central.book.applyRemote(ops)
        }
        let tier = try Schema.field(named: "tier", for: .customer).id
        let familiarity = try Schema.field(named: "familiarity", for: .customer).id
        let amount = try Schema.field(named: "amount", for: .purchase).id
        let product = try Schema.field(named: "product", for: .purchase).id
        func customer(_ owner: String, _ name: String, _ tierName: String, _ familiarityName: String? = nil) throws {
            try on(owner) { tx in
                var fields = [FieldAssignment(Schema.F.name, .text(name)), FieldAssignment(tier, .text(tierName))]
                if let familiarityName { fields.append(FieldAssignment(familiarity, .text(familiarityName))) }
                fixture.ids[name] = try tx.create(.customer, scope: nil, fields: fields)
            }
        }
        func purchase(_ by: String, _ name: String, _ date: Value, _ yuan: Int64, archived: Bool = false) throws {
            try on(by) { tx in
                let id = try tx.create(
                    .purchase, scope: .customer(fixture.ids[name]!),
                    fields: [
                        FieldAssignment(product, .text("P001")), FieldAssignment(amount, .money(yuan * 100)),
                        FieldAssignment(Schema.F.date, date),
                    ])
                if archived { try tx.set(id, Schema.F.archived, .bool(true)) }
            }
        }
        func contact(_ by: String, _ name: String, _ date: Value, _ channel: String) throws {
            try on(by) { tx in
                try tx.create(
                    .contact, scope: .customer(fixture.ids[name]!),
                    fields: [
                        FieldAssignment(Schema.F.channel, .text(channel)), FieldAssignment(Schema.F.date, date),
                        FieldAssignment(Schema.F.text, .text("回访")),
                    ])
            }
        }
        try customer("M001", "王芳", "钻石", "B")
        try customer("M001", "李明", "金葵花")
        try customer("M001", "周杰", "钻石")
        try customer("M001", "钱多", "钻石", "A")
        try customer("M002", "赵敏", "私人银行", "C")
        try customer("M002", "孙强", "普通")
        try central.cocover("王芳", with: "A001")
        try central.cocover("赵敏", with: "A001")

        try purchase("M001", "王芳", day(11, 5), 1_000_000)
        try purchase("M001", "王芳", day(10, 20), 500_000)
        try purchase("M001", "李明", day(11, 10), 200_000)
        try purchase("M001", "李明", day(11, 11), 300_000, archived: true)
        try purchase("A001", "赵敏", day(11, 23), 2_000_000)
        try purchase("M002", "赵敏", day(12, 1), 10_000)
        try purchase("M002", "孙强", day(11, 1), 50_000)

        try contact("M001", "王芳", day(11, 20), "call")
        try contact("A001", "王芳", day(11, 21), "visit")
        try contact("M001", "李明", day(11, 1), "call")
        try contact("M001", "李明", day(11, 15), "call")
        try contact("M001", "钱多", day(10, 24), "call")
        try contact("M002", "赵敏", day(10, 10), "call")
        try contact("A001", "赵敏", day(11, 2), "visit")
        try contact("M002", "孙强", day(11, 22), "call")
        try contact("R001", "孙强", day(11, 22), "call")
        #expect(try central.book.verifyProjections().isEmpty)
        return fixture
    }

    @Test("sales: a co-covered VIP's sale counts in full for the manager and the advisor; the total counts it once")
    func sales() throws {
        let fixture = try Self.fixture()
        let report = try fixture.central.salesReport(from: Day(year: 2026, month: 11, day: 1)!, to: Self.today)
        func row(_ code: String) -> SalesReport.Row? { report.rows.first { $0.code == code } }
        // M001: 王芳 100万 (11-05, shared) + 李明 20万; the 10-20 sale is before the period, the 30万 one archived.
        #expect(row("M001") == SalesReport.Row(
            code: "M001", name: "张经理", role: .manager, sales: 2, amount: 120_000_000, sharedSales: 1,
            sharedAmount: 100_000_000))
        // M002: 赵敏 200万 (11-23, shared, recorded by the advisor) + 孙强 5万 on the first day; 12-01 is after.
        #expect(row("M002") == SalesReport.Row(
            code: "M002", name: "李经理", role: .manager, sales: 2, amount: 205_000_000, sharedSales: 1,
            sharedAmount: 200_000_000))
        // A001 co-covers both VIPs: 100万 + 200万, both shared.
        #expect(row("A001") == SalesReport.Row(
            code: "A001", name: "王投顾", role: .advisor, sales: 2, amount: 300_000_000, sharedSales: 2,
            sharedAmount: 300_000_000))
        #expect(row("R001")?.sales == 0)
        #expect(row("X001") == nil, "administrators sell nothing and are left out")
        // Each sale once: 100万 + 20万 + 200万 + 5万 = 325万, while the rows add up to 625万.
        #expect(report.total == SalesReport.Total(sales: 4, amount: 325_000_000, sharedSales: 2))
        #expect(report.rows.map(\.amount).reduce(0, +) == 625_000_000)
        #expect(report.rows.map(\.code) == ["A001", "M002", "M001", "R001"], "largest amount first")

        // Coverage as it stands when the report is made: once A001 stops co-covering 王芳, that sale is M001's alone.
        try fixture.central.uncover("王芳", with: "A001")
        let after = try fixture.central.salesReport(from: Day(year: 2026, month: 11, day: 1)!, to: Self.today)
        #expect(after.rows.first { $0.code == "A001" }?.amount == 200_000_000)
        #expect(after.rows.first { $0.code == "M001" }?.sharedSales == 0)
        #expect(after.total == SalesReport.Total(sales: 4, amount: 325_000_000, sharedSales: 1))
    }

    @Test("sales: a one-day period, and a period that ends before it starts is refused")
    func salesPeriod() throws {
        let fixture = try Self.fixture()
        let day = try fixture.central.salesReport(from: Self.today, to: Self.today)
        #expect(day.total == SalesReport.Total(sales: 1, amount: 200_000_000, sharedSales: 1))
        #expect(throws: CentralError.self) {
            try fixture.central.salesReport(from: Self.today, to: Day(year: 2026, month: 11, day: 1)!)
        }
        #expect(CentralDatabase.monthToDate(Self.today).from == Day(year: 2026, month: 11, day: 1)!)
    }

    @Test("overlap: customers reached through two channels or by two principals within the window")
    func overlap() throws {
        let fixture = try Self.fixture()
        let report = try fixture.central.overlapReport(days: 30, today: Self.today)
        #expect(report.from == Day(year: 2026, month: 10, day: 25)!)
        // 王芳: call by M001 and visit by A001. 孙强: two calls the same day by M002 and R001. 李明: one channel,
        // one principal. 赵敏: only the 11-02 visit is inside the window.
        #expect(report.customers.map(\.name) == ["王芳", "孙强"])
        let wang = try #require(report.customers.first)
        #expect(wang.channels == ["call", "visit"])
        #expect(wang.principals == ["A001", "M001"])
        #expect(wang.owner == "M001")
        #expect(wang.contacts == 2)
        #expect(wang.first == Day(year: 2026, month: 11, day: 20)! && wang.last == Day(year: 2026, month: 11, day: 21)!)
        #expect(report.customers[1].channels == ["call"] && report.customers[1].principals == ["M002", "R001"])

        // Sixty days reach back to 赵敏's 10-10 call.
        let wider = try fixture.central.overlapReport(days: 60, today: Self.today)
        // 王芳 and 赵敏 tie (two principals, two channels, two contacts) and are then ordered by ID.
        #expect(Set(wider.customers.prefix(2).map(\.name)) == ["王芳", "赵敏"])
        #expect(wider.customers.map(\.name).last == "孙强")
        #expect(throws: CentralError.self) { try fixture.central.overlapReport(days: 0) }
    }

    @Test("coverage: VIPs due under every coverer; the day the cadence is reached is due, as on the agenda")
    func coverage() throws {
        let fixture = try Self.fixture()
        let report = try fixture.central.coverageReport(today: Self.today)
        #expect(report.principals.map(\.code) == ["A001", "M001", "M002"])
        let byCode = Dictionary(uniqueKeysWithValues: report.principals.map { ($0.code, $0) })
        // M001 covers 王芳 (2 days ago), 周杰 (never) and 钱多 (30 days ago, cadence 30: due today, as the agenda says).
        #expect(byCode["M001"]?.vips == 3)
        #expect(byCode["M001"]?.overdue.map(\.name) == ["周杰", "钱多"])
        #expect(byCode["M001"]?.overdue.first?.lastContact == nil)
        // 赵敏 is 私人银行 with familiarity C: cadence 15 days, last contact 11-02, 21 days ago.
        let zhao = try #require(byCode["M002"]?.overdue.first)
        #expect(zhao.name == "赵敏" && zhao.cadence == 15 && zhao.daysSince == 21)
        #expect(byCode["M002"]?.vips == 1)
        // The advisor sees the same VIP: a contact by anyone counts, the silence is shared.
        #expect(byCode["A001"]?.vips == 2)
        #expect(byCode["A001"]?.overdue.map(\.name) == ["赵敏"])
        // A day earlier 钱多 was 29 days out: on time.
        let yesterday = try fixture.central.coverageReport(today: Self.today.adding(days: -1))
        #expect(yesterday.principals.first { $0.code == "M001" }?.overdue.map(\.name) == ["周杰"])
    }

    @Test("cadence per tier, tightened one step for familiarity C", arguments: [
        ("普通", "A", 90), ("普通", "C", 60), ("金葵花", "B", 60), ("金葵花", "C", 30), ("钻石", "A", 30),
        ("钻石", "C", 15), ("私人银行", "B", 30), ("私人银行", "C", 15), ("", "", 90),
    ])
    func cadence(tier: String, familiarity: String, days: Int) {
        #expect(AgendaSettings().cadence(tier: tier.isEmpty ? nil : tier, familiarity: familiarity.isEmpty ? nil : familiarity) == days)
    }
}
