import FieldbookModel
import FieldbookStore

/// `undo` (issue 18): reverts this session's last command that changed the book, with compensating ops
/// (``BookTransaction/undo(_:)``): `history` keeps both. Each `undo` goes one command further back; it refuses,
/// changing nothing, when what the command changed was changed since by someone else.
enum UndoCommand {
    /// One command of the session that wrote ops: what it was and the range of this book's own op counters it used.
    struct Entry: Sendable {
        /// The command as typed (for "已撤销：…").
        var line: String
        /// The own-op counter before the command.
        var after: UInt64
        /// The own-op counter after it.
        var through: UInt64
    }

    /// Commands whose ops `undo` does not revert: itself, and those whose only ops are records of revealed ID
    /// numbers (``IDReveal``), which are the audit trail.
    static let notRemembered: Set<String> = ["undo", "show", "history", "export", "sync"]

    static func undo(_ session: Session, _ arguments: inout Arguments) throws {
        guard arguments.positionals.isEmpty, arguments.assignments.isEmpty else {
            throw arguments.usageError("undo 不带参数：它撤销本次会话的上一条修改命令")
        }
        guard let entry = session.undoStack.last else {
            throw ShellError.user("本次会话还没有可以撤销的修改（undo 只撤销这次打开账本以来的命令）")
        }
        let book = session.book
        let ops = try book.ownOps(after: entry.after, through: entry.through)
        guard !ops.isEmpty else {
            session.undoStack.removeLast()
            throw ShellError.user("上一条命令改动的客户已不在本账本里（同步时移出），无法撤销")
        }
        let result = try book.write { tx in try tx.undo(ops) }
        session.undoStack.removeLast()
        var parts: [String] = []
        if result.restoredFields > 0 { parts.append("恢复 \(result.restoredFields) 个字段") }
        if result.restoredElements > 0 { parts.append("还原 \(result.restoredElements) 个标签") }
        if !result.archivedEntities.isEmpty {
            let kinds = try result.archivedEntities.compactMap { try book.snapshot(of: $0)?.kind }
            let counts = EntityKind.known.compactMap { kind -> String? in
                let n = kinds.filter { $0 == kind }.count
                guard n > 0 else { return nil }
                return kind == .customer ? "\(n) 位客户（已归档）" : "\(n) 条\(kind.label)"
            }
            parts.append("撤回新建的 " + counts.joined(separator: "、"))
        }
        session.say("已撤销：\(entry.line)" + (parts.isEmpty ? "" : "（\(parts.joined(separator: "，"))）"))
        let customers = try result.customers.prefix(5).map { try session.label(customer: $0) }
        if !customers.isEmpty, result.customers.count <= 5 {
            session.say("涉及客户：" + customers.joined(separator: "、") + "；history 里两次修改都在")
        } else if !customers.isEmpty {
            session.say("涉及 \(result.customers.count) 位客户；history 里两次修改都在")
        }
    }
}
