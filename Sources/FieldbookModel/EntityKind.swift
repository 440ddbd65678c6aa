/// The kind of an entity. A struct over its wire byte rather than an enum, so that a kind added by a newer schema
/// still decodes (and is kept) on an older replica.
public struct EntityKind: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The stable byte used in the store and on the wire.
    public var rawValue: UInt8

    /// Wraps a byte.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// A customer (客户).
    public static let customer = EntityKind(rawValue: 1)
    /// A customer's family member (家人).
    public static let family = EntityKind(rawValue: 2)
    /// A purchase of a product (购买记录).
    public static let purchase = EntityKind(rawValue: 3)
    /// A contact: call, visit, message, event (联系记录).
    public static let contact = EntityKind(rawValue: 4)
    /// A follow-up task (待办).
    public static let task = EntityKind(rawValue: 5)
    /// A complaint (投诉).
    public static let complaint = EntityKind(rawValue: 6)
    /// A large account movement (大额异动).
    public static let movement = EntityKind(rawValue: 7)
    /// A product of the catalogue (产品).
    public static let product = EntityKind(rawValue: 8)
    /// A work-log entry (工作日志).
    public static let worklog = EntityKind(rawValue: 9)

    /// Every kind this schema knows.
    public static let known: [EntityKind] = [
        .customer, .family, .purchase, .contact, .task, .complaint, .movement, .product, .worklog,
    ]

    /// The English name (`customer`, `family` …).
    public var name: String {
        switch self {
        case .customer: return "customer"
        case .family: return "family"
        case .purchase: return "purchase"
        case .contact: return "contact"
        case .task: return "task"
        case .complaint: return "complaint"
        case .movement: return "movement"
        case .product: return "product"
        case .worklog: return "worklog"
        default: return "kind\(rawValue)"
        }
    }

    /// The Chinese name shown in the shell.
    public var label: String {
        switch self {
        case .customer: return "客户"
        case .family: return "家人"
        case .purchase: return "购买"
        case .contact: return "联系"
        case .task: return "待办"
        case .complaint: return "投诉"
        case .movement: return "异动"
        case .product: return "产品"
        case .worklog: return "日志"
        default: return name
        }
    }

    /// Events are only created; corrections are `set`s on them (ARCHITECTURE §3).
    public var isEvent: Bool { [.purchase, .contact, .complaint, .movement, .worklog].contains(self) }

    public var description: String { name }

    public static func < (lhs: EntityKind, rhs: EntityKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The stable number of a field in the schema. Numbers are never reused, so an old op stays readable after the
/// field table grows; a number this replica does not know is kept and hashed, but not shown.
public struct FieldID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The stable number used in the store and on the wire.
    public var rawValue: UInt16

    /// Wraps a number.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public var description: String { Schema.field(self)?.name ?? "field\(rawValue)" }

    public static func < (lhs: FieldID, rhs: FieldID) -> Bool { lhs.rawValue < rhs.rawValue }
}
