import FieldbookModel

/// Everything visible about one entity: its kind, scope, author, and the live values of every field.
public struct EntitySnapshot: Sendable, Hashable {
    /// The entity.
    public var id: EntityID
    /// Its kind.
    public var kind: EntityKind
    /// Its scope.
    public var scope: Scope
    /// When it was created.
    public var created: HLC
    /// The principal who created it.
    public var author: String
    /// Live values per field, display winner first. Several different values are an open conflict.
    public var fields: [FieldID: [MVRegister.Entry]]
    /// Elements of set fields, sorted.
    public var sets: [FieldID: [String]]

    /// The display winner of a field.
    public func value(_ field: FieldID) -> Value? { fields[field]?.first?.value }

    /// The display text of a field's winner, or `""`.
    public func text(_ field: FieldID) -> String { value(field)?.display ?? "" }

    /// The fields whose live values differ: concurrent writes of the same value are no conflict.
    public var conflictedFields: [FieldID] { fields.filter { Set($0.value.map(\.value)).count > 1 }.keys.sorted() }
}

/// One line of a customer listing.
public struct CustomerSummary: Sendable, Hashable {
    /// The customer.
    public var id: EntityID
    /// The display name.
    public var name: String
    /// The tier, if set.
    public var tier: String?
    /// Whether the customer is archived.
    public var archived: Bool
}

/// An open conflict: a field with several live values.
public struct ConflictInfo: Sendable, Hashable {
    /// The customer the field belongs to (itself, or the owner of a family member, contact …).
    public var customer: EntityID?
    /// The entity holding the field.
    public var entity: EntityID
    /// The field.
    public var field: FieldID
    /// The live values, display winner first, each with its author principal.
    public var values: [(entry: MVRegister.Entry, principal: String)]

    public static func == (lhs: ConflictInfo, rhs: ConflictInfo) -> Bool {
        lhs.entity == rhs.entity && lhs.field == rhs.field && lhs.values.map(\.entry) == rhs.values.map(\.entry)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entity)
        hasher.combine(field)
    }
}

/// Counts and identity of a book, for `status`.
public struct BookStatus: Sendable, Hashable {
    /// The file.
    public var path: String
    /// The owner's employee code.
    public var principal: String
    /// This replica's actor.
    public var actor: ActorID
    /// The device ID given at enrolment, if the book is enrolled with a central node.
    public var device: String?
    /// Created customers (archived included).
    public var customers: Int
    /// Ops in the log.
    public var ops: Int
    /// Local ops the central node has not acknowledged.
    public var unsyncedOps: Int
    /// When the last sync finished, in Unix milliseconds.
    public var lastSync: UInt64?
    /// The overall state hash, hex.
    public var stateHash: String
}
