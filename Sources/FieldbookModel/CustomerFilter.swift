/// One condition of a customer segment: a ``SegmentField``, a comparison and a typed value
/// (`aum>1000万`, `tier>=钻石`, `birthday=12月`, `last_contact>30d`, `tag=年末沙龙`).
///
/// Parsing checks everything a user can get wrong (an unknown field, `<` on a field without an order, a value of the
/// wrong form) and says what is allowed, in one line without the customer data of any book.
///
/// ```swift
/// let filter = try CustomerFilter.parse("aum>1000万", today: today)
/// filter.operand   // .number(1_000_000_000) (fen)
/// ```
public struct CustomerFilter: Sendable, Hashable, CustomStringConvertible {
    /// How the field's value is compared with the operand.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        /// `=`
        case equal = "="
        /// `!=`
        case notEqual = "!="
        /// `<`
        case less = "<"
        /// `<=`
        case lessOrEqual = "<="
        /// `>`
        case greater = ">"
        /// `>=`
        case greaterOrEqual = ">="

        /// Whether it needs an ordered field.
        public var needsOrder: Bool { self != .equal && self != .notEqual }

        /// Whether `left ◇ right` holds.
        public func holds<T: Comparable>(_ left: T, _ right: T) -> Bool {
            switch self {
            case .equal: left == right
            case .notEqual: left != right
            case .less: left < right
            case .lessOrEqual: left <= right
            case .greater: left > right
            case .greaterOrEqual: left >= right
            }
        }
    }

    /// The value compared with.
    public enum Operand: Sendable, Hashable {
        /// Fen (money), days (`last_contact`, `matures`) or years (`age`).
        case number(Int64)
        /// A calendar day (`birthday<1960-01-01`, `risk_date<2025-06-30`).
        case day(Day)
        /// A month of any year (`birthday=12月`).
        case month(Int)
        /// A day of any year (`birthday=12-15`).
        case monthDay(month: Int, day: Int)
        /// The rank of an ordered choice (its index in ``SegmentField/rankedChoices``).
        case rank(Int)
        /// A stored value for an equality field: a choice's canonical text, a text, a tag.
        case text(String)
    }

    /// The field.
    public var field: SegmentField
    /// The comparison.
    public var comparison: Comparison
    /// The value.
    public var operand: Operand

    /// Makes a filter from parts already checked.
    public init(_ field: SegmentField, _ comparison: Comparison, _ operand: Operand) {
        self.field = field
        self.comparison = comparison
        self.operand = operand
    }

    /// Whether typed text is written as a filter (`name` `op` `value`, the name of letters, `_` or Chinese), rather
    /// than as search text: the shell asks before treating a word of `find` as a filter.
    public static func looksLikeFilter(_ text: String) -> Bool {
        guard let (name, _, _) = split(text) else { return false }
        return !name.isEmpty && name.allSatisfy { $0 == "_" || $0.isLetter }
    }

    /// Reads `field op value`.
    ///
    /// - Parameters:
    ///   - text: What was typed, as one word (`aum>=50万`).
    ///   - today: The day relative dates count from.
    /// - Throws: ``ModelError``: ``ModelError/Code/unknownField`` for a field that cannot be filtered on,
    ///   ``ModelError/Code/badOperation`` for a comparison the field does not allow, or the value's own error.
    public static func parse(_ text: String, today: Day) throws(ModelError) -> CustomerFilter {
        guard let (name, comparison, value) = split(text), !name.isEmpty else {
            throw ModelError(.badOperation, "筛选条件应写成 字段=值 或 字段>值（也可用 >= < <= !=），例如 aum>1000万、tier>=钻石")
        }
        let field = try SegmentField.named(name)
        if comparison.needsOrder, !field.isOrdered {
            throw ModelError(
                .badOperation,
                "\(field.label)只能用 = 或 != 筛选（如 \(field.name)=…）；能比较大小的字段有 \(SegmentField.orderedNames)")
        }
        let typed = value.trimmingSpaces()
        guard !typed.isEmpty else { throw ModelError(.badValue, "\(field.name) 的筛选值不能为空") }
        return CustomerFilter(field, comparison, try operand(field, comparison, typed, today: today))
    }

    /// Splits at the first comparison sign: `(name, comparison, value)`, or `nil` without one.
    private static func split(_ text: String) -> (String, Comparison, String)? {
        let characters = Array(text.halfWidth)
        guard let index = characters.firstIndex(where: { "<>=!".contains($0) }) else { return nil }
        let name = String(characters[..<index]).trimmingSpaces()
        let two = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
        let comparison: Comparison
        var rest = index + 1
        switch (characters[index], two) {
        case (_, ">="): comparison = .greaterOrEqual; rest += 1
        case (_, "<="): comparison = .lessOrEqual; rest += 1
        case (_, "!="): comparison = .notEqual; rest += 1
        case (_, "=="): comparison = .equal; rest += 1
        case (">", _): comparison = .greater
        case ("<", _): comparison = .less
        case ("=", _): comparison = .equal
        default: return nil  // a lone `!`
        }
        return (name, comparison, String(characters[rest...]))
    }

    private static func operand(
        _ field: SegmentField, _ comparison: Comparison, _ typed: String, today: Day
    ) throws(ModelError) -> Operand {
        switch field.sort {
        case .money:
            return .number(try Money.parse(typed))
        case .days:
            return .number(try count(typed, units: ["d", "天", "日"], field: field, example: "30d"))
        case .years:
            return .number(try count(typed, units: ["岁", "y"], field: field, example: "60"))
        case .orderedChoice:
            let spec = field.schemaField!
            guard case .text(let canonical) = try spec.parse(typed, today: today),
                let rank = field.rankedChoices.firstIndex(of: canonical)
            else { throw ModelError(.badEnum, "\(spec.label)只能是：\(spec.choices.map(\.shown).joined(separator: " "))") }
            return .rank(rank)
        case .date:
            if field == .birthday, let partial = try partialDate(typed) {
                guard !comparison.needsOrder else {
                    throw ModelError(.badOperation, "按月份或月日筛选生日只能用 = 或 !=，例如 birthday=12月；比较大小请写完整日期")
                }
                return partial
            }
            return .day(try Day.parse(typed, today: today))
        case .equality:
            if field == .tag { return .text(typed) }
            let spec = field.schemaField!
            guard case .text(let text) = try spec.parse(typed, today: today) else {
                throw ModelError(.badValue, "\(spec.label)的筛选值不能为空")
            }
            return .text(text)
        }
    }

    /// A whole count with an optional unit: `30`, `30d`, `30天`.
    private static func count(_ typed: String, units: [String], field: SegmentField, example: String) throws(ModelError)
        -> Int64
    {
        var digits = typed.lowercased()
        for unit in units where digits.hasSuffix(unit) {
            digits = String(digits.dropLast(unit.count))
            break
        }
        guard let n = Int64(digits.trimmingSpaces()), n >= 0, n <= 100_000 else {
            throw ModelError(.badValue, "\(field.label)应为整数，例如 \(field.name)>\(example)")
        }
        return n
    }

    /// `12月`, `12月份` → a month; `12-15`, `12/15`, `12月15日` → a day of any year; `nil` for anything else (a full
    /// date, `today` …).
    private static func partialDate(_ typed: String) throws(ModelError) -> Operand? {
        let t = typed.halfWidth.trimmingSpaces()
        let invalid = ModelError(.badDate, "生日的月份应为 1–12 月，例如 birthday=12月 或 birthday=12-15")
        for suffix in ["月份", "月"] where t.hasSuffix(suffix) {
            guard let month = Int(t.dropLast(suffix.count)), (1...12).contains(month) else { throw invalid }
            return .month(month)
        }
        var parts: [Substring] = []
        if t.contains("月"), !t.contains("年") {
            parts = t.filter { $0 != "日" && $0 != "号" }.split(separator: "月", omittingEmptySubsequences: false)
        } else if t.count <= 5, t.contains("-") || t.contains("/") {
            parts = t.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "-" || $0 == "/" })
        }
        guard parts.count == 2 else { return nil }
        guard let month = Int(parts[0]), let day = Int(parts[1]), (1...12).contains(month),
            day >= 1, day <= Day.daysInMonth(year: 2000, month: month)
        else { throw invalid }
        return .monthDay(month: month, day: day)
    }

    /// How the filter reads, for messages and listings' titles: `aum>1000万`, `birthday=12月`.
    public var description: String {
        let value: String =
            switch operand {
            case .number(let n):
                switch field.sort {
                case .money: Money.format(n)
                case .days: "\(n)d"
                default: String(n)
                }
            case .day(let day): day.iso
            case .month(let month): "\(month)月"
            case .monthDay(let month, let day): "\(month)-\(day)"
            case .rank(let rank): field.schemaField?.choices[rank].shown ?? String(rank)
            case .text(let text): field.schemaField?.shown(.text(text)) ?? text
            }
        return field.name + comparison.rawValue + value
    }
}
