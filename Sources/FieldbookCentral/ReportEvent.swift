import FieldbookModel

/// One live entity (created, not archived) as the centre's reports read it: a purchase or a contact, with the
/// display winners of the fields a report asked for. Each store streams these from its own projection; the report
/// builders (``SalesReport/Builder``, ``OverlapReport/Builder``, ``CoverageReport/Builder``) do the arithmetic.
public struct ReportEvent: Sendable, Hashable {
    /// The customer whose scope the entity is in, if any.
    public var customer: EntityID?
    /// The principal whose op created it.
    public var author: String
    /// The clock reading of its create.
    public var created: HLC
    /// The display winners of the fields asked for that have a live value.
    public var values: [FieldID: Value]

    /// Makes an event.
    public init(customer: EntityID?, author: String, created: HLC, values: [FieldID: Value]) {
        self.customer = customer
        self.author = author
        self.created = created
        self.values = values
    }

    /// The day a report dates it by: its `date` field, or the day it was recorded in the centre's time zone
    /// (`offsetSeconds` east of UTC) when it has none.
    public func day(offsetSeconds: Int) -> Day {
        values[Schema.F.date]?.day ?? Day(milliseconds: created.milliseconds, offsetSeconds: offsetSeconds)
    }
}
