import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// `fieldbook admin report …` through the real executable, on a central database filled the way sync fills it:
/// ops made on the principals' own books, received by the centre.
@Suite("admin report end to end", .serialized)
struct AdminReportTests {
    let home = TemporaryDirectory()
    /// 2026-11-23 10:00 in Asia/Shanghai.
    static let now = "2026-11-23T02:00:00Z"

    func admin(_ arguments: String...) throws -> Executable.Result {
        try Executable.run(["admin"] + arguments, environment: ["FIELDBOOK_HOME": home.path, "FIELDBOOK_NOW": Self.now])
    }

    /// M001 owns 王芳 (钻石, co-covered by A001) and 李明; A001 sells 王芳 100万 on 11-05, M001 sells 李明 20万 on
    /// 11-10 and calls 王芳 on 11-20; A001 visits 王芳 on 11-21.
    func fill() throws {
        let central = try CentralDatabase.open(at: home.file("central.sqlite"))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        try central.addPrincipal("A001", name: "王投顾", role: .advisor)
        let start = UInt64(Day(year: 2026, month: 10, day: 1)!.number) * 86_400_000
        let m001 = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: start, seed: 1))
        let a001 = try Book.inMemory(principal: "A001", options: .fixed(milliseconds: start + 10_000, seed: 2))
        let amount = try Schema.field(named: "amount", for: .purchase).id
        let tier = try Schema.field(named: "tier", for: .customer).id
        func day(_ d: Int) -> Value { .date(Day(year: 2026, month: 11, day: d)!) }
        var wang: EntityID?
        let owned = try m001.write { tx in
            wang = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("王芳")), FieldAssignment(tier, .text("钻石"))])
            let li = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("李明"))])
            try tx.create(.purchase, scope: .customer(li), fields: [FieldAssignment(amount, .money(20_000_000)), FieldAssignment(Schema.F.date, day(10))])
            try tx.create(
                .contact, scope: .customer(wang!),
                fields: [FieldAssignment(Schema.F.channel, .text("call")), FieldAssignment(Schema.F.date, day(20))])
            return tx.appended
        }
        _ = try central.book.applyRemote(owned)
        try central.cocover("王芳", with: "A001")
        let advised = try a001.write { tx in
            try tx.create(.purchase, scope: .customer(wang!), fields: [FieldAssignment(amount, .money(100_000_000)), FieldAssignment(Schema.F.date, day(5))])
            try tx.create(
                .contact, scope: .customer(wang!),
                fields: [FieldAssignment(Schema.F.channel, .text("visit")), FieldAssignment(Schema.F.date, day(21))])
            return tx.appended
        }
        _ = try central.book.applyRemote(advised)
    }

    @Test("sales: the co-covered sale is in both rows and once in the total, in text and JSON")
    func sales() throws {
        try fill()
        let text = try admin("report", "sales", "--from", "2026-11-01", "--to", "2026-11-30")
        #expect(text.code == 0, "\(text.error)")
        let lines = text.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "销售业绩 2026-11-01 至 2026-11-30：协同客户的销售在管户经理和每位协同顾问名下各计全额")
        #expect(lines.contains { $0.hasPrefix("M001") && $0.contains("张经理") && $0.contains("120万") && $0.contains("100万") })
        #expect(lines.contains { $0.hasPrefix("A001") && $0.contains("王投顾") && $0.contains("100万") })
        #expect(lines.last == "合计（每笔只计一次）：2 笔，120万，其中协同 1 笔")

        let json = try admin("report", "sales", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let rows = try #require(object["principals"] as? [[String: Any]])
        #expect(rows.map { $0["code"] as? String } == ["M001", "A001"])
        #expect(rows.map { $0["amount_fen"] as? Int } == [120_000_000, 100_000_000])
        #expect(rows.map { $0["shared_sales"] as? Int } == [1, 1])
        let total = try #require(object["total"] as? [String: Any])
        #expect(total["amount_fen"] as? Int == 120_000_000 && total["sales"] as? Int == 2)

        // The default period is this month to date (FIELDBOOK_NOW is 2026-11-23).
        #expect(try admin("report", "sales").output.hasPrefix("销售业绩 2026-11-01 至 2026-11-23"))
        let backwards = try admin("report", "sales", "--from", "2026-11-30", "--to", "2026-11-01")
        #expect(backwards.code == 1)
        #expect(backwards.error == "报表开始日期 2026-11-30 晚于结束日期 2026-11-01\n")
        let bad = try admin("report", "sales", "--from", "2026-02-30")
        #expect(bad.code == 1 && bad.error.hasPrefix("--from：日期 2026-02-30 不存在"))
    }

    @Test("overlap counts channels by principal: one manager who called and then visited is one channel")
    func overlapByPrincipal() throws {
        try fill()
        let central = try CentralDatabase.open(at: home.file("central.sqlite"))
        let start = UInt64(Day(year: 2026, month: 11, day: 1)!.number) * 86_400_000
        let m001 = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: start, seed: 3))
        let made = try m001.write { tx in
            let zhou = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("周强"))])
            for (channel, day) in [("call", 20), ("visit", 21), ("home", 22)] {
                try tx.create(
                    .contact, scope: .customer(zhou),
                    fields: [
                        FieldAssignment(Schema.F.channel, .text(channel)),
                        FieldAssignment(Schema.F.date, .date(Day(year: 2026, month: 11, day: day)!)),
                    ])
            }
            return tx.appended
        }
        _ = try central.book.applyRemote(made)
        let overlap = try admin("report", "overlap", "--days", "7", "--json")
        #expect(overlap.code == 0, "\(overlap.error)")
        // 周强: three contact types, one manager: not listed. 王芳: M001 and A001: listed.
        #expect(!overlap.output.contains("周强") && overlap.output.contains("王芳"), "\(overlap.output)")
    }

    @Test("overlap and coverage through the executable")
    func overlapAndCoverage() throws {
        try fill()
        let overlap = try admin("report", "overlap", "--days", "7")
        #expect(overlap.code == 0, "\(overlap.error)")
        #expect(overlap.output.hasPrefix("2026-11-17 至 2026-11-23（7 天）被多位员工联系的客户：1 位\n"))
        #expect(overlap.output.contains("王芳") && overlap.output.contains("电话、到店") && overlap.output.contains("A001、M001"))
        let quiet = try admin("report", "overlap", "--days", "2")
        #expect(quiet.output == "2026-11-22 至 2026-11-23（2 天）没有被多位员工联系的客户\n")
        #expect(try admin("report", "overlap", "--days", "0").code != 0)

        let coverage = try admin("report", "coverage", "--json")
        #expect(coverage.code == 0, "\(coverage.error)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(coverage.output.utf8)) as? [String: Any])
        let principals = try #require(object["principals"] as? [[String: Any]])
        // 王芳 was visited two days ago: both coverers are on time.
        #expect(principals.map { $0["code"] as? String } == ["A001", "M001"])
        #expect(principals.allSatisfy { ($0["overdue"] as? [Any])?.isEmpty == true && $0["vips"] as? Int == 1 })
        let text = try admin("report", "coverage")
        #expect(text.output.contains("M001 张经理（客户经理）：VIP 1 位，全部按期联系"))
    }

    @Test("a report never creates a central database")
    func missing() throws {
        let result = try admin("report", "sales")
        #expect(result.code == 1)
        #expect(result.error.hasPrefix("没有找到中心数据库"))
        #expect(!FileManager.default.fileExists(atPath: home.file("central.sqlite")))
    }
}
