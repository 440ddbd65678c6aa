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

    /// Parses what a user types for a date: `2026-11-23`, `2026/11/23`, `11-23` (this year), `today`, `tomorrow`,
    /// `yesterday`, `今天`, `明天`, `+7d`, `-3d`, `+2w`.
    ///
    /// - Parameters:
    ///   - text: The typed text.
    ///   - today: The day that relative forms count from.
    /// - Throws: ``ModelError`` with code ``ModelError/Code/badDate`` for a date that does not exist or cannot be read.
    public static func parse(_ text: String, today: Day) throws(ModelError) -> Day {
        let t = text.trimmingSpaces().lowercased()
        switch t {
        case "today", "今天": return today
        case "tomorrow", "明天": return today.adding(days: 1)
        case "yesterday", "昨天": return today.adding(days: -1)
        default: break
        }
        if let first = t.first, first == "+" || first == "-", t.count >= 3 {
            let unit = t.last!
            let digits = t.dropFirst().dropLast()
            if let n = Int(digits), n <= 36_500, unit == "d" || unit == "w" || unit == "天" || unit == "周" {
                let days = (unit == "w" || unit == "周") ? n * 7 : n
                return today.adding(days: first == "+" ? days : -days)
            }
            throw ModelError(.badDate, "日期格式不对：相对日期请写成 +7d、-3d 或 +2w")
        }
        let parts = t.split(separator: t.contains("/") ? "/" : "-", omittingEmptySubsequences: false)
        let numbers = parts.map { part -> Int? in
            guard !part.isEmpty, part.count <= 4, part.allSatisfy(\.isASCIIDigit) else { return nil }
            return Int(part)
        }
        if numbers.count == 3, let y = numbers[0], let m = numbers[1], let d = numbers[2], parts[0].count == 4 {
            guard let day = Day(year: y, month: m, day: d) else {
                throw ModelError(.badDate, "日期 \(t) 不存在：请检查月份和天数")
            }
            return day
        }
        if numbers.count == 2, let m = numbers[0], let d = numbers[1], parts[0].count <= 2 {
            guard let day = Day(year: today.civil.year, month: m, day: d) else {
                throw ModelError(.badDate, "日期 \(t) 不存在：请检查月份和天数")
            }
            return day
        }
        throw ModelError(.badDate, "日期格式不对：请写成 2026-11-23、11-23、today、tomorrow 或 +7d")
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
