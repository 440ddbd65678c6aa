import FieldbookModel
import FieldbookStore

/// `history REF`: every change to a customer, when, by whom and on which device (SHELL.md).
enum HistoryCommand {
    static func history(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("history")
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
