import FieldbookModel
import FieldbookStore

/// `conflicts`, `resolve`, `history`.
enum ConflictCommands {
    static func conflicts(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("conflicts")
        try arguments.allowFlags(["json", "all"], usage: spec.usage)
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
        try arguments.allowFlags([], usage: spec.usage)
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

    static func history(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("history")
        try arguments.allowFlags(["json", "all", "reveal"], usage: spec.usage)
        let limit = try session.limit(&arguments, usage: spec.usage)
        guard arguments.positionals.count == 1 else { throw spec.usageError("需要一个客户") }
        // ID numbers are masked unless asked for; asking is recorded in the work log (IDReveal).
        let reveal = arguments.flags.contains("reveal")
        let id = try session.book.resolveCustomer(arguments.positionals[0])
        let ops = try session.book.history(of: .customer(id))
        if reveal, ops.contains(where: Self.holdsIDNumber) {
            try IDReveal.record(.history, customers: [id], session: session)
        }
        if arguments.json {
            session.say(
                .array(
                    ops.map { op in
                        .object([
                            ("at", .string(session.time(op.hlc))), ("by", .string(op.principal)),
                            ("device", .string(op.id.actor.short)), ("op", .string("\(op.id.actor.hex)/\(op.id.counter)")),
                            ("change", .string(describe(op, labels: false, reveal: reveal))),
                        ])
                    }))
            return
        }
        // The newest changes matter most: a long history shows its last `limit`, saying how many came before.
        let shown = arguments.flags.contains("all") ? ops.count : min(limit, ops.count)
        if shown < ops.count {
            session.say(session.style.dim("（更早的 \(ops.count - shown) 条没有显示：用 --all 查看全部）"))
        }
        for op in ops.suffix(shown) {
            session.say("\(session.time(op.hlc))  \(HistoryAuthor.shown(op))  \(describe(op, reveal: reveal))")
        }
        session.say("共 \(ops.count) 条变更")
    }

    /// Whether an op writes an ID number (a `history --reveal` of it is recorded).
    static func holdsIDNumber(_ op: Op) -> Bool {
        switch op.body {
        case .create(_, _, let fields): fields.contains { $0.field == Schema.F.idNumber && $0.value != .null }
        case .set(_, let field, let value, _): field == Schema.F.idNumber && value != .null
        default: false
        }
    }

    /// One line describing an op, in the user's words: fields by their Chinese labels and choices by their Chinese
    /// names (`labels: false`, for `--json`, keeps the field keys and stored values as before), ID numbers masked
    /// unless `reveal`.
    static func describe(_ op: Op, labels: Bool = true, reveal: Bool = false) -> String {
        func name(_ field: FieldID) -> String {
            guard let spec = Schema.field(field) else { return labels ? "第 \(field.rawValue) 号字段" : field.description }
            return labels ? spec.label : spec.name
        }
        func value(_ field: FieldID, _ value: Value) -> String {
            if labels { return Render.oneLine(IDReveal.shown(field, value, reveal: reveal)) }
            let masked = !reveal && Schema.field(field)?.type == .idNumber
            if masked, case .text(let number) = value { return IDReveal.mask(number) }
            return Render.oneLine(value.display)
        }
        switch op.body {
        case .create(let kind, _, let fields):
            let list = fields.map { "\(name($0.field))=\(value($0.field, $0.value))" }.joined(separator: " ")
            return "新建\(kind.label) \(list)"
        case .set(_, let field, let new, let pred):
            let replaced = pred.count > 1 ? "（取代 \(pred.count) 个并存的值）" : ""
            return new == .null ? "清除 \(name(field))" : "\(name(field)) → \(value(field, new))\(replaced)"
        case .add(_, let field, let element):
            return "\(name(field)) +\(element)"
        case .remove(_, let field, let element, _):
            return "\(name(field)) -\(element)"
        }
    }
}
