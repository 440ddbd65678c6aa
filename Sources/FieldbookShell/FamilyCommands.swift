import FieldbookModel
import FieldbookStore

/// `family set FAMREF field=value …` and `family remove FAMREF` (issue 18): correcting a family member rather than
/// adding a second one, by the short ID the card shows. `family CUSTOMER NAME relation=…` (adding) stays with
/// ``CustomerCommands/family(_:_:)``. Removing is a `set` of the member's `archived` field: it leaves the card and the
/// birthdays of `today`, `history` keeps it, and `undo` brings it back.
enum FamilyCommands {
    static let setWords: Set<String> = ["set", "修改"]
    static let removeWords: Set<String> = ["remove", "移除", "删除"]

    static func family(_ session: Session, _ arguments: inout Arguments) throws {
        guard let first = arguments.positionals.first else { return try CustomerCommands.family(session, &arguments) }
        if setWords.contains(first) { return try set(session, &arguments) }
        if removeWords.contains(first) { return try remove(session, &arguments) }
        try CustomerCommands.family(session, &arguments)
    }

    static func set(_ session: Session, _ arguments: inout Arguments) throws {
        guard arguments.positionals.count == 2 else {
            throw arguments.usageError(arguments.positionals.count < 2 ? "缺少家人的短 ID（见客户卡片）" : "一次修改一位家人")
        }
        guard !arguments.assignments.isEmpty else { throw arguments.usageError("缺少要修改的字段，如 birthday=2012-06-01") }
        let fields = try session.fieldValues(arguments.assignments, kind: .family)
        let reference = arguments.positionals[1]
        let (member, customer, changed) = try session.book.write { tx in
            let member = try tx.resolveFamilyMember(reference)
            let changed = try tx.updateFamilyMember(member, fields)
            return (member, try tx.snapshot(of: member)?.scope.customer, changed)
        }
        let who = try label(session, member: member, customer: customer)
        guard !changed.isEmpty else {
            session.say("\(who) 没有变化")
            return
        }
        let parts = changed.compactMap { op -> String? in
            guard case .set(_, let field, let value, _) = op.body, let spec = Schema.field(field) else { return nil }
            return "\(spec.label) \(value == .null ? "（已清空）" : spec.shown(value))"
        }
        session.say("已修改 \(who)：" + parts.joined(separator: "，"))
    }

    static func remove(_ session: Session, _ arguments: inout Arguments) throws {
        guard arguments.positionals.count == 2, arguments.assignments.isEmpty else {
            throw arguments.usageError(arguments.positionals.count < 2 ? "缺少家人的短 ID（见客户卡片）" : "一次移除一位家人")
        }
        let reference = arguments.positionals[1]
        let (member, customer) = try session.book.write { tx in
            let member = try tx.resolveFamilyMember(reference)
            try tx.removeFamilyMember(member)
            return (member, try tx.snapshot(of: member)?.scope.customer)
        }
        session.say("已移除 \(try label(session, member: member, customer: customer))（卡片和生日提醒里不再出现；history 仍有记录，undo 可恢复）")
    }

    /// `王芳 [abc123] 的家人 李小雨（女儿）[def456]`.
    private static func label(_ session: Session, member: EntityID, customer: EntityID?) throws -> String {
        let snapshot = try session.book.snapshot(of: member)
        let name = snapshot?.text(Schema.F.name) ?? ""
        let relation = snapshot?.text(Schema.F.relation) ?? ""
        let owner = try customer.map { try session.label(customer: $0) + " 的" } ?? ""
        return "\(owner)家人 \(name)" + (relation.isEmpty ? "" : "（\(relation)）") + "[\(member.short)]"
    }
}
