/// What an operation belongs to, and so which devices receive it.
///
/// Everything about one customer (its fields, family, purchases, contacts, tasks, complaints, movements) shares the
/// customer's scope; a principal's work log and private tasks are the principal's; the product catalogue and its
/// prices are global.
public enum Scope: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Everything about one customer.
    case customer(EntityID)
    /// A principal's own work log and private tasks, by employee code.
    case principal(String)
    /// The product catalogue and prices.
    case global

    /// A stable text key used in the database and in hashes: `c:<id>`, `p:<code>` or `g`.
    public var key: String {
        switch self {
        case .customer(let id): return "c:" + id.text
        case .principal(let code): return "p:" + code
        case .global: return "g"
        }
    }

    /// Parses ``key``.
    public init?(key: String) {
        if key == "g" {
            self = .global
        } else if key.hasPrefix("c:"), let id = EntityID(text: key.dropFirst(2)) {
            self = .customer(id)
        } else if key.hasPrefix("p:"), key.count > 2 {
            self = .principal(String(key.dropFirst(2)))
        } else {
            return nil
        }
    }

    /// The customer, for a customer scope.
    public var customer: EntityID? {
        if case .customer(let id) = self { return id }
        return nil
    }

    public var description: String { key }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.key < rhs.key }
}
