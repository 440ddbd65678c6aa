import FieldbookModel
import FieldbookStore

/// `today`: the manager's morning screen (see ``Agenda`` for the rules), opening with the day's appointments, and `settings`: the per-book numbers the
/// agenda uses.
enum AgendaCommands {
    /// Rows shown per group unless `--all` or `--limit N`.
    static let rowsPerGroup = 5

    static func today(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("today")
        var limit = try session.limit(&arguments, usage: spec.usage, fallback: rowsPerGroup)
        if arguments.flags.contains("all") { limit = Int.max }
        let day = try arguments.take("date").map { try Day.parse($0, today: session.today) } ?? session.today
        guard arguments.positionals.isEmpty, arguments.assignments.isEmpty else {
            throw spec.usageError("today 只接受 date=日期、--all、--limit N、--json")
        }
        let book = session.book
        let agenda = Agenda(input: try book.agendaInput(), day: day, settings: try book.agendaSettings())
        if arguments.json {
            session.say(json(agenda))
            return
        }
        render(agenda, session: session, limit: limit, isToday: day == session.today)
    }

    // MARK: - Text

    static func render(_ agenda: Agenda, session: Session, limit: Int, isToday: Bool) {
        let style = session.style
        let day = agenda.day
        let target = agenda.settings.callTarget
        var calls = "电话 \(agenda.callsToday)/\(target)"
        if target > 0 {
            calls += agenda.callsToday >= target ? "（已达标）" : "（还差 \(target - agenda.callsToday) 个）"
        }
        session.say(style.bold("\(isToday ? "今天" : "日程") \(day.iso) \(day.weekdayName)  \(calls)"))
        func name(_ id: EntityID) -> String { "\(agenda.names[id] ?? "?") [\(id.short)]" }
        func when(_ other: Day) -> String {
            switch other.number - day.number {
            case 0: return "今天"
            case 1: return "明天"
            case -1: return "昨天"
            default: return other.short
            }
        }
        var empty = true
        func group(
            _ title: String, _ count: Int, unit: String, detail: String? = nil, header: [String], rows: [[String]],
            highlight: Set<Int> = []
        ) {
            guard count > 0 else { return }
            empty = false
            session.say(style.bold("■ \(title)（\(count) \(unit)" + (detail.map { "，" + $0 } ?? "") + "）"))
            var table = TextTable(header: header)
            for row in rows.prefix(limit) { table.append(row) }
            for (index, line) in table.render().enumerated() {
                let text = "  " + line
                session.say(index == 0 ? style.bold(text) : highlight.contains(index - 1) ? style.red(text) : text)
            }
            if rows.count > limit { session.say("  …还有 \(rows.count - limit) \(unit)（today --all 查看全部）") }
        }
        // The day's appointments open the screen, in time order (issue 18).
        group(
            "约见", agenda.schedule.count, unit: "个", header: ["时间", "地点", "客户", "事项"],
            rows: agenda.schedule.map { task in
                [task.at?.text ?? "", task.place?.label ?? "", task.customer.map(name) ?? "（个人）", Render.oneLine(task.text)]
            })
        group(
            "今日计划", agenda.plan.count, unit: "位", header: ["客户", "事由"],
            rows: agenda.plan.map { [name($0.customer), $0.text ?? ""] })
        group(
            "投诉未结", agenda.complaints.count, unit: "条", header: ["ID", "登记", "客户", "内容"],
            rows: agenda.complaints.map { [$0.id.short, $0.day.short, name($0.customer), Render.oneLine($0.text)] })
        let scheduled = Set(agenda.schedule.map(\.id))
        let tasks = agenda.tasks.filter { !scheduled.contains($0.id) }
        let overdue = Set(tasks.enumerated().filter { $0.element.due < day }.map(\.offset))
        group(
            "待办", tasks.count, unit: "条", detail: overdue.isEmpty ? nil : "逾期 \(overdue.count) 条", header: ["ID", "到期", "客户", "待办"],
            rows: tasks.map { task in
                let late = Int(day.number - task.due.number)
                return [
                    task.id.short, late > 0 ? "逾期 \(late) 天" : "今天", task.customer.map(name) ?? "（个人）",
                    Render.oneLine(task.text),
                ]
            }, highlight: overdue)
        group(
            "持仓提醒", agenda.alerts.count, unit: "笔", header: ["客户", "产品", "提醒", "收益"],
            rows: agenda.alerts.map { alert in
                let product = agenda.products[Product.key(alert.holding.code)]
                let what: String
                switch alert.kind {
                case .stopLoss: what = "触及止损 \(Percent.format(alert.holding.stopLoss ?? 0))"
                case .takeProfit: what = "触及止盈 \(Percent.format(alert.holding.takeProfit ?? 0))"
                case .moved:
                    what = "较 \(when(alert.since!)) 联系时 \(signedPercent(alert.changeBasisPoints ?? 0))"
                }
                return [
                    name(alert.holding.customer), product.map { "\($0.code) \($0.name)" } ?? alert.holding.code, what,
                    "\(signedPercent(alert.valuation.returnBasisPoints))（\(MovementCommands.signed(alert.valuation.profit))）",
                ]
            }, highlight: Set(agenda.alerts.enumerated().filter { $0.element.kind == .stopLoss }.map(\.offset)))
        group(
            "大额异动", agenda.movements.count, unit: "笔", detail: "近 7 天", header: ["日期", "客户", "金额", "备注"],
            rows: agenda.movements.map {
                [when($0.day), name($0.customer), MovementCommands.signed($0.amount), Render.oneLine($0.note ?? "")]
            })
        group(
            "生日", agenda.birthdays.count, unit: "位", detail: "7 天内", header: ["日期", "客户", "寿星", "备注"],
            rows: agenda.birthdays.map { birthday in
                let who = birthday.relation.map { "\(birthday.name)（\($0)）" } ?? "本人"
                return [when(birthday.day), name(birthday.customer), who, birthday.isRound ? "\(birthday.age) 岁整" : ""]
            })
        group(
            "产品到期", agenda.maturities.count, unit: "笔", detail: "30 天内", header: ["到期", "客户", "产品", "金额", "备注"],
            rows: agenda.maturities.map { maturity in
                let product = agenda.products[Product.key(maturity.holding.code)]
                var note = ""
                if maturity.actBy != maturity.day {
                    note = maturity.actBy == day ? "周末到期，今天就联系" : "周末到期，\(when(maturity.actBy))前联系"
                }
                return [
                    when(maturity.day), name(maturity.holding.customer),
                    product.map { "\($0.code) \($0.name)" } ?? maturity.holding.code, Money.format(maturity.holding.amount),
                    note,
                ]
            })
        group(
            "该联系了", agenda.overdueContacts.count, unit: "位", header: ["客户", "层级", "上次联系", "已隔", "周期"],
            rows: agenda.overdueContacts.map { entry in
                let tier = (entry.tier ?? Tier.standard.rawValue) + (entry.familiarity.map { " \($0)" } ?? "")
                return [
                    name(entry.customer), tier, entry.lastContact.map(\.short) ?? "从未联系", "\(entry.daysSince) 天",
                    "\(entry.cadence) 天",
                ]
            })
        if empty {
            session.say("没有要提醒的事。")
        }
    }

    /// A percentage with its sign: `+5.2%`, `-8%`.
    static func signedPercent(_ basisPoints: Int64) -> String {
        (basisPoints > 0 ? "+" : "") + Percent.format(basisPoints)
    }

    // MARK: - JSON

    static func json(_ agenda: Agenda) -> JSON {
        func customer(_ id: EntityID) -> [(String, JSON)] {
            [("customer", .string(id.text)), ("name", .string(agenda.names[id] ?? ""))]
        }
        func percent(_ bp: Int64?) -> JSON { bp.map { .number(FixedPoint.format($0, places: 2)) } ?? .null }
        func money(_ fen: Int64) -> JSON { .number(FixedPoint.format(fen, places: 2)) }
        return .object([
            ("date", .string(agenda.day.iso)),
            ("calls_today", .int(agenda.callsToday)),
            ("call_target", .int(agenda.settings.callTarget)),
            (
                "schedule",
                .array(
                    agenda.schedule.map {
                        .object(
                            [("id", .string($0.id.text)), ("at", .string($0.at?.text)), ("where", .string($0.place?.rawValue)),
                                ("customer", .string($0.customer?.text)), ("name", .string($0.customer.map { agenda.names[$0] ?? "" })),
                                ("text", .string($0.text))])
                    })
            ),
            ("plan", .array(agenda.plan.map { .object(customer($0.customer) + [("text", .string($0.text))]) })),
            (
                "complaints",
                .array(
                    agenda.complaints.map {
                        .object([("id", .string($0.id.text))] + customer($0.customer) + [("date", .string($0.day.iso)), ("text", .string($0.text))])
                    })
            ),
            (
                "tasks",
                .array(
                    agenda.tasks.map {
                        .object(
                            [("id", .string($0.id.text)), ("customer", .string($0.customer?.text)),
                                ("name", .string($0.customer.map { agenda.names[$0] ?? "" })), ("text", .string($0.text)),
                                ("due", .string($0.due.iso)), ("overdue", .bool($0.due < agenda.day)),
                                ("at", .string($0.at?.text)), ("where", .string($0.place?.rawValue))])
                    })
            ),
            (
                "alerts",
                .array(
                    agenda.alerts.map { alert in
                        .object(
                            [("purchase", .string(alert.holding.purchase.text))] + customer(alert.holding.customer) + [
                                ("product", .string(alert.holding.code)), ("kind", .string(alert.kind.rawValue)),
                                ("return", percent(alert.valuation.returnBasisPoints)), ("profit", money(alert.valuation.profit)),
                                ("take_profit", percent(alert.holding.takeProfit)), ("stop_loss", percent(alert.holding.stopLoss)),
                                ("change", percent(alert.changeBasisPoints)), ("since", .string(alert.since?.iso)),
                            ])
                    })
            ),
            (
                "movements",
                .array(
                    agenda.movements.map {
                        .object(
                            [("id", .string($0.id.text))] + customer($0.customer) + [
                                ("amount", money($0.amount)), ("date", .string($0.day.iso)), ("note", .string($0.note)),
                            ])
                    })
            ),
            (
                "birthdays",
                .array(
                    agenda.birthdays.map {
                        .object(
                            customer($0.customer) + [
                                ("who", .string($0.name)), ("relation", .string($0.relation)), ("date", .string($0.day.iso)),
                                ("days", .int($0.daysAway)), ("age", .int($0.age)), ("round", .bool($0.isRound)),
                            ])
                    })
            ),
            (
                "maturities",
                .array(
                    agenda.maturities.map {
                        .object(
                            [("purchase", .string($0.holding.purchase.text))] + customer($0.holding.customer) + [
                                ("product", .string($0.holding.code)), ("amount", money($0.holding.amount)),
                                ("matures", .string($0.day.iso)), ("contact_by", .string($0.actBy.iso)), ("days", .int($0.daysAway)),
                            ])
                    })
            ),
            (
                "overdue_contacts",
                .array(
                    agenda.overdueContacts.map {
                        .object(
                            customer($0.customer) + [
                                ("tier", .string($0.tier)), ("familiarity", .string($0.familiarity)),
                                ("last_contact", .string($0.lastContact?.iso)), ("days_since", .int($0.daysSince)),
                                ("cadence", .int($0.cadence)),
                            ])
                    })
            ),
        ])
    }

    // MARK: - settings

    static func settings(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("settings")
        guard arguments.positionals.isEmpty else { throw spec.usageError("设置请写成 键=值，例如 cadence.钻石=20") }
        var settings = try session.book.agendaSettings()
        if !arguments.assignments.isEmpty {
            for (key, value) in arguments.assignments { try settings.apply(key: key, value: value) }
            try session.book.saveAgendaSettings(settings)
        }
        if arguments.json {
            session.say(.object(settings.entries.map { ($0.key, JSON.string($0.value)) }))
            return
        }
        var table = TextTable(header: ["设置", "值", "含义"])
        for (key, value) in settings.entries {
            let meaning: String
            switch key {
            case "calls": meaning = "每天的电话目标"
            case "move": meaning = "持仓价格较上次联系时涨跌超过这个幅度就提醒"
            case "lease": meaning = "离线期限（天）：超过这么多天没有同步，账本锁定到同步成功为止"
            case "overlap": meaning = "两个渠道（天）：这么多天内别的同事联系过的客户，contact 和 show 会提醒"
            default: meaning = "\(key.dropFirst("cadence.".count))客户的联系周期（天）；熟悉度 C 收紧一档"
            }
            table.append([key, value, meaning])
        }
        for (index, line) in table.render().enumerated() { session.say(index == 0 ? session.style.bold(line) : line) }
        if !arguments.assignments.isEmpty { session.say("已保存（只对本账本有效）") }
    }
}
