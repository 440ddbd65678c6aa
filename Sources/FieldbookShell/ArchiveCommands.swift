import FieldbookModel
import FieldbookStore

/// `archive REF` and `unarchive REF` (SHELL.md): hide a customer from `find`, `today` and `@`, and bring it back.
/// Nothing is deleted: archiving is one `set` of the customer's `archived` field, which `history` shows and `undo`
/// reverts. `@` archives every customer of the last listing, in one transaction.
enum ArchiveCommands {
    static func archive(_ session: Session, _ arguments: inout Arguments) throws {
        try change(session, &arguments, archive: true)
    }

    static func unarchive(_ session: Session, _ arguments: inout Arguments) throws {
        try change(session, &arguments, archive: false)
    }

    private static func change(_ session: Session, _ arguments: inout Arguments, archive: Bool) throws {
        let spec = Commands.spec(archive ? "archive" : "unarchive")
        guard arguments.positionals.count == 1 else {
            throw spec.usageError(arguments.positionals.isEmpty ? "缺少客户" : "一次一位客户（多位请先 find 再用 @）")
        }
        let reference = arguments.positionals[0]
        let verb = archive ? "归档" : "取消归档"
        if Session.isAt(reference) {
            guard let customers = try session.atCustomers(arguments, action: verb) else { return }
            let changed = try session.book.write { tx in
                try customers.filter { archive ? try tx.archive($0) != nil : try tx.unarchive($0) != nil }.count
            }
            let same = customers.count - changed
            session.say("已\(verb) \(changed) 位客户" + (same > 0 ? "（另有 \(same) 位本来就\(archive ? "已归档" : "没有归档")）" : ""))
            if archive, changed > 0 { session.say("find、today 和 @ 不再列出它们；find --archived 可以找到，unarchive 恢复") }
            return
        }
        let (id, changed) = try session.book.write { tx in
            let id = try tx.resolveCustomer(reference)
            return (id, archive ? try tx.archive(id) != nil : try tx.unarchive(id) != nil)
        }
        let label = try session.label(customer: id)
        guard changed else {
            session.say("\(label) 本来就\(archive ? "已归档" : "没有归档")")
            return
        }
        if archive {
            session.say("已归档 \(label)：find、today 和 @ 不再列出它（记录都还在；用 unarchive 恢复）")
        } else {
            session.say("已取消归档 \(label)：find 和 today 重新列出它")
        }
    }
}
