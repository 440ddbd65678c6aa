import FieldbookModel
import FieldbookStore

/// `complaint` (open and close) and `complaints` (the list).
enum ComplaintCommands {
    static func complaint(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("complaint")
        if let first = arguments.positionals.first, first == "close" || first == "关闭" {
            try close(session, &arguments)
            return
        }
        guard arguments.positionals.count >= 2 else {
            throw spec.usageError(arguments.positionals.isEmpty ? "缺少客户" : "缺少投诉内容")
        }
        let reference = arguments.positionals[0]
        let text = arguments.positionals.dropFirst().joined(separator: " ")
        // `due=` also creates a follow-up task: a complaint is a contact that must be followed up.
        let due = try arguments.take("due").map { try Schema.field(Schema.F.due)!.parse($0, today: session.today) }
        if due == .null { throw spec.usageError("due= 不能为空") }
        var fields = try session.fieldValues(arguments.assignments, kind: .complaint)
        fields.removeAll { $0.field == Schema.F.text || $0.field == Schema.F.status || $0.field == Schema.F.resolution }
        if !fields.contains(where: { $0.field == Schema.F.date }) {
            fields.append(FieldAssignment(Schema.F.date, .date(session.today)))
        }
        fields.insert(
            contentsOf: [FieldAssignment(Schema.F.text, .text(text)), FieldAssignment(Schema.F.status, ComplaintStatus.open.value)],
            at: 0)
        let (id, customer, task) = try session.book.write { tx in
            let customer = try tx.resolveCustomer(reference)
            let id = try tx.create(.complaint, scope: .customer(customer), fields: fields)
            var task: EntityID?
            if let due {
                task = try tx.create(
                    .task, scope: .customer(customer),
                    fields: [FieldAssignment(Schema.F.text, .text("处理投诉：" + text)), FieldAssignment(Schema.F.due, due)])
            }
            return (id, customer, task)
        }
        if arguments.json {
            session.say(
                .object([
                    ("id", .string(id.text)), ("short", .string(id.short)), ("customer", .string(customer.text)),
                    ("task", .string(task?.text)),
                ]))
            return
        }
        session.say("已登记投诉 [\(id.short)]：\(try session.label(customer: customer))")
        if let task, let day = due?.day {
            session.say("已建处理待办 [\(task.short)]：\(day.short)")
        } else {
            session.say("处理完后用 complaint close \(id.short) 处理结果 关闭")
        }
    }

    static func close(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("complaint")
        let usage = "complaint close 投诉ID 处理结果"
        guard arguments.positionals.count >= 2 else { throw ShellError.usage("缺少投诉的短 ID；用法：\(usage)") }
        guard arguments.positionals.count >= 3 else { throw ShellError.usage("缺少处理结果；用法：\(usage)") }
        guard arguments.assignments.isEmpty else { throw spec.usageError("关闭投诉不接受 字段=值") }
        let reference = arguments.positionals[1]
        let resolution = arguments.positionals.dropFirst(2).joined(separator: " ")
        let (id, customer) = try session.book.write { tx in
            let id = try tx.resolveEntity(reference, kind: .complaint)
            guard let complaint = try tx.snapshot(of: id) else { throw ShellError.user("找不到这条投诉") }
            if ComplaintStatus(complaint.value(Schema.F.status)) == .closed {
                throw ShellError.user("这条投诉已经关闭了；complaints --all 可查看处理结果")
            }
            try tx.set(id, Schema.F.status, ComplaintStatus.closed.value)
            try tx.set(id, Schema.F.resolution, .text(resolution))
            return (id, complaint.scope.customer)
        }
        let owner = try customer.map { "：" + (try session.label(customer: $0)) } ?? ""
        session.say("已关闭投诉 [\(id.short)]\(owner)")
    }

    static func complaints(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("complaints")
        let limit = try session.limit(&arguments, usage: spec.usage)
        guard arguments.positionals.count <= 1, arguments.assignments.isEmpty else {
            throw spec.usageError("最多一个客户")
        }
        let includeClosed = arguments.flags.contains("all")
        let book = session.book
        let list = try session.entities(.complaint, of: arguments.positionals.first)
        // Open first, then newest first.
        let shown = list.filter { includeClosed || isOpen($0) }.sorted {
            (isOpen($0) ? 0 : 1, -Int(day($0).number), $1.created) < (isOpen($1) ? 0 : 1, -Int(day($1).number), $0.created)
        }
        var names = Names(book: book)
        if arguments.json {
            session.say(
                .array(
                    try shown.map { complaint in
                        .object([
                            ("id", .string(complaint.id.text)), ("customer", .string(complaint.scope.customer?.text)),
                            ("name", .string(try complaint.scope.customer.map { try names.name($0) })),
                            ("date", .string(day(complaint).iso)), ("text", .string(complaint.text(Schema.F.text))),
                            ("status", .string((isOpen(complaint) ? ComplaintStatus.open : .closed).rawValue)),
                            ("resolution", .string(complaint.value(Schema.F.resolution)?.text)),
                        ])
                    }))
            return
        }
        guard !shown.isEmpty else {
            session.say(includeClosed ? "没有投诉" : "没有未关闭的投诉")
            return
        }
        var table = TextTable(header: ["ID", "日期", "客户", "状态", "投诉"])
        for complaint in shown.prefix(limit) {
            let owner = try complaint.scope.customer.map { "\(try names.name($0)) [\($0.short)]" } ?? ""
            var text = complaint.text(Schema.F.text)
            if let resolution = complaint.value(Schema.F.resolution)?.text, !isOpen(complaint) {
                text += " → " + resolution
            }
            table.append([complaint.id.short, day(complaint).short, owner, status(complaint), text])
        }
        for (index, line) in table.render().enumerated() { session.say(index == 0 ? session.style.bold(line) : line) }
        session.sayCount(shown.count, shown: min(limit, shown.count), unit: "条", noun: includeClosed ? "投诉" : "未关闭的投诉")
    }

    static func isOpen(_ complaint: EntitySnapshot) -> Bool { ComplaintStatus(complaint.value(Schema.F.status)) != .closed }

    static func status(_ complaint: EntitySnapshot) -> String { (isOpen(complaint) ? ComplaintStatus.open : .closed).label }

    static func day(_ complaint: EntitySnapshot) -> Day { complaint.value(Schema.F.date)?.day ?? Day(number: 0) }
}
