/// One immutable change: the unit of the op log, of merge and of sync (ARCHITECTURE §3).
///
/// ```swift
/// let op = Operation(id: OpID(actor: me, counter: 7), hlc: clock.tick(now: ms), scope: .customer(id),
///                    principal: "M001", body: .set(entity: id, field: Schema.F.phone,
///                                                  value: .text("13800138000"), pred: current))
/// ```
public struct Operation: Hashable, Sendable {
    /// The closed set of bodies. Each commutes with every other, so replicas converge in any delivery order.
    public enum Body: Hashable, Sendable {
        /// Creates an entity with its first field values. Each initial value is a register value whose ID is
        /// the op's ID.
        case create(kind: EntityKind, entity: EntityID, fields: [FieldAssignment])
        /// Writes a multi-value register. `pred` lists the values the author saw; they are superseded.
        case set(entity: EntityID, field: FieldID, value: Value, pred: [OpID])
        /// Adds an element to an add-wins set. The op's ID tags this addition.
        case add(entity: EntityID, field: FieldID, element: String)
        /// Removes the additions of an element that the author observed; a concurrent addition survives.
        case remove(entity: EntityID, field: FieldID, element: String, observed: [OpID])

        /// The entity the body acts on.
        public var entity: EntityID {
            switch self {
            case .create(_, let entity, _), .set(let entity, _, _, _), .add(let entity, _, _),
                .remove(let entity, _, _, _):
                return entity
            }
        }

        /// The stable one-byte tag of each body, shared by every binary encoding.
        public var tag: UInt8 {
            switch self {
            case .create: return 1
            case .set: return 2
            case .add: return 3
            case .remove: return 4
            }
        }
    }

    /// Who and which position in their log.
    public var id: OpID
    /// When, as a hybrid logical clock reading.
    public var hlc: HLC
    /// Which scope the op belongs to, and so which devices receive it.
    public var scope: Scope
    /// The employee code of the principal whose device wrote the op: the audit trail.
    public var principal: String
    /// The schema version the op was written with.
    public var schemaVersion: UInt16
    /// What it does.
    public var body: Body

    /// Makes an operation.
    public init(
        id: OpID, hlc: HLC, scope: Scope, principal: String, schemaVersion: UInt16 = Schema.version, body: Body
    ) {
        self.id = id
        self.hlc = hlc
        self.scope = scope
        self.principal = principal
        self.schemaVersion = schemaVersion
        self.body = body
    }
}

/// One field value in a `create` body.
public struct FieldAssignment: Hashable, Sendable {
    /// The field.
    public var field: FieldID
    /// Its first value.
    public var value: Value

    /// Makes an assignment.
    public init(_ field: FieldID, _ value: Value) {
        self.field = field
        self.value = value
    }
}

extension Operation {
    /// Why the op cannot be applied by any replica, or `nil` when it is well formed.
    ///
    /// Checks shape only (counters, scope of a customer's creation, set versus register fields), not permission:
    /// who may write what is the central node's policy.
    public var structuralProblem: String? {
        if id.counter == 0 { return "计数器必须从 1 开始" }
        if principal.isEmpty || principal.utf8.count > 64 { return "作者编号无效" }
        switch body {
        case .create(let kind, let entity, let fields):
            if kind == .customer, scope != .customer(entity) { return "客户的创建必须属于它自己的范围" }
            if let bad = fields.first(where: { Schema.field($0.field)?.isSet == true }) {
                return "集合字段 \(bad.field) 不能在创建时赋值"
            }
        case .set(_, let field, _, _):
            if Schema.field(field)?.isSet == true { return "集合字段 \(field) 不能直接赋值" }
        case .add(_, let field, _), .remove(_, let field, _, _):
            if let spec = Schema.field(field), !spec.isSet { return "字段 \(field) 不是集合" }
        }
        return nil
    }
}

/// The short name of ``Operation`` (ARCHITECTURE §3 writes `Op`). Modules that import Foundation use it, because
/// there `Operation` also names Foundation's `NSOperation` and is ambiguous.
public typealias Op = Operation
