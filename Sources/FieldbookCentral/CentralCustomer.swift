import FieldbookModel

/// A customer of the master file as `admin find` and `admin customers` list it: no phone, no ID number.
public struct CentralCustomer: Sendable, Hashable {
    /// The customer.
    public var id: EntityID
    /// Its display name.
    public var name: String
    /// Its tier, if set.
    public var tier: String?
    /// The owning manager.
    public var owner: String?
    /// The co-covering advisors, sorted.
    public var cocoverers: [String]
    /// Whether it is archived.
    public var archived: Bool

    /// Makes a value (for the stores that compute it).
    package init(id: EntityID, name: String, tier: String?, owner: String?, cocoverers: [String], archived: Bool) {
        self.id = id
        self.name = name
        self.tier = tier
        self.owner = owner
        self.cocoverers = cocoverers
        self.archived = archived
    }

    /// `王芳 [3hk3sx]`: how a confirmation names a customer.
    public var label: String { "\(name) [\(id.short)]" }
}
