import FieldbookModel
import Foundation
import GRDB

/// Customer segments (issue 18): `find` with search text, pinyin, filters, an order and a limit.
///
/// The stored fields a segment compares are typed columns of the `customer` row (money in fen, days as numbers,
/// choices as text), kept by the projector beside the search text, so the filters run in SQL over one table; equality
/// on other fields and tags are `EXISTS` probes of the primary keys of `reg_value` and `set_add`. What depends on the
/// day of the query or on other entities (`last_contact`, `age`, `holdings`, `matures`) is computed for the rows SQL
/// leaves, the holdings only when the query names them.
extension Book {
    /// The customers of a segment.
    ///
    /// ```swift
    /// let query = CustomerQuery(filters: [try .parse("tier>=钻石", today: book.today)], sort: try .parse("-aum"), limit: 20)
    /// let result = try book.find(query)
    /// result.matches.map(\.customer.name)
    /// ```
    ///
    /// - Parameters:
    ///   - query: Text, filters, order, limit, archived or not.
    ///   - today: The day derived fields count from; the book's today by default.
    /// - Returns: The matches in order (direct text matches before pinyin ones), and the count before the limit.
    public func find(_ query: CustomerQuery, today: Day? = nil) throws(StoreError) -> CustomerQueryResult {
        let today = today ?? self.today
        let offset = options.utcOffsetSeconds
        return try read { db in try Self.segment(query, today: today, offset: offset, book: self, db: db) }
    }

    /// The derived values of one customer row.
    private struct SegmentRow {
        var summary: CustomerSummary
        var byPinyin = false
        /// The value of each field by ``SegmentField`` index (``fieldIndex``), when the query needs it and it is set.
        var columns: [Int64?] = Array(repeating: nil, count: SegmentField.allCases.count)

        subscript(field: SegmentField) -> Int64? {
            get { columns[Book.fieldIndex[field]!] }
            set { columns[Book.fieldIndex[field]!] = newValue }
        }
    }

    fileprivate static let fieldIndex = Dictionary(uniqueKeysWithValues: SegmentField.allCases.enumerated().map { ($1, $0) })

    /// The SQL of a stored or SQL-computed field's value, or `nil` for one computed in Swift.
    ///
    /// `last_contact` is the day of the query minus the latest of the contacts' `date`s and the days of the undated
    /// ones' creation, or of the customer's creation without any contact; integers of the query, not bound values,
    /// so that the expression can stand in both the select list and the conditions.
    private static func expression(_ field: SegmentField, today: Day, offset: Int) -> String? {
        switch field {
        case .aum: "c.aum"
        case .income: "c.income"
        case .birthday: "c.birthday"
        case .riskDate: "c.risk_date"
        case .tier: "coalesce(c.tier, '\(Tier.standard.rawValue)')"
        case .risk: "c.risk"
        case .stage: "c.stage"
        case .familiarity: "c.familiarity"
        case .lastContact:
            """
            (\(today.number) - CASE WHEN c.last_contact IS NULL AND c.last_contact_hlc IS NULL
                THEN ((e.created_hlc >> 16) / 1000 + \(offset)) / 86400
                ELSE max(coalesce(c.last_contact, -2147483648),
                    coalesce(((c.last_contact_hlc >> 16) / 1000 + \(offset)) / 86400, -2147483648)) END)
            """
        default: nil
        }
    }

    private static func segment(
        _ query: CustomerQuery, today: Day, offset: Int, book: Book, db: Database
    ) throws -> CustomerQueryResult {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        let text = (query.text ?? "").lowercased()
        let pinyin = NamePinyin.query(text)
        if !text.isEmpty, pinyin == nil {
            let match = try textMatch(text, db: db)
            conditions.append(match.condition)
            arguments += match.arguments
        }
        if !query.includeArchived { conditions.append("c.archived = 0") }
        for filter in query.filters {
            guard let column = expression(filter.field, today: today, offset: offset) ?? (filter.field.sort == .equality ? "" : nil),
                let (condition, values) = sql(filter, column: column)
            else { continue }
            conditions.append(condition)
            arguments += values
        }
        // Read only what the query needs: the fields it names (the age from the birthday).
        var named: [SegmentField] = []
        for field in query.filters.map(\.field) + (query.sort.map { [$0.field] } ?? []) where field.isOrdered {
            if !named.contains(field) { named.append(field) }
        }
        if named.contains(.age), !named.contains(.birthday) { named.append(.birthday) }
        let selected = named.compactMap { field in expression(field, today: today, offset: offset).map { (field, $0) } }
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT c.id, c.name, c.tier, c.archived, c.search, c.pinyin\(selected.map { ", " + $0.1 }.joined())
            FROM customer c JOIN entity e ON e.id = c.id \(condition)
            """
        let needsHoldings = named.contains(.holdings) || named.contains(.matures)
        var rows: [SegmentRow] = []
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let row = try cursor.next() {
            var match = SegmentRow(
                summary: CustomerSummary(
                    id: EntityID(bytes: Array(row[0] as Data))!, name: row[1], tier: row[2], archived: row[3]))
            if let pinyin {
                // Direct: the text is in the name, phone or note (as the search index would find it). Else the name's
                // pinyin or initials.
                if !(row[4] as String).contains(text) {
                    guard NamePinyin.matches(pinyin, key: row[5]) else { continue }
                    match.byPinyin = true
                }
            }
            for (offset, (field, _)) in selected.enumerated() {
                let index = 6 + offset
                if field.sort == .orderedChoice {
                    if let text = row[index] as String?, let rank = field.rankedChoices.firstIndex(of: text) {
                        match[field] = Int64(rank)
                    }
                } else {
                    match[field] = row[index] as Int64?
                }
            }
            if named.contains(.age), let birthday = match[.birthday].map({ Day(number: Int32($0)) }) {
                match[.age] = Int64(age(born: birthday, on: today))
            }
            rows.append(match)
        }
        if needsHoldings { try addHoldings(to: &rows, today: today, book: book, db: db) }
        rows = rows.filter { row in
            query.filters.allSatisfy { filter in
                guard [.holdings, .matures, .age].contains(filter.field) else { return true }  // SQL checked it
                guard case .number(let bound) = filter.operand, let value = row[filter.field] else {
                    return filter.comparison == .notEqual
                }
                return filter.comparison.holds(value, bound)
            }
        }
        rows.sort { a, b in
            if a.byPinyin != b.byPinyin { return !a.byPinyin }
            if let sort = query.sort {
                let x = a[sort.field]
                let y = b[sort.field]
                if x != y {
                    guard let x else { return false }  // no value: last either way
                    guard let y else { return true }
                    return sort.descending ? x > y : x < y
                }
            }
            return (a.summary.name, a.summary.id.text) < (b.summary.name, b.summary.id.text)
        }
        let shown = query.shownFields
        let limited = query.limit.map { rows.prefix(max(0, $0)) } ?? rows[...]
        let matches = limited.map { row in
            var values: [SegmentField: Value] = [:]
            for field in shown {
                guard let number = row[field] else { continue }
                switch field.sort {
                case .money: values[field] = .money(number)
                case .date: values[field] = .date(Day(number: Int32(number)))
                case .orderedChoice: values[field] = .text(field.rankedChoices[Int(number)])
                case .days, .years, .equality: values[field] = .int(number)
                }
            }
            return CustomerMatch(customer: row.summary, byPinyin: row.byPinyin, values: values)
        }
        return CustomerQueryResult(matches: matches, total: rows.count)
    }

    /// The SQL condition of a filter on a stored field, or `nil` for a derived one (checked after the query).
    ///
    /// A customer without a value fails every comparison but `!=` (except the tier, where none is 普通).
    private static func sql(_ filter: CustomerFilter, column: String) -> (String, StatementArguments)? {
        let op = filter.comparison.rawValue
        switch filter.field {
        case .holdings, .age, .matures: return nil
        case .aum, .income, .birthday, .riskDate, .tier, .risk, .stage, .familiarity, .lastContact: break
        case .tag:
            guard case .text(let tag) = filter.operand else { return nil }
            let exists = "EXISTS (SELECT 1 FROM set_add s WHERE s.entity = c.id AND s.field = ? AND s.element = ?)"
            return (filter.comparison == .notEqual ? "NOT " + exists : exists, [Int(Schema.F.tags.rawValue), tag])
        case .gender, .group, .region, .occupation, .education, .contactTime:
            guard case .text(let text) = filter.operand, let field = filter.field.schemaField else { return nil }
            // Any live value: a customer whose group is in conflict is in both segments until it is resolved.
            let exists = "EXISTS (SELECT 1 FROM reg_value r WHERE r.entity = c.id AND r.field = ? AND r.value = ?)"
            return (
                filter.comparison == .notEqual ? "NOT " + exists : exists,
                [Int(field.id.rawValue), Data(Value.text(text).canonicalBytes)]
            )
        }
        let missingPasses = filter.comparison == .notEqual
        switch filter.operand {
        case .number(let n):
            return missingPasses ? ("\(column) IS NOT ?", [n]) : ("\(column) \(op) ?", [n])
        case .day(let day):
            return missingPasses ? ("\(column) IS NOT ?", [Int64(day.number)]) : ("\(column) \(op) ?", [Int64(day.number)])
        case .month(let month):
            return missingPasses
                ? ("(c.birth_md IS NULL OR c.birth_md / 100 != ?)", [month]) : ("c.birth_md / 100 = ?", [month])
        case .monthDay(let month, let day):
            let md = month * 100 + day
            return missingPasses ? ("c.birth_md IS NOT ?", [md]) : ("c.birth_md = ?", [md])
        case .rank(let rank):
            let allowed = filter.field.rankedChoices.enumerated().filter { filter.comparison.holds($0.offset, rank) }
                .map(\.element)
            let list = allowed.map { "'\($0.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ", ")
            let inList = allowed.isEmpty ? "0" : "\(column) IN (\(list))"
            return (missingPasses && filter.field != .tier ? "(\(column) IS NULL OR \(inList))" : inList, [])
        case .text:
            return nil
        }
    }

    /// Adds `holdings` (value of the holdings not matured by `today`, at the latest price on or before it, else the
    /// amount paid; 0 without any) and `matures` (days to the nearest maturity on or after `today`) to the rows.
    private static func addHoldings(to rows: inout [SegmentRow], today: Day, book: Book, db: Database) throws {
        let products = Dictionary(uniqueKeysWithValues: try book.products(db: db).map { (Product.key($0.code), $0) })
        var value: [EntityID: Int64] = [:]
        var nearest: [EntityID: Int64] = [:]
        for holding in try book.holdings(scope: nil, db: db) where holding.date <= today {
            if let matures = holding.matures, matures >= today {
                let days = Int64(matures.number - today.number)
                nearest[holding.customer] = min(nearest[holding.customer] ?? days, days)
            }
            guard !holding.hasMatured(by: today) else { continue }
            let price = products[Product.key(holding.code)]?.price(on: today)?.price
            let worth = price.flatMap { holding.valuation(current: $0)?.value } ?? holding.amount
            value[holding.customer, default: 0] += worth
        }
        for index in rows.indices {
            let id = rows[index].summary.id
            rows[index][.holdings] = value[id] ?? 0
            if let days = nearest[id] { rows[index][.matures] = days }
        }
    }

    /// Whole years from a birthday to a day (someone born on 29 February is a year older on 1 March).
    static func age(born: Day, on day: Day) -> Int {
        let b = born.civil
        let d = day.civil
        return d.year - b.year - ((d.month, d.day) < (b.month, b.day) ? 1 : 0)
    }
}
