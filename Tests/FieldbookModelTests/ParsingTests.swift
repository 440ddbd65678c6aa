import FieldbookModel
import Testing

@Suite("Money, percent and date parsing")
struct ParsingTests {
    static let today = Day(year: 2026, month: 11, day: 23)!

    @Test(arguments: [
        ("500000", 50_000_000), ("500,000", 50_000_000), ("300,000", 30_000_000), ("50万", 50_000_000),
        ("50w", 50_000_000), ("50W", 50_000_000), ("1.2亿", 12_000_000_000), ("3千", 300_000), ("1234.56", 123_456),
        ("0.5万", 500_000), ("¥800", 80_000), ("800元", 80_000), ("1.2345万", 1_234_500),
    ] as [(String, Int64)])
    func moneyParses(text: String, fen: Int64) throws {
        #expect(try Money.parse(text) == fen)
    }

    @Test(arguments: ["12万万", "1.234", "30,00", "abc", "", "万", "1..2", "-5万", "1,2345", "99999999999999999亿"])
    func moneyRejects(text: String) {
        #expect(throws: ModelError.self) { try Money.parse(text) }
    }

    @Test func signedMoneyForMovements() throws {
        #expect(try Money.parse("-5万", allowNegative: true) == -5_000_000)
        #expect(try Money.parse("+20万", allowNegative: true) == 20_000_000)
    }

    @Test(arguments: [
        (50_000_000, "50万"), (12_000_000_000, "1.2亿"), (123_456, "1,234.56"), (-5_000_000, "-5万"),
        (1_234_500, "12,345"), (1_230_000, "1.23万"), (99_900, "999"), (100_000_000_000, "10亿"),
    ] as [(Int64, String)])
    func moneyFormats(fen: Int64, text: String) {
        #expect(Money.format(fen) == text)
    }

    @Test func percents() throws {
        #expect(try Percent.parse("8%") == 800)
        #expect(try Percent.parse("-5%") == -500)
        #expect(try Percent.parse("3.25%") == 325)
        #expect(Percent.format(-550) == "-5.5%")
        #expect(throws: ModelError.self) { try Percent.parse("8.123%") }
        #expect(throws: ModelError.self) { try Percent.parse("八%") }
    }

    @Test(arguments: [
        ("2026-11-23", "2026-11-23"), ("2026/1/5", "2026-01-05"), ("11-23", "2026-11-23"), ("2-1", "2026-02-01"),
        ("today", "2026-11-23"), ("tomorrow", "2026-11-24"), ("明天", "2026-11-24"), ("+7d", "2026-11-30"),
        ("-3d", "2026-11-20"), ("+2w", "2026-12-07"), ("2024-02-29", "2024-02-29"), ("2000-02-29", "2000-02-29"),
    ])
    func datesParse(text: String, iso: String) throws {
        #expect(try Day.parse(text, today: Self.today).iso == iso)
    }

    @Test(arguments: ["2026-02-30", "2025-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "11-31", "+7x", "yesterdayish", "2026-1"])
    func datesReject(text: String) {
        #expect(throws: ModelError.self) { try Day.parse(text, today: Self.today) }
    }

    @Test func dayArithmetic() {
        let day = Self.today
        #expect(day.weekday == 1)
        #expect(day.short == "11-23 周一")
        #expect(Day(number: 0).iso == "1970-01-01")
        #expect(Day(year: 1969, month: 12, day: 31)!.number == -1)
        for number in stride(from: -719_000, through: 2_900_000, by: 997) {
            let d = Day(number: Int32(number))
            let (y, m, dd) = d.civil
            #expect(Day(year: y, month: m, day: dd) == d)
        }
        // Midnight in Shanghai is 16:00 UTC the day before.
        let ms: UInt64 = 1_795_363_200_000  // 2026-11-22T16:00:00Z
        #expect(Day(milliseconds: ms, offsetSeconds: 8 * 3600).iso == "2026-11-23")
        #expect(Day(milliseconds: ms, offsetSeconds: 0).iso == "2026-11-22")
    }

    @Test func idNumbers() {
        #expect(IDNumber.isValid("11010519491231002X"))
        #expect(IDNumber.isValid("440524188001010014"))
        #expect(!IDNumber.isValid("110105194912310021"))  // wrong check digit
        #expect(!IDNumber.isValid("11010519491331002X"))  // month 13
        #expect(!IDNumber.isValid("1101051949123100"))
    }

    @Test func fieldParsing() throws {
        let tier = try Schema.field(named: "tier", for: .customer)
        #expect(try tier.parse("diamond", today: Self.today) == .text("钻石"))
        #expect(try tier.parse("钻石", today: Self.today) == .text("钻石"))
        #expect(throws: ModelError.self) { try tier.parse("铂金", today: Self.today) }
        let phone = try Schema.field(named: "phone", for: .customer)
        #expect(try phone.parse("138 0013 8000", today: Self.today) == .text("13800138000"))
        #expect(throws: ModelError.self) { try phone.parse("call me", today: Self.today) }
        #expect(try Schema.field(named: "risk", for: .product).parse("R3", today: Self.today) == .text("R3"))
        #expect(throws: ModelError.self) { try Schema.field(named: "risk", for: .customer).parse("R3", today: Self.today) }
        #expect(try Schema.field(named: "生日", for: .customer).name == "birthday")
    }

    @Test func unknownFieldSuggestsTheClosestName() {
        do {
            _ = try Schema.field(named: "tir", for: .customer)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .unknownField)
            #expect(error.message == "未知字段 \"tir\"，是否要输入 \"tier\"？")
        }
    }

    @Test func schemaNumbersAreUniqueAndNamesUniquePerKind() {
        let ids = Schema.fields.map(\.id)
        #expect(Set(ids).count == ids.count)
        for kind in EntityKind.known {
            let names = Schema.fields(for: kind).map(\.name)
            #expect(Set(names).count == names.count, "duplicate field name for \(kind)")
        }
    }
}
