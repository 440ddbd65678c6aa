/// What an administrative change did: the customer, and whether anything changed.
public struct AdminOutcome: Sendable, Hashable {
    /// The customer, as it stands after the change.
    public var customer: CentralCustomer
    /// `false` when the customer already stood so (nothing written).
    public var changed: Bool
    /// The owner before the change.
    public var previousOwner: String?

    /// Makes a value (for the stores that compute it).
    package init(customer: CentralCustomer, changed: Bool, previousOwner: String?) {
        self.customer = customer
        self.changed = changed
        self.previousOwner = previousOwner
    }
}
