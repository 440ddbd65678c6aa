/// A customer segment (客户细分): search text, filters combined with AND, an order and a limit; what `find` asks a
/// book (`Book.find(_:)` in FieldbookStore).
///
/// ```swift
/// var query = CustomerQuery()
/// query.filters = [try .parse("tier>=钻石", today: today), try .parse("last_contact>30d", today: today)]
/// query.sort = try CustomerSort.parse("-aum")
/// query.limit = 20
/// ```
public struct CustomerQuery: Sendable, Hashable {
    /// A substring of name, phone or note; two or more Latin letters also match the name's pinyin or initials
    /// (``NamePinyin``), ranked after the customers the text itself finds. `nil` or empty: every customer.
    public var text: String?
    /// Conditions that must all hold.
    public var filters: [CustomerFilter]
    /// The order; `nil` is by name, then ID.
    public var sort: CustomerSort?
    /// The most customers to return; `nil` is all.
    public var limit: Int?
    /// Whether archived customers are included.
    public var includeArchived: Bool

    /// Makes a query; the defaults are every customer that is not archived, by name.
    public init(
        text: String? = nil, filters: [CustomerFilter] = [], sort: CustomerSort? = nil, limit: Int? = nil,
        includeArchived: Bool = false
    ) {
        self.text = text
        self.filters = filters
        self.sort = sort
        self.limit = limit
        self.includeArchived = includeArchived
    }

    /// The fields a listing of the result should show beside the name: the ordered ones filtered or sorted on, in
    /// the order first named, the tier left out (a listing shows it anyway).
    public var shownFields: [SegmentField] {
        var fields: [SegmentField] = []
        for field in filters.map(\.field) + (sort.map { [$0.field] } ?? []) where field.isOrdered && field != .tier {
            if !fields.contains(field) { fields.append(field) }
        }
        return fields
    }
}
