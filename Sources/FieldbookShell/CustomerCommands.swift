import FieldbookModel
import FieldbookStore

/// `add`, `show`, `set`, `find`, `tag`, `family`.
enum CustomerCommands {
    static func add(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("add")
        guard !arguments.positionals.isEmpty else { throw spec.usageError("缺少客户姓名") }
        let name = arguments.positionals.joined(separator: " ")
        var fields = [FieldAssignment(Schema.F.name, .text(name))]
        fields += try session.fieldValues(arguments.assignments.filter { $0.key != "name" }, kind: .customer)
        let namesakes = try session.book.find(text: nil, includeArchived: true, limit: 1_000).filter { $0.name == name }.count
        let id = try session.book.write { tx in try tx.create(.customer, scope: nil, fields: fields) }
        if arguments.json {
            session.say(.object([("id", .string(id.text)), ("short", .string(id.short)), ("name", .string(name))]))
        } else {
            session.say("已添加客户 \(name) [\(id.short)]")
            if namesakes > 0 { session.say("注意：已有 \(namesakes) 位同名客户，请用短 ID 区分") }
        }
    }

    static func set(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("set")
        guard arguments.positionals.count == 1 else {
            throw spec.usageError(arguments.positionals.isEmpty ? "缺少客户" : "客户之后只能是 字段=值")
        }
        guard !arguments.assignments.isEmpty else { throw spec.usageError("缺少 字段=值") }
        let fields = try session.fieldValues(arguments.assignments, kind: .customer)
        let reference = arguments.positionals[0]
        if Session.isAt(reference) {
            let labels = fields.map { Schema.field($0.field)!.label }.joined(separator: "、")
            guard let customers = try session.atCustomers(arguments, action: "修改\(labels)") else { return }
            let changed = try session.book.write { tx in
                var changed = 0
                for id in customers {
                    var any = false
                    for assignment in fields where try tx.set(id, assignment.field, assignment.value) != nil { any = true }
                    if any { changed += 1 }
                }
                return changed
            }
            session.say("已更新 \(changed) 位客户的\(labels)" + (changed < customers.count ? "（另有 \(customers.count - changed) 位本来就是这个值）" : ""))
            return
        }
        let (id, changed) = try session.book.write { tx in
            let id = try tx.resolveCustomer(reference)
            var changed: [String] = []
            for assignment in fields where try tx.set(id, assignment.field, assignment.value) != nil {
                changed.append(Schema.field(assignment.field)!.label)
            }
            return (id, changed)
        }
        let name = try session.book.snapshot(of: id)?.text(Schema.F.name) ?? ""
        session.say(
            changed.isEmpty
                ? "\(name) [\(id.short)] 没有变化" : "已更新 \(name) [\(id.short)]：\(changed.joined(separator: "、"))")
    }

    static func find(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("find")
        let explicitLimit = arguments.assignments.contains { $0.key == "limit" }
        let shown = try arguments.flags.contains("all") ? Int.max : session.limit(&arguments, usage: spec.usage)
        var query = try segment(&arguments, words: arguments.positionals, session: session)
        query.includeArchived = arguments.flags.contains("archived")
        // `--limit N` limits the listing and so what `@` names; without it `@` names every match, and only the first
        // rows are shown.
        query.limit = explicitLimit ? shown : nil
        let result = try session.book.find(query)
        session.lastListing = result.matches.map(\.customer.id)
        let columns = query.shownFields
        if arguments.json {
            session.say(
                .array(
                    result.matches.map { match in
                        .object(
                            [("id", .string(match.customer.id.text)), ("name", .string(match.customer.name)),
                                ("tier", .string(match.customer.tier))]
                                + columns.map { ($0.name, match.values[$0].map(Render.json) ?? .null) })
                    }))
            return
        }
        guard !result.matches.isEmpty else {
            var archived = query
            archived.includeArchived = true
            archived.limit = nil
            let hidden = query.includeArchived ? 0 : try session.book.find(archived).total
            session.say(hidden > 0 ? "没有找到客户（另有 \(hidden) 位已归档的客户符合：加 --archived 查看）" : "没有找到客户")
            return
        }
        var table = TextTable(header: ["ID", "姓名", "层级", "电话"] + columns.map(\.label))
        for match in result.matches.prefix(shown) {
            let customer = match.customer
            let phone = try session.book.snapshot(of: customer.id)?.text(Schema.F.phone) ?? ""
            let name = customer.archived ? customer.name + "（已归档）" : customer.name
            table.append(
                [customer.id.short, name, customer.tier ?? "", phone.isEmpty ? "" : Render.maskPhone(phone)]
                    + columns.map { field in match.values[field].map { segmentCell(field, $0) } ?? "" })
        }
        for (index, line) in table.render().enumerated() { session.say(index == 0 ? session.style.bold(line) : line) }
        let total = result.total
        if explicitLimit, total > shown {
            session.say("共 \(total) 位客户，列出前 \(shown) 位（@ 指这 \(shown) 位）")
        } else if result.matches.count > shown {
            session.say("共 \(total) 位客户，只显示前 \(shown) 位（用 --limit N、--all 或更精确的条件；@ 指全部 \(total) 位）")
        } else {
            session.say("共 \(total) 位客户")
        }
    }

    /// A segment from `find`'s (and `export`'s) words: search text, and filters written `aum>1000万` (one word) or
    /// `tier>=钻石` (which the parser reads as the key `tier>`), plus `--sort`.
    static func segment(_ arguments: inout Arguments, words: [String], session: Session) throws -> CustomerQuery {
        var query = CustomerQuery()
        if let sort = arguments.take("sort") { query.sort = try CustomerSort.parse(sort) }
        var text: [String] = []
        for word in words {
            if CustomerFilter.looksLikeFilter(word) {
                query.filters.append(try CustomerFilter.parse(word, today: session.today))
            } else {
                text.append(word)
            }
        }
        for (key, value) in arguments.assignments {
            query.filters.append(try CustomerFilter.parse(key + "=" + value, today: session.today))
        }
        arguments.assignments = []
        query.text = text.isEmpty ? nil : text.joined(separator: " ")
        return query
    }

    /// Money in a listing column: `1.25万`, `7186万` from 1万 up (to the hundredth of 万), else as entered.
    static func wan(_ fen: Int64) -> String {
        guard fen.magnitude >= 1_000_000 else { return Money.format(fen) }
        let hundredths = (fen.magnitude + 5_000) / 10_000
        var text = String(hundredths / 100)
        let fraction = hundredths % 100
        if fraction != 0 { text += "." + (fraction % 10 == 0 ? String(fraction / 10) : (fraction < 10 ? "0" : "") + String(fraction)) }
        return (fen < 0 ? "-" : "") + text + "万"
    }

    /// A segment value in a listing: money as `1,200万`, days as `35天`, years as `62岁`.
    static func segmentCell(_ field: SegmentField, _ value: Value) -> String {
        switch (field.sort, value) {
        case (.money, .money(let fen)), (.money, .int(let fen)): wan(fen)
        case (.days, .int(let n)): "\(n)天"
        case (.years, .int(let n)): "\(n)岁"
        case (_, .date(let day)): day.iso
        default: value.display
        }
    }

    static func tag(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("tag")
        guard let reference = arguments.positionals.first else { throw spec.usageError("缺少客户") }
        // A bare word after the customer is refused rather than silently added: it may be a second customer, or a
        // tag meant to be removed.
        guard arguments.positionals.count == 1 else {
            throw spec.usageError("标签前要写 +（加上）或 -（去掉），例如 +理财沙龙")
        }
        let edits = arguments.edits
        guard !edits.isEmpty else { throw spec.usageError("缺少 +标签 或 -标签") }
        for edit in edits where edit.element.count > 40 {
            throw ShellError.user("标签太长：最多 40 个字")
        }
        if Session.isAt(reference) {
            let words = edits.map { ($0.add ? "+" : "-") + $0.element }.joined(separator: " ")
            guard let customers = try session.atCustomers(arguments, action: "改标签（\(words)）") else { return }
            // One transaction: every customer or none.
            let changed = try session.book.write { tx in
                var changed = 0
                for id in customers {
                    var any = false
                    for edit in edits {
                        let op = edit.add ? try tx.add(id, Schema.F.tags, edit.element) : try tx.remove(id, Schema.F.tags, edit.element)
                        any = any || op != nil
                    }
                    if any { changed += 1 }
                }
                return changed
            }
            let same = customers.count - changed
            session.say("已为 \(customers.count) 位客户改标签（\(words)）" + (same > 0 ? "：其中 \(same) 位本来就是这样" : ""))
            return
        }
        let (id, unchanged) = try session.book.write { tx in
            let id = try tx.resolveCustomer(reference)
            var unchanged: [String] = []
            for edit in edits {
                let op = edit.add ? try tx.add(id, Schema.F.tags, edit.element) : try tx.remove(id, Schema.F.tags, edit.element)
                if op == nil { unchanged.append((edit.add ? "已有 " : "本来就没有 ") + edit.element) }
            }
            return (id, unchanged)
        }
        if !unchanged.isEmpty { session.say("未改动：" + unchanged.joined(separator: "，")) }
        let tags = try session.book.snapshot(of: id)?.sets[Schema.F.tags] ?? []
        session.say("标签：" + (tags.isEmpty ? "（无）" : tags.joined(separator: "、")))
    }

    static func family(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("family")
        guard arguments.positionals.count >= 2 else { throw spec.usageError("缺少客户或家人姓名") }
        let reference = arguments.positionals[0]
        let name = arguments.positionals.dropFirst().joined(separator: " ")
        guard arguments.assignments.contains(where: { $0.key == "relation" || $0.key == "关系" }) else {
            throw spec.usageError("缺少 relation=关系（如 儿子、配偶、母亲）")
        }
        let fields = [FieldAssignment(Schema.F.name, .text(name))]
            + (try session.fieldValues(arguments.assignments.filter { $0.key != "name" }, kind: .family))
        let (customer, member) = try session.book.write { tx in
            let customer = try tx.resolveCustomer(reference)
            return (customer, try tx.create(.family, scope: .customer(customer), fields: fields))
        }
        let relation = fields.first { $0.field == Schema.F.relation }?.value.display ?? ""
        session.say("已添加家人 \(name)（\(relation)）[\(member.short)] 到 [\(customer.short)]")
    }

    static func show(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("show")
        guard arguments.positionals.count == 1 else { throw spec.usageError("需要一个客户") }
        // The ID number is masked unless asked for; asking is recorded in the work log (IDReveal).
        let reveal = arguments.flags.contains("reveal")
        let book = session.book
        let id = try book.resolveCustomer(arguments.positionals[0])
        guard let card = try book.snapshot(of: id) else { throw ShellError.user("找不到这个客户") }
        let scope = Scope.customer(id)
        let family = try book.entities(in: scope, kind: .family).filter { $0.value(Schema.F.archived) != .bool(true) }
        // Most recent first: by the contact's day, then by when it was recorded.
        let contacts = try book.entities(in: scope, kind: .contact).sorted {
            (contactDay($0), $0.created) > (contactDay($1), $1.created)
        }
        let tasks = try book.entities(in: scope, kind: .task).filter { $0.value(Schema.F.done) != .bool(true) }
            .sorted { ($0.value(Schema.F.due)?.day ?? Day(number: .max)) < ($1.value(Schema.F.due)?.day ?? Day(number: .max)) }
        let complaints = try book.entities(in: scope, kind: .complaint)
        let openComplaints = complaints.filter(ComplaintCommands.isOpen).sorted {
            (ComplaintCommands.day($0), $0.created) > (ComplaintCommands.day($1), $1.created)
        }
        let holdings = try HoldingsView(book: book, customer: id, today: session.today)
        let tags = card.sets[Schema.F.tags] ?? []
        let cocoverers = card.sets[Schema.F.cocoverers] ?? []
        // A field whose only value is a cleared one is not shown; a conflict involving a cleared value is.
        let customerFields = Schema.fields(for: .customer).filter { spec in
            guard !spec.isSet, let values = card.fields[spec.id] else { return false }
            return values.count > 1 || values[0].value != .null
        }

        if reveal, card.fields[Schema.F.idNumber]?.contains(where: { $0.value != .null }) == true {
            try IDReveal.record(.card, customers: [id], session: session)
        }

        if arguments.json {
            var fields: [(String, JSON)] = []
            for field in customerFields { fields.append((field.name, IDReveal.json(field.id, card.value(field.id)!, reveal: reveal))) }
            let conflicts: [JSON] = card.conflictedFields.compactMap { field in
                guard let spec = Schema.field(field) else { return nil }
                return .object([
                    ("field", .string(spec.name)),
                    ("values", .array(card.fields[field]!.map { IDReveal.json(field, $0.value, reveal: reveal) })),
                ])
            }
            session.say(
                .object([
                    ("id", .string(id.text)), ("short", .string(id.short)), ("name", .string(card.text(Schema.F.name))),
                    ("fields", .object(fields)), ("conflicts", .array(conflicts)),
                    ("tags", .array(tags.map { .string($0) })), ("owner", .string(card.value(Schema.F.owner)?.text)),
                    ("cocoverers", .array(cocoverers.map { .string($0) })),
                    (
                        "family",
                        .array(
                            family.map {
                                .object([
                                    ("id", .string($0.id.text)), ("short", .string($0.id.short)),
                                    ("name", .string($0.text(Schema.F.name))),
                                    ("relation", .string($0.text(Schema.F.relation))),
                                    ("birthday", $0.value(Schema.F.birthday).map(Render.json) ?? .null),
                                ])
                            })
                    ),
                    ("holdings", holdings.json),
                    (
                        "contacts",
                        .array(
                            contacts.map {
                                .object([
                                    ("date", $0.value(Schema.F.date).map(Render.json) ?? .null),
                                    ("channel", .string($0.text(Schema.F.channel))),
                                    ("text", .string($0.text(Schema.F.text))),
                                    ("outcome", .string($0.value(Schema.F.outcome)?.text)),
                                    ("by", .string($0.author)),
                                ])
                            })
                    ),
                    (
                        "tasks",
                        .array(
                            tasks.map {
                                .object([
                                    ("id", .string($0.id.text)), ("text", .string($0.text(Schema.F.text))),
                                    ("due", $0.value(Schema.F.due).map(Render.json) ?? .null),
                                ])
                            })
                    ),
                    (
                        "complaints",
                        .array(
                            complaints.map {
                                .object([
                                    ("id", .string($0.id.text)), ("date", .string(ComplaintCommands.day($0).iso)),
                                    ("text", .string($0.text(Schema.F.text))),
                                    ("status", .string((ComplaintCommands.isOpen($0) ? ComplaintStatus.open : .closed).rawValue)),
                                    ("resolution", .string($0.value(Schema.F.resolution)?.text)),
                                ])
                            })
                    ),
                ]))
            return
        }

        var header = "\(card.text(Schema.F.name))  [\(id.short)]"
        if let tier = card.value(Schema.F.tier)?.text { header += "  \(tier)" }
        if card.value(Schema.F.archived) == .bool(true) { header += "  （已归档）" }
        session.say(session.style.bold(header))
        if let notice = try OtherChannel.notice(session, customer: id) { session.say(session.style.yellow(notice)) }
        for field in customerFields where field.id != Schema.F.name && field.id != Schema.F.owner {
            let values = card.fields[field.id]!
            if values.count > 1 {
                let list = values.map { IDReveal.shown(field.id, $0.value, reveal: reveal) }.joined(separator: " ｜ ")
                session.say("  \(Render.label(field.id))" + session.style.yellow("⚠ 冲突：\(list)"))
            } else {
                session.say("  \(Render.label(field.id))\(Render.indented(IDReveal.shown(field.id, values[0].value, reveal: reveal)))")
            }
        }
        if !tags.isEmpty { session.say("  \(Render.label(Schema.F.tags))\(tags.joined(separator: "、"))") }
        var coverage = "  \(Render.label(Schema.F.owner))\(card.value(Schema.F.owner)?.text ?? "")"
        if !cocoverers.isEmpty { coverage += "   协同 \(cocoverers.joined(separator: "、"))" }
        session.say(coverage)
        if !card.conflictedFields.isEmpty {
            let names = card.conflictedFields.compactMap { Schema.field($0)?.label }.joined(separator: "、")
            session.say("  ⚠ 有 \(card.conflictedFields.count) 个字段冲突（\(names)）：用 resolve \(id.short) 字段=值 解决")
        }
        if !family.isEmpty {
            session.say("家人")
            for member in family {
                var line = "  [\(member.id.short)] \(member.text(Schema.F.name))（\(member.text(Schema.F.relation))）"
                if let birthday = member.value(Schema.F.birthday)?.day { line += "  生日 \(birthday.iso)" }
                session.say(line)
            }
        }
        for line in holdings.render(style: session.style) { session.say(line) }
        if !contacts.isEmpty {
            session.say("联系记录" + (contacts.count > 5 ? "（最近 5 条，共 \(contacts.count) 条）" : ""))
            for contact in contacts.prefix(5) {
                let channel = Schema.field(Schema.F.channel)!.shown(.text(contact.text(Schema.F.channel)))
                var line = "  \(contactDay(contact).short)  \(channel)  \(contact.author)  \(contact.text(Schema.F.text))"
                if let outcome = contact.value(Schema.F.outcome)?.text { line += " → \(outcome)" }
                session.say(line)
            }
        }
        if !tasks.isEmpty {
            let shownTasks = 10
            session.say("待办" + (tasks.count > shownTasks ? "（前 \(shownTasks) 条，共 \(tasks.count) 条：tasks \(id.short) 查看全部）" : ""))
            for task in tasks.prefix(shownTasks) {
                let due = task.value(Schema.F.due)?.day
                let line = "  \(task.id.short)  \(due?.short ?? "无期限")  \(task.text(Schema.F.text))"
                if let due, due < session.today {
                    session.say(session.style.red(line + "（逾期）"))
                } else {
                    session.say(line)
                }
            }
        }
        if !openComplaints.isEmpty || complaints.count > openComplaints.count {
            let closed = complaints.count - openComplaints.count
            session.say("投诉" + (closed > 0 ? "（另有 \(closed) 条已解决：complaints \(id.short) --all）" : ""))
            for complaint in openComplaints {
                session.say(
                    "  \(complaint.id.short)  \(ComplaintCommands.day(complaint).short)  "
                        + session.style.yellow(ComplaintStatus.open.label) + "  \(complaint.text(Schema.F.text))")
            }
        }
    }

    static func contactDay(_ contact: EntitySnapshot) -> Day {
        contact.value(Schema.F.date)?.day ?? Day(number: 0)
    }
}
