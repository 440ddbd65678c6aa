import FieldbookModel
import FieldbookWire

/// Why the central node did not store a pushed op, with what the device is told about it (SPEC §10, §11.2).
///
/// The words name the customer by its short ID, the kind of change and the field, never a value, so they may be
/// sent to the device, logged and kept in the centre's refusal log.
public struct Refusal: Sendable, Hashable {
    /// The rule the op broke.
    public enum Reason: Sendable, Hashable {
        /// The op carries another principal than the device's.
        case foreignAuthor
        /// The op is not well formed (``Operation/structuralProblem``).
        case malformed(String)
        /// The op is clocked more than ``ScopePolicy/clockBound`` ahead of the centre.
        case clockAhead
        /// A value breaks the value rules (``Operation/valueProblem``).
        case invalidValue(String)
        /// A create names an entity that exists already (it would change the entity's kind or parent).
        case notNew
        /// A create names an entity of version 8 (named by its creating op) that is not the one this op's actor and
        /// counter derive: it would take another op's entity before that op is made (SPEC [W-10.9]).
        case notDerivedFromOp
        /// The op names an entity (or a parent customer) the centre does not hold.
        case unknownEntity
        /// The declared scope is not the one the centre's records give the entity.
        case scopeMismatch
        /// The kind may not be created in the declared scope.
        case wrongScopeForKind
        /// The field does not belong to the entity's kind.
        case fieldNotOfKind(FieldID)
        /// Coverage fields are written by the admin only.
        case adminField(FieldID)
        /// The customer (or principal scope) is not the device's, and was not when the device last heard.
        case outOfScope
    }

    /// The rule broken.
    public var reason: Reason
    /// The op refused.
    public var op: OpID
    /// The customer the op was declared for, if any (its short ID may be shown).
    public var customer: EntityID?
    /// The kind of change: the body's tag and the field, for the words.
    public var change: String

    /// Makes a refusal of `op`.
    public init(_ reason: Reason, op: Op) {
        self.reason = reason
        self.op = op.id
        self.customer = op.scope.customer
        switch op.body {
        case .create(let kind, _, _): change = "新建\(kind.label)"
        case .set(_, let field, _, _): change = "修改\(Self.fieldName(field))"
        case .add(_, let field, _): change = "添加\(Self.fieldName(field))"
        case .remove(_, let field, _, _): change = "移除\(Self.fieldName(field))"
        }
    }

    private static func fieldName(_ field: FieldID) -> String { Schema.field(field)?.label ?? "字段 \(field.rawValue)" }

    /// The wire error code the device is sent (§11.2).
    public var code: ErrorCode { reason == .outOfScope ? .scopeViolation : .permissionDenied }

    /// A stable small number per reason, stored in the centre's refusal log.
    public var reasonNumber: Int {
        switch reason {
        case .foreignAuthor: return 1
        case .malformed: return 2
        case .clockAhead: return 3
        case .invalidValue: return 4
        case .notNew: return 5
        case .unknownEntity: return 6
        case .scopeMismatch: return 7
        case .wrongScopeForKind: return 8
        case .fieldNotOfKind: return 9
        case .adminField: return 10
        case .outOfScope: return 11
        case .notDerivedFromOp: return 12
        }
    }

    /// Why, in words, for a reason number of the refusal log (``reasonNumber``).
    public static func why(_ number: Int) -> String {
        switch number {
        case 1: return "作者不是本设备的员工"
        case 2: return "操作格式不对"
        case 3: return "时间比中心节点快太多（设备时钟不对）"
        case 4: return "值不符合规则"
        case 5: return "记录已存在，不能再次新建或改变类型"
        case 6: return "中心节点没有这条记录"
        case 7: return "声明的范围与记录所属的客户不符"
        case 8: return "这类记录不能建在这个范围里"
        case 9: return "字段不属于这类记录"
        case 10: return "管户与协同只能由管理员修改"
        case 11: return "客户不在本设备的范围内（已改派或协同已结束）"
        case 12: return "新记录的编号不是由创建它的这个操作得出的"
        default: return "未知原因"
        }
    }

    /// What the device is told: customer short ID, kind of change, and why.
    public var words: String {
        var why = Self.why(reasonNumber)
        switch reason {
        case .malformed(let detail), .invalidValue(let detail): why += "：\(detail)"
        default: break
        }
        let whose = customer.map { "客户 [\($0.short)]" } ?? "客户以外的记录"
        return "\(whose)的\(change)未被接收：\(why)"
    }
}
