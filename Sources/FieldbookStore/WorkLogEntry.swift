import FieldbookModel

/// One entry of a principal's work log (工作日志): a line of the day's journal, or a customer on a day's call list.
///
/// Journal entries live in the principal's scope (`p:<code>`), so they follow the manager to every device and never
/// reach anyone else's. A plan entry lives in the scope of the customer it names, so it leaves the book with the
/// customer (a purge erases it); entries written before that rule stay in the principal's scope, naming only the
/// customer's ID.
public struct WorkLogEntry: Sendable, Hashable {
    /// The entry.
    public var id: EntityID
    /// The day it is about: the journal's day, or the day the customer is to be called.
    public var day: Day
    /// Whether it is a call-list entry rather than journal text.
    public var isPlan: Bool
    /// For a plan entry, the customer.
    public var customer: EntityID?
    /// The journal text, or the reason for the call.
    public var text: String?
    /// When it was written.
    public var created: HLC

    /// Makes an entry.
    public init(id: EntityID, day: Day, isPlan: Bool, customer: EntityID?, text: String?, created: HLC) {
        self.id = id
        self.day = day
        self.isPlan = isPlan
        self.customer = customer
        self.text = text
        self.created = created
    }
}
