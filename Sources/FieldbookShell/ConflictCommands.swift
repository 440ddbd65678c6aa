import FieldbookModel
import FieldbookStore

/// `conflicts` and `resolve`.
enum ConflictCommands {
    static func conflicts(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("conflicts")
        let limit = try arguments.flags.contains("all") ? Int.max : session.limit(&arguments, usage: spec.usage)
        guard arguments.positionals.count <= 1 else { throw spec.usageError("最多一个客户") }
        let customer = try arguments.positionals.first.map { try session.book.resolveCustomer($0) }
        let list = try session.book.conflicts(customer: customer)
        var names: [EntityID: String] = [:]
        func name(_ id: EntityID?) throws -> String {
            guard let id else { return "" }
            if let known = names[id] { return known }
            let found = try session.book.snapshot(of: id)?.text(Schema.F.name) ?? ""
            names[id] = found
            return found
        }
        if arguments.json {
            session.say(
                .array(
                    try list.map { conflict in
                        .object([
                            ("customer", .string(conflict.customer?.text)), ("name", .string(try name(conflict.customer))),
                            ("entity", .string(conflict.entity.text)),
                            ("field", .string(Schema.field(conflict.field)?.name ?? conflict.field.description)),
                            ("values", .array(conflict.values.map { IDReveal.json(conflict.field, $0.entry.value, reveal: false) })),
                            ("by", .array(conflict.values.map { .string($0.principal) })),
                        ])
                    }))
            return
        }
        guard !list.isEmpty else {
            session.say("没有未解决的冲突")
            return
        }
        for conflict in list.prefix(limit) {
            let values = conflict.values.map {
                "\(IDReveal.shown(conflict.field, $0.entry.value, reveal: false))（\($0.principal)，\(session.time($0.entry.hlc))）"
            }
            let field = Schema.field(conflict.field)?.label ?? "第 \(conflict.field.rawValue) 号字段"
            let owner = try conflict.customer.map { "\(try name($0)) [\($0.short)]" } ?? ""
            let entity = conflict.entity == conflict.customer ? "" : "（\(conflict.entity.short)）"
            session.say("\(owner)\(entity) \(field)：\(values.joined(separator: " ｜ "))")
        }
        if list.count > limit {
            session.say("共 \(list.count) 处冲突，只显示前 \(limit) 处（用 --limit N 或 --all 查看更多）；用 resolve 客户 字段=值 解决")
        } else {
            session.say("共 \(list.count) 处冲突；用 resolve 客户 字段=值 解决")
        }
    }

    static func resolve(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("resolve")
        guard let reference = arguments.positionals.first else { throw spec.usageError("缺少客户") }
        // `resolve 客户 phone` keeps the value shown now; `resolve 客户 phone=…` writes a new one.
        let keep = try arguments.positionals.dropFirst().map { try Schema.field(named: $0, for: .customer) }
        let writes = try session.fieldValues(arguments.assignments, kind: .customer)
        guard !keep.isEmpty || !writes.isEmpty else { throw spec.usageError("缺少 字段=值") }
        let (id, resolved) = try session.book.write { tx in
            let id = try tx.resolveCustomer(reference)
            var resolved: [String] = []
            var targets = writes
            for field in keep {
                guard let winner = try tx.liveValues(id, field.id).first else {
                    throw ShellError.user("\(field.label)没有值，无法保留")
                }
                targets.append(FieldAssignment(field.id, winner.value))
            }
            for target in targets {
                let name = Schema.field(target.field)!.label
                guard try tx.liveValues(id, target.field).count > 1 else {
                    throw ShellError.user("\(name)没有冲突；要修改请用 set")
                }
                // A value equal to one of the conflicting ones still supersedes them all: write it afresh.
                try tx.set(id, target.field, target.value)
                if try tx.liveValues(id, target.field).count > 1 {
                    throw ShellError.user("\(name)的冲突没能解决")
                }
                resolved.append(name)
            }
            return (id, resolved)
        }
        session.say("已解决 [\(id.short)] 的冲突：\(resolved.joined(separator: "、"))")
    }
}
