/// Amounts of money as an integer count of fen (0.01 CNY), and the parsing and display of what managers type.
///
/// Input accepts `500000`, `500,000`, `50万`, `50w`, `1.2亿`, `3千`, `-5万` (for movements), with at most two
/// decimals of yuan after the unit is applied; full-width digits and marks as typed on a Chinese keyboard (`１２万`,
/// `５０００００`, `１．５万`, `５００，０００`). A comma (`,` or `，`) is read as a thousands separator only when every group
/// after the first has exactly three digits (`500,000` yes, `30,00` and `1,5` refused, never read as a decimal).
/// `12万万` and `1.234` are errors. Display uses 万 and 亿 where the
/// amount is a round number of them, the way a manager would say it.
///
/// ```swift
/// try Money.parse("1.2亿")       // 12_000_000_000 fen
/// Money.format(5_000_000_00)     // "50万"
/// ```
public enum Money {
    /// The largest amount accepted: 10 trillion yuan, far above any account and far below overflow.
    public static let maximumFen: Int64 = 1_000_000_000_000_000

    /// Parses a typed amount into fen.
    ///
    /// - Parameters:
    ///   - text: What the user typed.
    ///   - allowNegative: Whether a leading `-` (or `+`) is accepted, as for account movements.
    /// - Throws: ``ModelError`` with code ``ModelError/Code/badMoney``.
    public static func parse(_ text: String, allowNegative: Bool = false) throws(ModelError) -> Int64 {
        var t = Substring(text.halfWidth.trimmingSpaces().lowercased())
        var negative = false
        if let first = t.first, first == "-" || first == "+" {
            guard allowNegative else { throw ModelError(.badMoney, "金额不能为负数") }
            negative = first == "-"
            t = t.dropFirst()
        }
        if t.hasPrefix("¥") || t.hasPrefix("￥") { t = t.dropFirst() }
        if t.hasSuffix("元") { t = t.dropLast() }
        var multiplier: Int64 = 1
        if let last = t.last {
            switch last {
            case "万", "w": multiplier = 10_000
            case "亿": multiplier = 100_000_000
            case "千", "k": multiplier = 1_000
            default: break
            }
            if multiplier != 1 { t = t.dropLast() }
        }
        guard !t.isEmpty else { throw ModelError(.badMoney, formatHint) }
        if let last = t.last, "万w亿千k".contains(last) {
            throw ModelError(.badMoney, "金额单位重复了（如 12万万）：请写成 500000、500,000、50万、50w 或 1.2亿")
        }
        let digits = t.filter { $0 != "," && $0 != "，" }
        // Commas must group thousands when present: "300,000" yes, "30,00" no.
        if digits.count != t.count, !groupsThousands(t) {
            throw ModelError(.badMoney, "金额里的逗号只能用作千分位（每 3 位一个，如 500,000），也可以不写逗号：500000、50万")
        }
        let pieces = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = pieces.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            whole.count <= 16
        else { throw ModelError(.badMoney, formatHint) }
        let fraction = pieces.count == 2 ? pieces[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit), fraction.count <= 12, pieces.count == 1 || !fraction.isEmpty else {
            throw ModelError(.badMoney, formatHint)
        }
        // Work in fen: whole * multiplier * 100 + fraction scaled, and require the result to be whole fen.
        let scale = multiplier * 100
        guard let wholeValue = Int64(whole) else { throw ModelError(.badMoney, formatHint) }
        let (w, overflow) = wholeValue.multipliedReportingOverflow(by: scale)
        guard !overflow, w <= maximumFen else { throw ModelError(.badMoney, "金额太大了") }
        var fen = w
        if !fraction.isEmpty {
            var numerator = Int64(fraction)!
            var denominator: Int64 = 1
            for _ in fraction { denominator *= 10 }
            numerator *= scale
            guard numerator % denominator == 0 else {
                throw ModelError(.badMoney, "金额最多精确到分（两位小数）")
            }
            fen += numerator / denominator
        }
        guard fen <= maximumFen else { throw ModelError(.badMoney, "金额太大了") }
        return negative ? -fen : fen
    }

    private static let formatHint = "金额格式不对：请写成 500000、500,000、50万、50w 或 1.2亿"

    private static func groupsThousands(_ t: Substring) -> Bool {
        let whole = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
        let groups = whole.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "," || $0 == "，" })
        guard let first = groups.first, (1...3).contains(first.count) else { return false }
        return groups.dropFirst().allSatisfy { $0.count == 3 }
    }

    /// Formats fen for display: `50万`, `1.2亿`, `3,456.78`, `-8万`.
    public static func format(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        if magnitude >= 100_000_000_00, magnitude % 1_000_000_00 == 0 {
            // Whole millions of yuan and at least 1亿: 亿 with up to two decimals.
            return sign + decimal(magnitude, unit: 100_000_000_00, places: 2) + "亿"
        }
        if magnitude >= 10_000_00, magnitude % 100_00 == 0 {
            // Whole hundreds of yuan and at least 1万: 万 with up to two decimals.
            return sign + decimal(magnitude, unit: 10_000_00, places: 2) + "万"
        }
        let yuan = magnitude / 100
        let cents = magnitude % 100
        let grouped = group(yuan)
        return sign + (cents == 0 ? grouped : grouped + "." + (cents < 10 ? "0" : "") + String(cents))
    }

    /// `value / unit` with up to `places` decimals, trailing zeros dropped.
    private static func decimal(_ value: UInt64, unit: UInt64, places: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = (value * scale + unit / 2) / unit
        let whole = scaled / scale
        var fraction = String(scaled % scale)
        while fraction.count < places { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }

    private static func group(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var output = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { output.append(",") }
            output.append(digit)
        }
        return output
    }
}

/// Percentages as basis points (1% = 100), for expected returns and take-profit / stop-loss lines.
public enum Percent {
    /// Parses `8%`, `-5%`, `3.25%` or a bare `8` into basis points; full-width forms too (`８％`, `３．２５％`).
    ///
    /// - Throws: ``ModelError`` with code ``ModelError/Code/badPercent``.
    public static func parse(_ text: String) throws(ModelError) -> Int64 {
        var t = text.halfWidth.trimmingSpaces()
        if t.hasSuffix("%") { t.removeLast() }
        guard let value = FixedPoint.parse(t, places: 2, allowNegative: true), value.magnitude <= 100_000_00 else {
            throw ModelError(.badPercent, "百分比格式不对：请写成 8%、-5% 或 3.25%")
        }
        return value
    }

    /// Formats basis points: `8%`, `-5.5%`.
    public static func format(_ basisPoints: Int64) -> String { FixedPoint.format(basisPoints, places: 2) + "%" }
}

/// Decimal numbers held as integers with a fixed number of places: prices (4 places).
public enum FixedPoint {
    /// Parses a plain decimal number with at most `places` decimals, or `nil`.
    public static func parse(_ text: String, places: Int, allowNegative: Bool) -> Int64? {
        var t = Substring(text)
        var negative = false
        if let first = t.first, first == "-" || first == "+" {
            guard allowNegative || first == "+" else { return nil }
            negative = first == "-"
            t = t.dropFirst()
        }
        let pieces = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(pieces.count), let whole = pieces.first, !whole.isEmpty, whole.count <= 12,
            whole.allSatisfy(\.isASCIIDigit)
        else { return nil }
        var fraction = pieces.count == 2 ? String(pieces[1]) : ""
        guard fraction.count <= places, fraction.allSatisfy(\.isASCIIDigit), pieces.count == 1 || !fraction.isEmpty
        else { return nil }
        while fraction.count < places { fraction += "0" }
        guard let value = Int64(String(whole) + fraction) else { return nil }
        return negative ? -value : value
    }

    /// Formats a fixed-point integer with trailing zeros dropped: `12345, places 4` is `1.2345`.
    public static func format(_ value: Int64, places: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        let magnitude = value.magnitude
        var fraction = String(magnitude % scale)
        while fraction.count < places { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = value < 0 ? "-" : ""
        return sign + String(magnitude / scale) + (fraction.isEmpty ? "" : "." + fraction)
    }
}
