import FieldbookModel
import FieldbookStore

/// `task`, `tasks`, `done`: follow-ups, about a customer or the manager's own.
enum TaskCommands {
    static func task(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("task")
        guard !arguments.positionals.isEmpty else { throw spec.usageError("缺少待办内容") }
        guard arguments.assignments.contains(where: { $0.key == "due" || $0.key == "到期" }) else {
            throw spec.usageError("缺少 due=日期（如 due=明天、due=3天后、due=11-30）")
        }
        var fields = try session.fieldValues(arguments.assignments, kind: .task)
        guard let due = fields.first(where: { $0.field == Schema.F.due })?.value, due != .null else {
            throw spec.usageError("due= 不能为空")
        }
        // `task @ 发送新品介绍 due=…`: one task for each customer of the last listing, in one transaction.
        if let first = arguments.positionals.first, Session.isAt(first), arguments.positionals.count >= 2 {
            let text = arguments.positionals.dropFirst().joined(separator: " ")
            guard let customers = try session.atCustomers(arguments, action: "各建一条待办") else { return }
            fields.removeAll { $0.field == Schema.F.text || $0.field == Schema.F.done }
            fields.insert(FieldAssignment(Schema.F.text, .text(text)), at: 0)
            try session.book.write { tx in
                for customer in customers { try tx.create(.task, scope: .customer(customer), fields: fields) }
            }
            session.say("已为 \(customers.count) 位客户各建一条待办：\(due.day!.short)  \(text)")
            return
        }
        // `task 王芳 回电话 due=…` is about a customer; `task 准备周报 due=…` is the manager's own. A first word that
        // names several customers is an error rather than a silent private task.
        var reference: String?
        if arguments.positionals.count >= 2, try names(session.book, arguments.positionals[0]) {
            reference = arguments.positionals[0]
        }
        let text = arguments.positionals.dropFirst(reference == nil ? 0 : 1).joined(separator: " ")
        fields.removeAll { $0.field == Schema.F.text || $0.field == Schema.F.done }
        fields.insert(FieldAssignment(Schema.F.text, .text(text)), at: 0)
        let principal = session.book.principal
        let (id, customer) = try session.book.write { tx in
            let customer = try reference.map { try tx.resolveCustomer($0) }
            let scope = customer.map(Scope.customer) ?? .principal(principal)
            return (try tx.create(.task, scope: scope, fields: fields), customer)
        }
        let owner = try customer.map { try session.label(customer: $0) } ?? "（个人）"
        let at = TimeOfDay(fields.first { $0.field == Schema.F.at }?.value)
        let place = AppointmentPlace(fields.first { $0.field == Schema.F.place }?.value)
        if arguments.json {
            session.say(
                .object([
                    ("id", .string(id.text)), ("short", .string(id.short)), ("customer", .string(customer?.text)),
                    ("text", .string(text)), ("due", Render.json(due)), ("at", .string(at?.text)),
                    ("where", .string(place?.rawValue)),
                ]))
            return
        }
        session.say("已建\(at == nil ? "待办" : "约见") [\(id.short)]：\(when(due.day!, at, place))  \(owner)")
        if due.day! < session.today { session.say("注意：到期日已经过了") }
        // Two appointments at the same time on the same day: say so (both are kept).
        if let at, let clash = try session.book.agendaInput().tasks.first(where: {
            $0.id != id && $0.due == due.day! && $0.at == at
        }) {
            let other = try clash.customer.map { try session.label(customer: $0) } ?? "（个人）"
            session.say("注意：\(at.text) 已有约见 [\(clash.id.short)] \(other)")
        }
    }

    /// `11-24 周二 14:30 上门`: a task's day, with the time and place of an appointment.
    static func when(_ day: Day, _ at: TimeOfDay?, _ place: AppointmentPlace?) -> String {
        [day.short, at?.text, place?.label].compactMap { $0 }.joined(separator: " ")
    }

    static func done(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("done")
        guard !arguments.positionals.isEmpty else { throw spec.usageError("缺少待办的短 ID（tasks 列出待办）") }
        guard arguments.assignments.isEmpty else { throw spec.usageError("done 只接受待办的短 ID") }
        let references = arguments.positionals
        let results = try session.book.write { tx in
            var results: [(EntityID, String, Bool)] = []
            for reference in references {
                let id = try tx.resolveEntity(reference, kind: .task)
                guard !results.contains(where: { $0.0 == id }) else { continue }
                let text = try tx.snapshot(of: id)?.text(Schema.F.text) ?? ""
                let changed = try tx.set(id, Schema.F.done, .bool(true)) != nil
                results.append((id, text, changed))
            }
            return results
        }
        for (id, text, changed) in results {
            session.say(changed ? "已完成 [\(id.short)]：\(text)" : "[\(id.short)] 本来就已完成：\(text)")
        }
    }

    static func tasks(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("tasks")
        let limit = try session.limit(&arguments, usage: spec.usage)
        guard arguments.positionals.count <= 1, arguments.assignments.isEmpty else {
            throw spec.usageError("最多一个客户")
        }
        let includeDone = arguments.flags.contains("all")
        let book = session.book
        let list = try session.entities(.task, of: arguments.positionals.first)
        let today = session.today
        let shown = list.filter { includeDone || !isDone($0) }.sorted(by: order)
        var names = Names(book: book)
        if arguments.json {
            session.say(
                .array(
                    try shown.map { task in
                        .object([
                            ("id", .string(task.id.text)), ("customer", .string(task.scope.customer?.text)),
                            ("name", .string(try task.scope.customer.map { try names.name($0) })),
                            ("text", .string(task.text(Schema.F.text))),
                            ("due", task.value(Schema.F.due).map(Render.json) ?? .null), ("done", .bool(isDone(task))),
                            ("at", .string(TimeOfDay(task.value(Schema.F.at))?.text)),
                            ("where", .string(AppointmentPlace(task.value(Schema.F.place))?.rawValue)),
                        ])
                    }))
            return
        }
        guard !shown.isEmpty else {
            session.say(includeDone ? "没有待办" : "没有未完成的待办")
            return
        }
        var table = TextTable(header: ["ID", "到期", "客户", "待办"])
        var overdueRows: Set<Int> = []
        for (index, task) in shown.prefix(limit).enumerated() {
            var due = task.value(Schema.F.due)?.day.map {
                when($0, TimeOfDay(task.value(Schema.F.at)), AppointmentPlace(task.value(Schema.F.place)))
            } ?? "无期限"
            if isDone(task) {
                due += " 已完成"
            } else if let day = task.value(Schema.F.due)?.day, day < today {
                due += " 逾期"
                overdueRows.insert(index + 1)
            }
            let owner = try task.scope.customer.map { "\(try names.name($0)) [\($0.short)]" } ?? "（个人）"
            table.append([task.id.short, due, owner, task.text(Schema.F.text)])
        }
        for (index, line) in table.render().enumerated() {
            session.say(index == 0 ? session.style.bold(line) : overdueRows.contains(index) ? session.style.red(line) : line)
        }
        let overdue = shown.filter { !isDone($0) && ($0.value(Schema.F.due)?.day.map { $0 < today } ?? false) }.count
        session.sayCount(shown.count, shown: min(limit, shown.count), unit: "条", noun: "待办" + (overdue > 0 ? "（逾期 \(overdue) 条）" : ""))
    }

    /// Whether a word names a customer; `false` when it names none, an error when it names several.
    static func names(_ book: Book, _ word: String) throws -> Bool {
        let result: Result<EntityID, StoreError> = Result { () throws(StoreError) in try book.resolveCustomer(word) }
        switch result {
        case .success: return true
        case .failure(let error) where error.code == .unknownReference: return false
        case .failure(let error): throw error
        }
    }

    static func isDone(_ task: EntitySnapshot) -> Bool { task.value(Schema.F.done) == .bool(true) }

    /// Open before done, then by due day (none last), then by time (none last), then by creation.
    static func order(_ a: EntitySnapshot, _ b: EntitySnapshot) -> Bool {
        let da = a.value(Schema.F.due)?.day ?? Day(number: .max)
        let db = b.value(Schema.F.due)?.day ?? Day(number: .max)
        let ta = TimeOfDay(a.value(Schema.F.at))?.minutes ?? 24 * 60
        let tb = TimeOfDay(b.value(Schema.F.at))?.minutes ?? 24 * 60
        return (isDone(a) ? 1 : 0, da, ta, a.created) < (isDone(b) ? 1 : 0, db, tb, b.created)
    }
}

/// Customer names looked up once per listing.
struct Names {
    let book: Book
    private var cache: [EntityID: String] = [:]

    init(book: Book) { self.book = book }

    mutating func name(_ id: EntityID) throws -> String {
        if let known = cache[id] { return known }
        let found = try book.snapshot(of: id)?.text(Schema.F.name) ?? ""
        cache[id] = found
        return found
    }
}
