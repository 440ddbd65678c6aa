/// What a segment query returns: the customers, in order, up to the limit, and how many matched in all.
public struct CustomerQueryResult: Sendable, Hashable {
    /// The customers, direct matches of the search text first, then pinyin ones, each group in the query's order.
    public var matches: [CustomerMatch]
    /// How many customers matched before the limit.
    public var total: Int
}
