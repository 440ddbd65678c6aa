import FieldbookModel

/// Customers contacted by more than one principal within a window of days, as `fieldbook admin report overlap` shows
/// it: the centre's guard against marketing one customer twice (避免多层次营销). The channels counted are the people
/// who reached the customer: one manager who called and then visited is one channel, not two.
///
/// ```swift
/// let report = try central.overlapReport(days: 30)
/// for customer in report.customers { print(customer.name, customer.channels, customer.principals) }
/// ```
public struct OverlapReport: Sendable, Hashable {
    /// One customer contacted by more than one principal.
    public struct Customer: Sendable, Hashable {
        /// The customer.
        public var id: EntityID
        /// Its display name.
        public var name: String
        /// Its tier, if set.
        public var tier: String?
        /// The owning manager.
        public var owner: String?
        /// Contacts in the window.
        public var contacts: Int
        /// The distinct contact types used (`call`, `visit`, …), sorted: shown, not counted.
        public var channels: [String]
        /// The distinct principals who made the contacts, sorted: the channels, at least two.
        public var principals: [String]
        /// The first and last contact day in the window.
        public var first: Day
        /// The last contact day in the window.
        public var last: Day

        /// Makes a value (for the stores that compute it).
        package init(id: EntityID, name: String, tier: String?, owner: String?, contacts: Int, channels: [String], principals: [String], first: Day, last: Day) {
            self.id = id
            self.name = name
            self.tier = tier
            self.owner = owner
            self.contacts = contacts
            self.channels = channels
            self.principals = principals
            self.first = first
            self.last = last
        }
    }

    /// The first day of the window (inclusive).
    public var from: Day
    /// The last day of the window (the report's day, inclusive).
    public var to: Day
    /// The customers, most principals first, then most contact types, then most contacts, then by ID.
    public var customers: [Customer]

    /// Makes a value (for the stores that compute it).
    package init(from: Day, to: Day, customers: [Customer]) {
        self.from = from
        self.to = to
        self.customers = customers
    }
}
