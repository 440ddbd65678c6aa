/// A calendar day (birthdays, maturities, due dates), as a count of days since 1970-01-01.
///
/// The civil-calendar arithmetic is Howard Hinnant's `days_from_civil`, exact for the proleptic Gregorian calendar,
/// so that no time zone or Foundation calendar is involved in what a date *is*.
///
/// ```swift
/// let day = try Day.parse("2026-11-23", today: .init(year: 2026, month: 1, day: 1)!)
/// day.iso          // "2026-11-23"
/// day.weekday      // 1 (Monday)
/// ```
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (negative before it).
    public var number: Int32

    /// Wraps a day number.
    public init(number: Int32) {
        self.number = number
    }

    /// The day of a civil date, or `nil` if the date does not exist (2026-02-30, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= Day.daysInMonth(year: year, month: month)
        else { return nil }
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        self.number = Int32(era * 146_097 + doe - 719_468)
    }

    /// The day that contains a Unix time in milliseconds, in the given UTC offset.
    public init(milliseconds: UInt64, offsetSeconds: Int) {
        let seconds = Int64(milliseconds / 1000) + Int64(offsetSeconds)
        self.number = Int32((seconds - (seconds < 0 ? 86_399 : 0)) / 86_400)
    }

    /// Year, month and day.
    public var civil: (year: Int, month: Int, day: Int) {
        let z = Int(number) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// ISO 8601, `2026-11-23`.
    public var iso: String {
        let (y, m, d) = civil
        return "\(Day.pad(y, 4))-\(Day.pad(m, 2))-\(Day.pad(d, 2))"
    }

    /// The short form used in listings, `11-23 周一`.
    public var short: String {
        let (_, m, d) = civil
        return "\(Day.pad(m, 2))-\(Day.pad(d, 2)) \(weekdayName)"
    }

    /// ISO weekday: 1 is Monday, 7 is Sunday.
    public var weekday: Int {
        // 1970-01-01 was a Thursday (4).
        let w = (Int(number) % 7 + 7 + 3) % 7
        return w + 1
    }

    /// `周一` … `周日`.
    public var weekdayName: String {
        ["周一", "周二", "周三", "周四", "周五", "周六", "周日"][weekday - 1]
    }

    /// The day `count` days later (earlier when negative).
    public func adding(days count: Int) -> Day { Day(number: number + Int32(count)) }

    public var description: String { iso }

    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.number < rhs.number }

    /// Whether a year of the Gregorian calendar is a leap year.
    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The number of days in a month.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Parses what a user types for a date.
    ///
    /// - Absolute: `2026-11-23`, `2026/11/23`, `2026.11.23`, `20261123`, `2026年11月23日`; this year's `11-23`,
    ///   `11/23`, `11月23日`, `11月23号` (always this year, even when the day has passed).
    /// - Named days: `today`/`今天`, `tomorrow`/`明天`, `后天`, `大后天`, `yesterday`/`昨天`, `前天`, `大前天`.
    /// - Weekdays (`周五`, `星期五`, `礼拜五`, `周日`/`周天`/`星期天`): the next such day strictly after today, so `周五`
    ///   typed on a Friday is a week later (today is `今天`); `下周一`…`下周日`: that day of the next calendar week
    ///   (weeks begin on Monday); `本周五`/`这周五`: that day of this week, past or not.
    /// - Counted from today: `+7d`, `-3d`, `+2w`, `+7天`, `3天后`, `3天前`, `2周后`, `2个星期后`, `3个月后` (a month
    ///   later on the same day, the last day of the month when it has fewer days).
    ///
    /// Full-width digits and marks (`１２月１５日`, `＋７ｄ`) are read as their ASCII forms.
    ///
    /// - Parameters:
    ///   - text: The typed text.
    ///   - today: The day that relative forms count from.
    /// - Throws: ``ModelError`` with code ``ModelError/Code/badDate`` for a date that does not exist or cannot be read.
    public static func parse(_ text: String, today: Day) throws(ModelError) -> Day {
        let t = text.halfWidth.trimmingSpaces().lowercased()
        switch t {
        case "today", "今天", "今日": return today
        case "tomorrow", "明天", "明日": return today.adding(days: 1)
        case "后天": return today.adding(days: 2)
        case "大后天": return today.adding(days: 3)
        case "yesterday", "昨天", "昨日": return today.adding(days: -1)
        case "前天": return today.adding(days: -2)
        case "大前天": return today.adding(days: -3)
        default: break
        }
        if let day = weekday(t, today: today) { return day }
        if let day = try counted(t, today: today) { return day }
        if let first = t.first, first == "+" || first == "-", t.count >= 3 {
            let unit = t.last!
            let digits = t.dropFirst().dropLast()
            if let n = Int(digits), n <= 36_500, unit == "d" || unit == "w" || unit == "天" || unit == "周" {
                let days = (unit == "w" || unit == "周") ? n * 7 : n
                return today.adding(days: first == "+" ? days : -days)
            }
            throw ModelError(.badDate, "日期格式不对：相对日期请写成 +7d、-3d、+2w、3天后 或 3天前")
        }
        if t.contains("年") || t.contains("月") { return try chinese(t, today: today) }
        if t.count == 8, t.allSatisfy(\.isASCIIDigit) {
            let n = Int(t)!
            return try existing(n / 10_000, n / 100 % 100, n % 100, t)
        }
        let separator: Character = t.contains("/") ? "/" : t.contains(".") ? "." : "-"
        let parts = t.split(separator: separator, omittingEmptySubsequences: false)
        let numbers = parts.map { part -> Int? in
            guard !part.isEmpty, part.count <= 4, part.allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(part)
        }
        if numbers.count == 3, let y = numbers[0], let m = numbers[1], let d = numbers[2], parts[0].count == 4,
            parts[1].count <= 2, parts[2].count <= 2
        {
            return try existing(y, m, d, t)
        }
        if numbers.count == 2, separator != ".", let m = numbers[0], let d = numbers[1], parts[0].count <= 2,
            parts[1].count <= 2
        {
            return try existing(today.civil.year, m, d, t)
        }
        throw ModelError(.badDate, formatHint)
    }

    private static let formatHint = "日期格式不对：请写成 2026-11-23、11-23、12月15日、明天、周五、下周一、3天后 或 +7d"

    /// The day of a civil date, or the error for one that does not exist (`2月30日`).
    private static func existing(_ year: Int, _ month: Int, _ day: Int, _ typed: String) throws(ModelError) -> Day {
        guard let result = Day(year: year, month: month, day: day) else {
            throw ModelError(.badDate, "日期 \(typed) 不存在：请检查月份和天数")
        }
        return result
    }

    /// `周五`, `星期五`, `礼拜天`, `下周一`, `本周五`, or `nil` when the text is not a weekday form.
    private static func weekday(_ t: String, today: Day) -> Day? {
        guard let last = t.last, let target = "一二三四五六日".firstIndex(of: last == "天" ? "日" : last) else { return nil }
        let number = "一二三四五六日".distance(from: "一二三四五六日".startIndex, to: target) + 1
        let prefix = t.dropLast()
        let monday = today.adding(days: 1 - today.weekday)
        for week in ["周", "星期", "礼拜"] {
            switch prefix {
            case week: return today.adding(days: (number - today.weekday + 6) % 7 + 1)
            case "下" + week, "下个" + week: return monday.adding(days: 7 + number - 1)
            case "本" + week, "这" + week, "这个" + week: return monday.adding(days: number - 1)
            default: continue
            }
        }
        return nil
    }

    /// `3天后`, `3天前`, `2周后`, `2个星期前`, `3个月后` (and `以后`, `之后`, `以前`, `之前`), or `nil` for other forms.
    private static func counted(_ t: String, today: Day) throws(ModelError) -> Day? {
        var rest = Substring(t)
        let sign: Int
        if let last = rest.last, last == "后" || last == "前" {
            sign = last == "后" ? 1 : -1
            rest = rest.dropLast()
        } else {
            return nil
        }
        if let last = rest.last, last == "以" || last == "之" { rest = rest.dropLast() }
        let units: [(String, Int)] = [("个星期", 7), ("个礼拜", 7), ("星期", 7), ("礼拜", 7), ("周", 7), ("天", 1), ("个月", 0)]
        guard let (unit, days) = units.first(where: { rest.hasSuffix($0.0) }) else { return nil }
        let digits = rest.dropLast(unit.count)
        guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCIIDigit), let n = Int(digits),
            n <= (days == 0 ? 1_200 : 36_500 / days)
        else {
            throw ModelError(.badDate, "日期格式不对：请写成 3天后、3天前、2周后 或 3个月后（用阿拉伯数字）")
        }
        if days > 0 { return today.adding(days: sign * n * days) }
        let (y, m, d) = today.civil
        let months = y * 12 + (m - 1) + sign * n
        let year = months / 12
        let month = months % 12 + 1
        return Day(year: year, month: month, day: min(d, daysInMonth(year: year, month: month)))!
    }

    /// `2026年12月15日`, `12月15日`, `12月15号`, `12月15`.
    private static func chinese(_ t: String, today: Day) throws(ModelError) -> Day {
        var rest = Substring(t)
        var year = today.civil.year
        if let mark = rest.firstIndex(of: "年") {
            let digits = rest[..<mark]
            guard digits.count == 4, digits.allSatisfy(\.isASCIIDigit) else { throw ModelError(.badDate, formatHint) }
            year = Int(digits)!
            rest = rest[rest.index(after: mark)...]
        }
        if let last = rest.last, last == "日" || last == "号" { rest = rest.dropLast() }
        let pieces = rest.split(separator: "月", omittingEmptySubsequences: false)
        guard pieces.count == 2,
            pieces.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy(\.isASCIIDigit) })
        else { throw ModelError(.badDate, formatHint) }
        return try existing(year, Int(pieces[0])!, Int(pieces[1])!, t)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

extension Character {
    /// `0`–`9` only (not other scripts' digits).
    package var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and ideographic spaces.
    package func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{3000}" || $0 == "\n" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
