import FieldbookModel
import Testing

/// Issue 19: dates, numbers, phone numbers and ID numbers as Chinese users type them.
@Suite("Chinese input: dates, full-width numbers, phones, ID numbers")
struct ChineseInputTests {
    /// 2026-11-23, a Monday.
    static let monday = Day(year: 2026, month: 11, day: 23)!
    /// 2026-11-27, a Friday.
    static let friday = Day(year: 2026, month: 11, day: 27)!
    /// 2026-11-29, a Sunday.
    static let sunday = Day(year: 2026, month: 11, day: 29)!

    // MARK: Dates

    @Test(arguments: [
        // Named days.
        ("今天", "2026-11-23"), ("明天", "2026-11-24"), ("后天", "2026-11-25"), ("大后天", "2026-11-26"),
        ("昨天", "2026-11-22"), ("前天", "2026-11-21"), ("大前天", "2026-11-20"), ("明日", "2026-11-24"),
        // Next week (weeks begin on Monday).
        ("下周一", "2026-11-30"), ("下周二", "2026-12-01"), ("下周三", "2026-12-02"), ("下周四", "2026-12-03"),
        ("下周五", "2026-12-04"), ("下周六", "2026-12-05"), ("下周日", "2026-12-06"), ("下周天", "2026-12-06"),
        ("下星期三", "2026-12-02"), ("下礼拜五", "2026-12-04"), ("下个星期一", "2026-11-30"),
        // The coming weekday, strictly after today.
        ("周五", "2026-11-27"), ("星期五", "2026-11-27"), ("礼拜五", "2026-11-27"), ("周二", "2026-11-24"),
        ("周一", "2026-11-30"), ("周日", "2026-11-29"), ("周天", "2026-11-29"), ("星期天", "2026-11-29"),
        ("礼拜天", "2026-11-29"),
        // This week's day, past or not.
        ("本周五", "2026-11-27"), ("这周一", "2026-11-23"), ("这个星期日", "2026-11-29"),
        // Counted from today.
        ("3天后", "2026-11-26"), ("3天前", "2026-11-20"), ("10天以后", "2026-12-03"), ("10天之前", "2026-11-13"),
        ("2周后", "2026-12-07"), ("1个星期前", "2026-11-16"), ("2个礼拜后", "2026-12-07"), ("0天后", "2026-11-23"),
        ("3个月后", "2027-02-23"), ("11个月前", "2025-12-23"),
        // Month and day (this year), with the year, and digits only.
        ("12月15日", "2026-12-15"), ("12月15号", "2026-12-15"), ("12月15", "2026-12-15"), ("1月5日", "2026-01-05"),
        ("01月05日", "2026-01-05"), ("2026年12月15日", "2026-12-15"), ("2027年1月5号", "2027-01-05"),
        ("2028年2月29日", "2028-02-29"), ("20261215", "2026-12-15"), ("20280229", "2028-02-29"),
        ("2026.12.15", "2026-12-15"),
        // Full-width, as a Chinese keyboard types them.
        ("１２月１５日", "2026-12-15"), ("２０２６－１２－１５", "2026-12-15"), ("＋７ｄ", "2026-11-30"),
        ("３天后", "2026-11-26"), ("２０２６１２１５", "2026-12-15"), ("　明天　", "2026-11-24"),
        // Today's forms still work.
        ("2026-11-23", "2026-11-23"), ("11-23", "2026-11-23"), ("today", "2026-11-23"), ("tomorrow", "2026-11-24"),
        ("+7d", "2026-11-30"), ("+7天", "2026-11-30"), ("2026/1/5", "2026-01-05"),
    ])
    func datesFromMonday(text: String, iso: String) throws {
        #expect(try Day.parse(text, today: Self.monday).iso == iso)
    }

    @Test func weekdaysFromFridayAndSunday() throws {
        // `周五` on a Friday is next Friday: today is `今天`.
        #expect(try Day.parse("周五", today: Self.friday).iso == "2026-12-04")
        #expect(try Day.parse("周六", today: Self.friday).iso == "2026-11-28")
        #expect(try Day.parse("下周一", today: Self.friday).iso == "2026-11-30")
        #expect(try Day.parse("下周五", today: Self.friday).iso == "2026-12-04")
        #expect(try Day.parse("本周一", today: Self.friday).iso == "2026-11-23")
        // On a Sunday next week begins tomorrow.
        #expect(try Day.parse("下周一", today: Self.sunday).iso == "2026-11-30")
        #expect(try Day.parse("周一", today: Self.sunday).iso == "2026-11-30")
        #expect(try Day.parse("周日", today: Self.sunday).iso == "2026-12-06")
        #expect(try Day.parse("下周日", today: Self.sunday).iso == "2026-12-06")
        #expect(try Day.parse("本周日", today: Self.sunday).iso == "2026-11-29")
    }

    @Test func monthsEndOnTheLastDay() throws {
        #expect(try Day.parse("1个月后", today: Day(year: 2027, month: 1, day: 31)!).iso == "2027-02-28")
        #expect(try Day.parse("1个月后", today: Day(year: 2028, month: 1, day: 31)!).iso == "2028-02-29")
        #expect(try Day.parse("1个月前", today: Day(year: 2027, month: 3, day: 31)!).iso == "2027-02-28")
        #expect(try Day.parse("12个月后", today: Self.monday).iso == "2027-11-23")
    }

    @Test(arguments: [
        ("2月30日", "日期 2月30日 不存在：请检查月份和天数"),
        ("2026年2月30日", "日期 2026年2月30日 不存在：请检查月份和天数"),
        ("2027年2月29号", "日期 2027年2月29号 不存在：请检查月份和天数"),
        ("13月1日", "日期 13月1日 不存在：请检查月份和天数"),
        ("4月31日", "日期 4月31日 不存在：请检查月份和天数"),
        ("20260230", "日期 20260230 不存在：请检查月份和天数"),
        ("2026.02.30", "日期 2026.02.30 不存在：请检查月份和天数"),
        ("２月３０日", "日期 2月30日 不存在：请检查月份和天数"),
        ("2026-02-30", "日期 2026-02-30 不存在：请检查月份和天数"),
    ])
    func impossibleDatesAreRefused(text: String, message: String) {
        #expect(throws: ModelError(.badDate, message)) { try Day.parse(text, today: Self.monday) }
    }

    @Test(arguments: [
        "下周八", "周", "下周", "下下周一", "星期", "周五五", "3天", "天后", "三天后", "100000天后", "3年后", "12月", "2026年12月",
        "26年12月15日", "2026年12月15日日", "12月15日号", "月15日", "1215", "202612150", "2026121", "1.5", "2026.12",
        "明年", "后天天", "+7x",
    ])
    func unreadableDatesAreRefused(text: String) {
        #expect(throws: ModelError.self) { try Day.parse(text, today: Self.monday) }
        do {
            _ = try Day.parse(text, today: Self.monday)
        } catch {
            #expect(error.code == .badDate)
            #expect(error.message.hasPrefix("日期格式不对"), "\(text): \(error.message)")
        }
    }

    @Test func dateFieldsTakeTheChineseForms() throws {
        let birthday = try Schema.field(named: "birthday", for: .customer)
        #expect(try birthday.parse("1975年3月8日", today: Self.monday) == .date(Day(year: 1975, month: 3, day: 8)!))
        let due = try Schema.field(named: "due", for: .task)
        #expect(try due.parse("下周一", today: Self.monday) == .date(Day(year: 2026, month: 11, day: 30)!))
        #expect(throws: ModelError.self) { try due.parse("2月30日", today: Self.monday) }
    }

    // MARK: Money and numbers

    @Test(arguments: [
        ("１２万", 12_000_000), ("５０００００", 50_000_000), ("５００，０００", 50_000_000), ("500，000", 50_000_000),
        ("５００,０００", 50_000_000), ("1,234,567.89", 123_456_789), ("１．５万", 1_500_000), ("５０Ｗ", 50_000_000),
        ("￥５０００", 500_000), ("１．２亿", 12_000_000_000), ("　８００元　", 80_000), ("12,000万", 12_000_000_000),
    ] as [(String, Int64)])
    func fullWidthMoney(text: String, fen: Int64) throws {
        #expect(try Money.parse(text) == fen)
    }

    @Test(arguments: ["30，00", "1,5", "1，5", "1,5000", "１２万万", "1,,000", ",500", "500,", "１．２３４", "５０万元元"])
    func ambiguousOrBadMoneyIsRefused(text: String) {
        #expect(throws: ModelError.self) { try Money.parse(text) }
    }

    @Test func fullWidthSignedMoneyAndPercents() throws {
        #expect(try Money.parse("－５万", allowNegative: true) == -5_000_000)
        #expect(try Money.parse("＋２０万", allowNegative: true) == 20_000_000)
        #expect(throws: ModelError.self) { try Money.parse("－５万") }
        #expect(try Percent.parse("８％") == 800)
        #expect(try Percent.parse("－５％") == -500)
        #expect(try Percent.parse("３．２５％") == 325)
        #expect(try Percent.parse("3.25%") == 325)
        #expect(throws: ModelError.self) { try Percent.parse("1,000%") }
        let price = try Schema.field(named: "price", for: .product)
        #expect(try price.parse("１．０５２３", today: Self.monday) == .decimal(10_523))
    }

    // MARK: Phone numbers

    @Test(arguments: [
        ("13800138000", "13800138000"), ("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"), ("19912345678", "19912345678"),
        ("021-12345678", "02112345678"), ("0755-1234567", "07551234567"), ("010 12345678", "01012345678"),
        ("02112345678", "02112345678"), ("0755 1234 5678", "075512345678"), ("０２１－１２３４５６７８", "02112345678"),
        ("+852 9123 4567", "+85291234567"), ("+853 6612 3456", "+85366123456"), ("+886 912 345 678", "+886912345678"),
        ("+886 2 2345 6789", "+886223456789"), ("+886 02 2345 6789", "+8860223456789"),
        ("+86 138 0013 8000", "+8613800138000"), ("＋８５２ ９１２３４５６７", "+85291234567"),
    ])
    func phonesAccepted(text: String, stored: String) throws {
        #expect(try PhoneNumber.parse(text, label: "电话") == stored)
        let phone = try Schema.field(named: "phone", for: .customer)
        #expect(try phone.parse(text, today: Self.monday) == .text(stored))
    }

    @Test(arguments: [
        ("打电话", "电话只能有数字、空格和 -（境外号码以 + 开头）"),
        ("139+0013", "电话只能有数字、空格和 -（境外号码以 + 开头）"),
        ("(021)12345678", "电话只能有数字、空格和 -（境外号码以 + 开头）"),
        ("1390013900", "电话：手机号应为 11 位数字，以 13–19 开头，例如 13800138000"),
        ("138001380001", "电话：手机号应为 11 位数字，以 13–19 开头，例如 13800138000"),
        ("12345678901", "电话：手机号应为 11 位数字，以 13–19 开头，例如 13800138000"),
        ("12", "电话：手机号应为 11 位数字，以 13–19 开头，例如 13800138000"),
        ("87654321", "电话：座机号要带区号，例如 021-12345678"),
        ("8765432", "电话：座机号要带区号，例如 021-12345678"),
        ("021-123456", "电话：座机号应为区号（0 开头，3–4 位）加 7–8 位号码"),
        ("02-12345678", "电话：座机号应为区号（0 开头，3–4 位）加 7–8 位号码"),
        ("07551-1234567", "电话：座机号应为区号（0 开头，3–4 位）加 7–8 位号码"),
        ("021-12345678-123", "电话：座机号应为区号（0 开头，3–4 位）加 7–8 位号码"),
        ("021123456", "电话：座机号应为区号（0 开头，3–4 位）加 7–8 位号码"),
        ("00852 91234567", "电话：境外号码请以 + 开头"),
        ("+852 912345", "电话：香港号码应为 +852 加 8 位数字"),
        ("+853 123456789", "电话：澳门号码应为 +853 加 8 位数字"),
        ("+886 12345", "电话：台湾号码应为 +886 加 9–10 位数字"),
        ("+1 415 555 0100", "电话：境外号码只收 +852（香港）、+853（澳门）、+886（台湾）"),
        ("+", "电话：境外号码只收 +852（香港）、+853（澳门）、+886（台湾）"),
        ("+86 21 12345678", "电话：+86 后面应为 11 位手机号"),
        ("99999", "电话格式不对"),
        ("123456789012345", "电话：手机号应为 11 位数字"),
    ])
    func phonesRefusedWithTheReason(text: String, reason: String) {
        do {
            _ = try PhoneNumber.parse(text, label: "电话")
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.code == .badValue)
            #expect(error.message.hasPrefix(reason), "\(text): \(error.message)")
            let digits = text.filter(\.isNumber)
            if digits.count >= 5 { #expect(!error.message.contains(digits), "the message repeats the value") }
        }
    }

    @Test func phoneFieldsNameTheField() throws {
        let phone = try Schema.field(named: "phone", for: .family)
        #expect(throws: ModelError(.badValue, "电话：座机号要带区号，例如 021-12345678")) {
            try phone.parse("87654321", today: Self.monday)
        }
    }

    // MARK: ID numbers

    @Test(arguments: [
        ("11010519491231002X", "11010519491231002X"), ("11010519491231002x", "11010519491231002X"),
        ("110105 19491231 002X", "11010519491231002X"), ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("440524188001010014", "440524188001010014"), ("110101199003077774", "110101199003077774"),
    ])
    func idNumbersAccepted(text: String, stored: String) throws {
        #expect(try IDNumber.parse(text, label: "身份证") == stored)
        let field = try Schema.field(named: "id_number", for: .customer)
        #expect(try field.parse(text, today: Self.monday) == .text(stored))
    }

    @Test(arguments: [
        ("110105491231002", "身份证是 15 位的旧号码：请填写 18 位的新号码（身份证上现在的号码）"),
        ("1101051949123100", "身份证应为 18 位：前 17 位是数字，最后一位是数字或 X"),
        ("11010519491231002Y", "身份证应为 18 位：前 17 位是数字，最后一位是数字或 X"),
        ("1101051949123100200", "身份证应为 18 位：前 17 位是数字，最后一位是数字或 X"),
        ("X10105194912310021", "身份证应为 18 位：前 17 位是数字，最后一位是数字或 X"),
        ("11010519491331002X", "身份证里的出生日期（第 7–14 位）不存在：请核对号码"),
        ("110105194902300021", "身份证里的出生日期（第 7–14 位）不存在：请核对号码"),
        ("110105194912310021", "身份证的校验位（最后一位）不对：请核对号码"),
        ("11010519491231002０", "身份证的校验位（最后一位）不对：请核对号码"),
    ])
    func idNumbersRefusedWithTheReason(text: String, message: String) {
        #expect(throws: ModelError(.badValue, message)) { try IDNumber.parse(text, label: "身份证") }
    }

    /// The checksum by the standard's own definition, against every check character.
    @Test func checkCharacterFollowsGB11643() throws {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        for body in ["11010519491231002", "44052418800101001", "32010219800229123", "51010719991231000"] {
            let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
            let check = Array("10X98765432")[sum % 11]
            for candidate in "0123456789X" {
                #expect(IDNumber.isValid(body + String(candidate)) == (candidate == check))
            }
        }
    }

    // MARK: Typing, not receiving

    /// The stricter checks apply where a value is typed; a value already written by an older version (a short phone,
    /// a 15-digit ID) still has its field's type, so ops carrying it stay valid on receipt and at the central node.
    @Test func storedValuesStayValid() throws {
        let phone = Schema.field(Schema.F.phone)!
        let idNumber = Schema.field(Schema.F.idNumber)!
        #expect(phone.accepts(.text("12345")))
        #expect(phone.accepts(.text("+8613800138000")))
        #expect(idNumber.accepts(.text("110105491231002")))
        #expect(throws: ModelError.self) { try phone.parse("12345", today: Self.monday) }
        #expect(throws: ModelError.self) { try idNumber.parse("110105491231002", today: Self.monday) }
    }
}
