import FieldbookModel

/// One contact of a day's work log (`journal`): whom, how, what was said.
///
/// A contact with a customer that has left the book since (purged: reassigned, or out of coverage) keeps its line
/// with its channel only: the customer, what was said and when are gone with the customer (`purged_contact` keeps
/// counts per day and channel, nothing else).
public struct JournalLine: Sendable, Hashable {
    /// The contact, or `nil` for a customer that left the book.
    public var contact: EntityID?
    /// The customer, or `nil` when it left the book.
    public var customer: EntityID?
    /// The customer's name as the book shows it now, or `nil` when it left the book.
    public var name: String?
    /// `call` `visit` `home` `message` `event` (``ContactChannel``).
    public var channel: String
    /// What was said, if written.
    public var text: String?
    /// The outcome, if written.
    public var outcome: String?
    /// When it was recorded, or `nil` for a customer that left the book.
    public var recorded: HLC?

    /// Whether the customer has left the book.
    public var isPurged: Bool { customer == nil }
}
