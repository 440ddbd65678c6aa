import FieldbookModel
import Testing

/// Reading `find`'s filters and order (issue 18): every field sort, Chinese names, and one-line errors that say what
/// is allowed.
@Suite("Segment filters")
struct SegmentParsingTests {
    static let today = Day(year: 2026, month: 11, day: 23)!

    static func parse(_ text: String) throws -> CustomerFilter { try CustomerFilter.parse(text, today: today) }

    @Test func money() throws {
        #expect(try Self.parse("aum>1000万") == CustomerFilter(.aum, .greater, .number(1_000_000_000)))
        #expect(try Self.parse("资产>=1.2亿") == CustomerFilter(.aum, .greaterOrEqual, .number(12_000_000_000)))
        #expect(try Self.parse("income<50w") == CustomerFilter(.income, .less, .number(50_000_000)))
        #expect(try Self.parse("holdings<=500,000") == CustomerFilter(.holdings, .lessOrEqual, .number(50_000_000)))
        #expect(try Self.parse("aum！=0") == CustomerFilter(.aum, .notEqual, .number(0)))  // full-width !
    }

    @Test func orderedChoices() throws {
        #expect(try Self.parse("tier>=钻石") == CustomerFilter(.tier, .greaterOrEqual, .rank(2)))
        #expect(try Self.parse("tier>=diamond") == CustomerFilter(.tier, .greaterOrEqual, .rank(2)))
        #expect(try Self.parse("risk<=C3") == CustomerFilter(.risk, .lessOrEqual, .rank(2)))
        #expect(try Self.parse("risk<=c3") == CustomerFilter(.risk, .lessOrEqual, .rank(2)))
        #expect(try Self.parse("stage>习惯") == CustomerFilter(.stage, .greater, .rank(2)))
        #expect(try Self.parse("familiarity=A") == CustomerFilter(.familiarity, .equal, .rank(0)))
        #expect(try Self.parse("层级=私人银行") == CustomerFilter(.tier, .equal, .rank(3)))
    }

    @Test func datesAndMonths() throws {
        #expect(try Self.parse("birthday=12月") == CustomerFilter(.birthday, .equal, .month(12)))
        #expect(try Self.parse("生日=3月份") == CustomerFilter(.birthday, .equal, .month(3)))
        #expect(try Self.parse("birthday=12-15") == CustomerFilter(.birthday, .equal, .monthDay(month: 12, day: 15)))
        #expect(try Self.parse("birthday!=2月29日") == CustomerFilter(.birthday, .notEqual, .monthDay(month: 2, day: 29)))
        #expect(
            try Self.parse("birthday<1960-01-01") == CustomerFilter(.birthday, .less, .day(Day(year: 1960, month: 1, day: 1)!)))
        #expect(try Self.parse("risk_date<today") == CustomerFilter(.riskDate, .less, .day(Self.today)))
        #expect(throws: ModelError.self) { try Self.parse("birthday>12月") }
        #expect(throws: ModelError.self) { try Self.parse("birthday=13月") }
        #expect(throws: ModelError.self) { try Self.parse("birthday=2-30") }
    }

    @Test func derived() throws {
        #expect(try Self.parse("last_contact>30d") == CustomerFilter(.lastContact, .greater, .number(30)))
        #expect(try Self.parse("上次联系>=30天") == CustomerFilter(.lastContact, .greaterOrEqual, .number(30)))
        #expect(try Self.parse("matures<30d") == CustomerFilter(.matures, .less, .number(30)))
        #expect(try Self.parse("age>=60") == CustomerFilter(.age, .greaterOrEqual, .number(60)))
        #expect(try Self.parse("年龄<40岁") == CustomerFilter(.age, .less, .number(40)))
        #expect(throws: ModelError.self) { try Self.parse("last_contact>三十天") }
    }

    @Test func equality() throws {
        #expect(try Self.parse("group=退休") == CustomerFilter(.group, .equal, .text("退休")))
        #expect(try Self.parse("group=retiree") == CustomerFilter(.group, .equal, .text("退休")))
        #expect(try Self.parse("gender!=女") == CustomerFilter(.gender, .notEqual, .text("女")))
        #expect(try Self.parse("region=浦东") == CustomerFilter(.region, .equal, .text("浦东")))
        #expect(try Self.parse("tag=年末沙龙") == CustomerFilter(.tag, .equal, .text("年末沙龙")))
        #expect(try Self.parse("tags!=VIP") == CustomerFilter(.tag, .notEqual, .text("VIP")))
    }

    @Test("errors say what is allowed, in one line")
    func errors() {
        func message(_ text: String) -> String {
            do {
                _ = try Self.parse(text)
                return ""
            } catch let error as ModelError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
        let unknown = message("wealth>5")
        #expect(unknown.contains("wealth") && unknown.contains("aum=") && unknown.contains("last_contact="), "\(unknown)")
        let unordered = message("group>退休")
        #expect(unordered.contains("只能用 = 或 !=") && unordered.contains("aum>") && !unordered.contains("region"), "\(unordered)")
        let typo = message("aun>5")
        #expect(typo.contains("\"aum\""), "\(typo)")
        #expect(message("tier>=黄金").contains("普通 金葵花 钻石 私人银行"))
        #expect(!message("aum>").isEmpty && !message(">5").isEmpty && !message("aum>很多").isEmpty)
        for text in ["wealth>5", "group>退休", "tier>=黄金", "aum>很多"] { #expect(!message(text).contains("\n")) }
    }

    @Test func looksLikeFilter() {
        for text in ["aum>1000万", "tier>=钻石", "生日=12月", "tag=沙龙", "last_contact>30d", "x!=1"] {
            #expect(CustomerFilter.looksLikeFilter(text), "\(text)")
        }
        for text in ["王芳", "wf", "138", "3>2", ">5", "a-b>1"] { #expect(!CustomerFilter.looksLikeFilter(text), "\(text)") }
    }

    @Test func sorts() throws {
        #expect(try CustomerSort.parse("aum") == CustomerSort(.aum))
        #expect(try CustomerSort.parse("-aum") == CustomerSort(.aum, descending: true))
        #expect(try CustomerSort.parse("-上次联系") == CustomerSort(.lastContact, descending: true))
        #expect(try CustomerSort.parse("+age") == CustomerSort(.age))
        #expect(throws: ModelError.self) { try CustomerSort.parse("-group") }
        #expect(throws: ModelError.self) { try CustomerSort.parse("-nothing") }
        #expect(throws: ModelError.self) { try CustomerSort.parse("-") }
    }

    @Test func shownFields() throws {
        let query = CustomerQuery(
            filters: [try Self.parse("tier>=钻石"), try Self.parse("group=退休"), try Self.parse("last_contact>30d")],
            sort: try CustomerSort.parse("-aum"))
        #expect(query.shownFields == [.lastContact, .aum])
        #expect(try Self.parse("birthday=12月").description == "birthday=12月")
        #expect(try Self.parse("aum>1000万").description.hasPrefix("aum>"))
    }
}
