/// A time of day on the 24-hour clock, minute precision: the time of an appointment (`task … at=14:30`).
///
/// Stored as text `HH:MM` (zero-padded, so that stored times sort as text), which an older replica shows as it is.
///
/// ```swift
/// try TimeOfDay.parse("9:05").text     // "09:05"
/// try TimeOfDay.parse("下午2点半").text  // "14:30"
/// ```
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Minutes after midnight, 0–1439.
    public var minutes: Int

    /// A time from minutes after midnight, or `nil` outside 0–1439.
    public init?(minutes: Int) {
        guard (0..<1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// The stored form, `14:30`.
    public var text: String {
        let hours = minutes / 60
        let rest = minutes % 60
        return (hours < 10 ? "0" : "") + String(hours) + ":" + (rest < 10 ? "0" : "") + String(rest)
    }

    public var description: String { text }

    public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool { lhs.minutes < rhs.minutes }

    /// The time a stored value holds, or `nil` when it holds no valid `HH:MM` text.
    public init?(_ value: Value?) {
        guard case .text(let text)? = value, text.count == 5, let parsed = try? Self.parse(text), parsed.text == text
        else { return nil }
        self = parsed
    }

    /// Reads a typed time: `14:30`, `9:05`, `14：30` (full width), `1430`, `14点`, `14点30`, `14点半`, and
    /// `上午` / `下午` / `晚上` before an hour of 1–12 (`下午2点` is 14:00).
    ///
    /// - Throws: ``ModelError`` with code ``ModelError/Code/badValue`` naming the accepted forms.
    public static func parse(_ typed: String) throws(ModelError) -> TimeOfDay {
        var text = Substring(typed.trimmingSpaces().halfWidth)
        var afternoon: Bool?
        for (prefix, pm) in [("上午", false), ("早上", false), ("中午", true), ("下午", true), ("晚上", true)]
        where text.hasPrefix(prefix) {
            afternoon = pm
            text = text.dropFirst(prefix.count)
        }
        var hours: Int?
        var minutes = 0
        if let colon = text.firstIndex(of: ":") {
            let h = text[..<colon]
            let m = text[text.index(after: colon)...]
            guard (1...2).contains(h.count), m.count == 2, let hv = Int(h), let mv = Int(m) else { throw invalid }
            hours = hv
            minutes = mv
        } else if let dian = text.firstIndex(of: "点") {
            let h = text[..<dian]
            var m = text[text.index(after: dian)...]
            if m.hasSuffix("分") { m = m.dropLast() }
            guard (1...2).contains(h.count), let hv = Int(h) else { throw invalid }
            hours = hv
            if m == "半" {
                minutes = 30
            } else if !m.isEmpty {
                guard (1...2).contains(m.count), let mv = Int(m) else { throw invalid }
                minutes = mv
            }
        } else if text.count == 4, text.allSatisfy(\.isASCIIDigit), let value = Int(text) {
            hours = value / 100
            minutes = value % 100
        }
        guard var h = hours, (0..<60).contains(minutes) else { throw invalid }
        if let afternoon {
            guard (1...12).contains(h) else { throw invalid }
            if afternoon, h < 12 { h += 12 }
            if !afternoon, h == 12 { h = 0 }
        }
        guard let time = TimeOfDay(minutes: h * 60 + minutes) else { throw invalid }
        return time
    }

    private static var invalid: ModelError {
        ModelError(.badValue, "时间格式不对：请写成 14:30、9:05、14点、14点半 或 下午2点")
    }
}
