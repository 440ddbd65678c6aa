import FieldbookModel

/// One customer of a segment (``Book/find(_:today:)``): its listing line, how the search text found it, and the
/// values of the ordered fields the query named (``CustomerQuery/shownFields``), for the listing's columns.
public struct CustomerMatch: Sendable, Hashable {
    /// The customer's listing line.
    public var customer: CustomerSummary
    /// Whether only the name's pinyin or initials matched the search text (such matches come after direct ones).
    public var byPinyin: Bool
    /// The value of each shown field the customer has: money as ``Value/money(_:)``, days as ``Value/date(_:)``,
    /// choices as ``Value/text(_:)``, day counts and years as ``Value/int(_:)``.
    public var values: [SegmentField: Value]
}
