import FieldbookModel

/// Who made a change, as `history` shows it: the principal and device of a device's op, the administrator of a
/// change the centre wrote (owner, co-coverage: SPEC §10, "Ops the centre writes").
enum HistoryAuthor {
    /// `M001  设备 3f9a12`, or `管理员 A001（中心节点）`, or `中心节点` for a change written before administrators
    /// were named (issue 19).
    static func shown(_ op: Op) -> String {
        guard isAdminChange(op) else { return "\(op.principal)  设备 \(op.id.actor.short)" }
        return op.principal == "central" ? "中心节点" : "管理员 \(op.principal)（中心节点）"
    }

    /// Whether the op changes a field only the administrator writes (a device's own `create` names its owner too,
    /// but that is the device's op).
    static func isAdminChange(_ op: Op) -> Bool {
        switch op.body {
        case .create: return false
        case .set(_, let field, _, _), .add(_, let field, _), .remove(_, let field, _, _):
            return Schema.field(field)?.writer == .admin
        }
    }
}
