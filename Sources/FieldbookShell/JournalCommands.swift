import FieldbookModel
import FieldbookStore

/// `journal` and `plan`: the evening work log (工作日志) with the day's contacts summarised, and tomorrow's call
/// list, which tomorrow's `today` shows first.
enum JournalCommands {
    /// The Chinese name of a contact channel: `call` → `电话`.
    static func channelLabel(_ channel: String) -> String {
        Schema.field(Schema.F.channel)!.choices.first { $0.canonical == channel }?.aliases.first ?? channel
    }

    static func journal(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("journal")
        let today = session.today
        let day = try arguments.take("date").map { try Day.parse($0, today: today) } ?? today
        guard arguments.assignments.isEmpty else { throw spec.usageError("只接受 date=日期") }
        let book = session.book
        let text = arguments.positionals.joined(separator: " ")
        if !text.isEmpty {
            guard day <= today else { throw ShellError.user("不能给以后的日子写日志：明天要联系的客户请用 plan") }
            let principal = book.principal
            try book.write { tx in
                try tx.create(
                    .worklog, scope: .principal(principal),
                    fields: [
                        FieldAssignment(Schema.F.entry, WorkLogEntryKind.journal.value), FieldAssignment(Schema.F.date, .date(day)),
                        FieldAssignment(Schema.F.text, .text(text)),
                    ])
            }
            session.say("已记入工作日志（\(day.short)）")
            return
        }
        let input = try book.agendaInput()
        var lookup = Names(book: book)
        func name(_ id: EntityID) throws -> String {
            let known = try lookup.name(id)
            return known.isEmpty ? "（已不在本账本）[\(id.short)]" : "\(known) [\(id.short)]"
        }
        // Each contact of the day with what was said; those with customers purged since keep their line without the
        // customer, and the day's counts do not change (Book.journal, PurgeStep.dayCounts).
        let journal = try book.journal(on: day)
        let contactTotal = journal.contacts
        let purgedTotal = journal.purgedContacts
        let byChannel = journal.byChannel
        var seen: [EntityID] = []
        for line in journal.lines { if let customer = line.customer, !seen.contains(customer) { seen.append(customer) } }
        let sales = input.holdings.filter { $0.date == day && $0.author == book.principal }
        let notes = journal.notes
        let nextDay = day.adding(days: 1)
        let plan = journal.plan
        let calls = journal.calls
        let target = journal.callTarget

        if arguments.json {
            session.say(
                .object([
                    ("date", .string(day.iso)),
                    ("contacts", .int(contactTotal)), ("purged_contacts", .int(purgedTotal)),
                    ("by_channel", .object(byChannel.map { ($0.channel, JSON.int($0.count)) })),
                    (
                        "lines",
                        .array(
                            journal.lines.map { line in
                                .object([
                                    ("customer", .string(line.customer?.text)), ("name", .string(line.name)),
                                    ("channel", .string(line.channel)), ("text", .string(line.text)),
                                    ("outcome", .string(line.outcome)),
                                    ("time", .string(line.recorded.map { String(session.time($0).suffix(5)) })),
                                ])
                            })
                    ),
                    ("calls", .int(calls)), ("call_target", .int(target)),
                    ("customers", .array(try seen.map { .object([("customer", .string($0.text)), ("name", .string(try lookup.name($0)))]) })),
                    (
                        "sales",
                        .array(
                            sales.map {
                                .object([
                                    ("purchase", .string($0.purchase.text)), ("customer", .string($0.customer.text)),
                                    ("product", .string($0.code)), ("amount", Render.json(.money($0.amount))),
                                ])
                            })
                    ),
                    ("sales_total", Render.json(.money(sales.reduce(0) { $0 + $1.amount }))),
                    ("notes", .array(notes.map { .string($0.text) })),
                    (
                        "plan",
                        .array(
                            try plan.map {
                                .object([
                                    ("customer", .string($0.customer?.text)),
                                    ("name", .string(try $0.customer.map { try lookup.name($0) })), ("text", .string($0.text)),
                                ])
                            })
                    ),
                ]))
            return
        }
        session.say(session.style.bold("工作日志 \(day.iso) \(day.weekdayName)"))
        if contactTotal == 0 {
            session.say("联系：没有联系记录")
        } else {
            let parts = byChannel.map { "\(channelLabel($0.channel)) \($0.count)" }.joined(separator: "、")
            var line = "联系 \(contactTotal) 次（\(parts)）"
            if !seen.isEmpty { line += "，\(seen.count) 位客户" }
            if purgedTotal > 0 { line += "；其中 \(purgedTotal) 次联系的客户已移出本账本" }
            session.say(line)
            var table = TextTable(header: ["时间", "方式", "客户", "内容"])
            for entry in journal.lines {
                let who = try entry.customer.map(name) ?? "（已移出本账本的客户）"
                var said = Render.oneLine(entry.text ?? "")
                if let outcome = entry.outcome, !outcome.isEmpty { said += (said.isEmpty ? "" : " ") + "→ " + Render.oneLine(outcome) }
                table.append([entry.recorded.map { String(session.time($0).suffix(5)) } ?? "", channelLabel(entry.channel), who, said])
            }
            for line in table.render().dropFirst() { session.say("  " + line) }
        }
        session.say("电话 \(calls)/\(target)" + (target > 0 && calls < target ? "（差 \(target - calls) 个）" : ""))
        if sales.isEmpty {
            session.say("成交：无")
        } else {
            session.say("成交 \(sales.count) 笔，共 \(Money.format(sales.reduce(0) { $0 + $1.amount }))")
            var table = TextTable(header: ["客户", "产品", "金额"])
            for sale in sales {
                let product = input.products[Product.key(sale.code)]
                table.append([try name(sale.customer), product.map { "\($0.code) \($0.name)" } ?? sale.code, Money.format(sale.amount)])
            }
            for line in table.render().dropFirst() { session.say("  " + line) }
        }
        let written = notes.filter { !IDReveal.isRecord($0) }
        if !written.isEmpty {
            session.say("记事")
            for note in written { session.say("  \(session.time(note.created).suffix(5))  \(Render.oneLine(note.text ?? ""))") }
        }
        // Requests to see whole ID numbers (IDReveal), one line per request: an export names its customers together.
        var reveals: [(time: String, text: String, customers: [EntityID])] = []
        for note in notes where IDReveal.isRecord(note) {
            let time = String(session.time(note.created).suffix(5))
            if let last = reveals.last, last.text == note.text, last.time == time, note.text == IDReveal.Request.export.rawValue {
                reveals[reveals.count - 1].customers.append(note.customer!)
            } else {
                reveals.append((time, note.text ?? "", [note.customer!]))
            }
        }
        if !reveals.isEmpty {
            session.say("查看身份证号")
            for reveal in reveals {
                let names = try reveal.customers.prefix(12).map(name).joined(separator: "、")
                let more = reveal.customers.count > 12 ? " 等 \(reveal.customers.count) 位" : ""
                session.say("  \(reveal.time)  \(names)\(more)  \(reveal.text)")
            }
        }
        if plan.isEmpty {
            session.say("明日计划（\(nextDay.short)）：还没有，用 plan 客户 … 添加")
        } else {
            session.say("明日计划（\(nextDay.short)）\(plan.count) 位")
            for entry in plan {
                let who = try entry.customer.map(name) ?? "?"
                session.say("  " + who + (entry.text.map { "  \($0)" } ?? ""))
            }
        }
    }

    static func plan(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("plan")
        let today = session.today
        let day = try arguments.take("date").map { try Day.parse($0, today: today) } ?? today.adding(days: 1)
        let note = arguments.take("note") ?? arguments.take("事由")
        guard arguments.assignments.isEmpty else { throw spec.usageError("只接受 date=日期 和 note=事由") }
        let book = session.book
        var lookup = Names(book: book)
        var references = arguments.positionals
        // `plan @`: every customer of the last listing (by full ID, which resolves like a short one).
        let atListing = references.contains(where: Session.isAt)
        if atListing {
            guard let listed = try session.atCustomers(arguments, action: "加入计划") else { return }
            references = references.flatMap { Session.isAt($0) ? listed.map(\.text) : [$0] }
        }
        if !references.isEmpty {
            guard day >= today else { throw ShellError.user("计划的日期不能早于今天") }
            let existing = Set(try book.workLog().filter { $0.isPlan && $0.day == day }.compactMap(\.customer))
            let (added, already) = try book.write { tx -> ([EntityID], [EntityID]) in
                var added: [EntityID] = []
                var already: [EntityID] = []
                for reference in references {
                    let customer = try tx.resolveCustomer(reference)
                    if existing.contains(customer) || added.contains(customer) {
                        if !already.contains(customer) { already.append(customer) }
                        continue
                    }
                    var fields = [
                        FieldAssignment(Schema.F.entry, WorkLogEntryKind.plan.value), FieldAssignment(Schema.F.date, .date(day)),
                        FieldAssignment(Schema.F.customer, .text(customer.text)),
                    ]
                    if let note, !note.isEmpty { fields.append(FieldAssignment(Schema.F.text, .text(note))) }
                    // In the customer's scope, so the entry leaves the book with the customer (SPEC [W-10.5]).
                    try tx.create(.worklog, scope: .customer(customer), fields: fields)
                    added.append(customer)
                }
                return (added, already)
            }
            if atListing {
                session.say("已把 \(added.count) 位客户加入 \(day.short) 的计划" + (already.isEmpty ? "" : "（另有 \(already.count) 位已在计划里）"))
                return
            }
            if !added.isEmpty {
                session.say("已加入 \(day.short) 的计划：" + (try added.map { "\(try lookup.name($0)) [\($0.short)]" }.joined(separator: "、")))
            }
            if !already.isEmpty {
                session.say("已在计划里：" + (try already.map { "\(try lookup.name($0)) [\($0.short)]" }.joined(separator: "、")))
            }
            return
        }
        var plan: [WorkLogEntry] = []
        for entry in try book.workLog() where entry.isPlan && entry.day == day {
            if !plan.contains(where: { $0.customer == entry.customer }) { plan.append(entry) }
        }
        if arguments.json {
            session.say(
                .array(
                    try plan.map {
                        .object([
                            ("customer", .string($0.customer?.text)),
                            ("name", .string(try $0.customer.map { try lookup.name($0) })), ("text", .string($0.text)),
                            ("date", .string(day.iso)),
                        ])
                    }))
            return
        }
        guard !plan.isEmpty else {
            session.say("\(day.short) 还没有计划：用 plan 客户 … [note=事由] 添加")
            return
        }
        var table = TextTable(header: ["客户", "事由"])
        for entry in plan {
            let name = try entry.customer.map { id -> String in
                let known = try lookup.name(id)
                return known.isEmpty ? "（已不在本账本）[\(id.short)]" : "\(known) [\(id.short)]"
            } ?? "?"
            table.append([name, entry.text ?? ""])
        }
        session.say("\(day.short) 的计划")
        for (index, line) in table.render().enumerated() { session.say(index == 0 ? session.style.bold(line) : line) }
        session.say("共 \(plan.count) 位")
    }
}
