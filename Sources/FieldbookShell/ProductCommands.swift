import FieldbookModel
import FieldbookStore

/// `product`, `products`, `price`, `buy`: the catalogue, its prices, and purchases with the suitability check.
enum ProductCommands {
    // MARK: - product

    static func product(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("product")
        guard let code = arguments.positionals.first else {
            try products(session, &arguments)
            return
        }
        guard code.count <= 32, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { throw spec.usageError("产品代码只能是字母、数字、- 或 _（最多 32 位）") }
        let name = arguments.positionals.dropFirst().joined(separator: " ")
        var fields = try session.fieldValues(arguments.assignments.filter { $0.key != "name" }, kind: .product)
        fields.removeAll { $0.field == Schema.F.code || $0.field == Schema.F.price || $0.field == Schema.F.priceDate }
        if arguments.assignments.contains(where: { $0.key == "price" || $0.key == "price_date" }) {
            throw spec.usageError("价格请用 price 命令录入（price 代码 价格 [date=日期]）")
        }
        if !name.isEmpty { fields.insert(FieldAssignment(Schema.F.name, .text(name)), at: 0) }
        let key = Product.key(code)
        let (created, changed) = try session.book.write { tx -> (Bool, [String]) in
            if let existing = try tx.productEntities(code: key).first {
                var changed: [String] = []
                for field in fields where try tx.set(existing, field.field, field.value) != nil {
                    changed.append(Self.label(field.field))
                }
                return (false, changed)
            }
            guard !name.isEmpty else { throw spec.usageError("新产品需要名称") }
            guard fields.contains(where: { $0.field == Schema.F.productRisk && $0.value != .null }) else {
                throw spec.usageError("新产品需要风险等级 risk=R1..R5（适当性检查要用）")
            }
            try tx.create(.product, scope: .global, fields: [FieldAssignment(Schema.F.code, .text(key))] + fields)
            return (true, fields.map { Self.label($0.field) })
        }
        if created {
            session.say("已添加产品 \(key) \(name)")
        } else {
            session.say(changed.isEmpty ? "产品 \(key) 没有变化" : "已更新产品 \(key)：\(changed.joined(separator: "、"))")
        }
    }

    static func products(_ session: Session, _ arguments: inout Arguments) throws {

        let filter = arguments.positionals.joined(separator: " ").lowercased()
        let list = try session.book.products().filter {
            filter.isEmpty || $0.code.lowercased().contains(filter) || $0.name.lowercased().contains(filter)
        }
        if arguments.json {
            session.say(
                .array(
                    list.map { product in
                        .object([
                            ("code", .string(product.code)), ("name", .string(product.name)),
                            ("risk", .string(product.risk)), ("kind", .string(product.kind)),
                            ("price", product.latest.map { .number(FixedPoint.format($0.price, places: 4)) } ?? .null),
                            ("price_date", .string(product.latest?.day.iso)),
                        ])
                    }))
            return
        }
        guard !list.isEmpty else {
            session.say(filter.isEmpty ? "产品目录是空的：用 product 代码 名称 risk=R3 添加" : "没有找到产品")
            return
        }
        var table = TextTable(header: ["代码", "名称", "风险", "类型", "最新价格"])
        for product in list {
            let price = product.latest.map { "\(priceText($0.price))（\($0.day.short)）" } ?? "—"
            table.append([
                product.code, product.name + (product.hasDuplicates ? " ⚠" : ""), product.risk ?? "", product.kind ?? "",
                price,
            ])
        }
        for (index, line) in table.render().enumerated() { session.say(index == 0 ? session.style.bold(line) : line) }
        session.say("共 \(list.count) 个产品")
        if list.contains(where: \.hasDuplicates) {
            session.say("⚠ 同一代码在两台设备上分别添加过，名称或风险等级不同：显示最早的名称，按最高的风险等级检查适当性")
        }
    }

    // MARK: - price

    static func price(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("price")
        guard arguments.positionals.count == 2 else {
            throw spec.usageError(arguments.positionals.count < 2 ? "缺少产品代码或价格" : "代码和价格之后只接受 date=日期")
        }
        let today = session.today
        let code = arguments.positionals[0]
        let priceValue = try Schema.fields(for: .product).first { $0.id == Schema.F.price }!.parse(
            arguments.positionals[1], today: today)
        guard let price = priceValue.integer else { throw spec.usageError("缺少价格") }
        let date = try arguments.take("date").map { try Day.parse($0, today: today) } ?? today
        guard arguments.assignments.isEmpty else { throw spec.usageError("只接受 date=日期") }
        guard date <= today else { throw ShellError.user("价格日期不能晚于今天") }
        let point = Product.PricePoint(day: date, price: price)
        let (product, added) = try session.book.write { tx -> (Product, Bool) in
            guard let product = try tx.product(code: code), let entity = product.entities.first else {
                throw ShellError.user("没有这个产品代码：先用 product 代码 名称 risk=R3 添加（products 列出目录）")
            }
            let added = try tx.add(entity, Schema.F.prices, point.element) != nil
            // The registers hold the latest price by date, for readers that only look at fields.
            if added, (product.latest.map { date >= $0.day } ?? true) {
                try tx.set(entity, Schema.F.price, .decimal(price))
                try tx.set(entity, Schema.F.priceDate, .date(date))
            }
            return (product, added)
        }
        guard added else {
            session.say("\(product.code) 在 \(date.short) 的价格本来就是 \(priceText(price))")
            return
        }
        var line = "已记录价格 \(product.code) \(priceText(price))（\(date.short)）"
        if let previous = product.price(on: date.adding(days: -1)) ?? product.history.last(where: { $0.day < date }) {
            let change = Percent.format(Self.ratio(price - previous.price, previous.price))
            line += "，较 \(previous.day.short) 的 \(priceText(previous.price)) \(change.hasPrefix("-") ? "" : "+")\(change)"
        }
        session.say(line)
    }

    /// A price as a net value is written: always 4 decimals, `1.2000`.
    static func priceText(_ price: Int64) -> String {
        let fraction = String(price.magnitude % 10_000)
        return (price < 0 ? "-" : "") + "\(price.magnitude / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }

    /// `a / b` in basis points, rounded.
    static func ratio(_ a: Int64, _ b: Int64) -> Int64 {
        guard b != 0 else { return 0 }
        let scaled = a * 10_000
        return (scaled + (scaled >= 0 ? b / 2 : -b / 2)) / b
    }

    // MARK: - buy

    /// A product field by its Chinese label; a product's name is its 名称, not a person's 姓名.
    static func label(_ field: FieldID) -> String {
        field == Schema.F.name ? "名称" : Schema.field(field)?.label ?? "第 \(field.rawValue) 号字段"
    }

    static func buy(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("buy")
        guard arguments.positionals.count == 2 else {
            throw spec.usageError(arguments.positionals.count < 2 ? "缺少客户或产品代码" : "客户和产品代码之后只接受 字段=值")
        }
        guard arguments.assignments.contains(where: { $0.key == "amount" || $0.key == "金额" }) else {
            throw spec.usageError("缺少 amount=金额（如 amount=50万）")
        }
        let today = session.today
        var fields = try session.fieldValues(arguments.assignments, kind: .purchase)
        fields.removeAll { $0.field == Schema.F.product || $0.field == Schema.F.warning }
        func value(_ field: FieldID) -> Value? { fields.first { $0.field == field }?.value }
        guard let amount = value(Schema.F.amount)?.integer, amount > 0 else {
            throw ShellError.user("amount= 应为正的金额，例如 amount=50万")
        }
        let date = value(Schema.F.date)?.day ?? today
        if value(Schema.F.date) == nil { fields.append(FieldAssignment(Schema.F.date, .date(date))) }
        guard date <= today else { throw ShellError.user("购买日期不能晚于今天") }
        if let matures = value(Schema.F.matures)?.day, matures <= date {
            throw ShellError.user("到期日应晚于购买日期")
        }
        if let line = value(Schema.F.takeProfit)?.integer, line <= 0 {
            throw ShellError.user("take_profit= 应为正的百分比，例如 take_profit=15%")
        }
        if let line = value(Schema.F.stopLoss)?.integer {
            // `stop_loss=8%` and `stop_loss=-8%` both mean a loss of 8%.
            guard line != 0 else { throw ShellError.user("stop_loss= 应为亏损的百分比，例如 stop_loss=-8%") }
            fields.removeAll { $0.field == Schema.F.stopLoss }
            fields.append(FieldAssignment(Schema.F.stopLoss, .percent(-abs(line))))
        }
        let book = session.book
        let customer = try book.resolveCustomer(arguments.positionals[0])
        guard let product = try book.product(code: arguments.positionals[1]) else {
            throw ShellError.user("没有这个产品代码：先用 product 代码 名称 risk=R3 添加（products 列出目录）")
        }
        var notes: [String] = []
        if value(Schema.F.price) == nil {
            if let known = product.price(on: date) {
                fields.append(FieldAssignment(Schema.F.price, .decimal(known.price)))
            } else {
                notes.append("产品还没有价格：盈亏要等 price 录入价格后才能计算")
            }
        }
        let card = try book.snapshot(of: customer)
        let warnings = suitability(
            product: product, customerRisk: card?.value(Schema.F.customerRisk)?.text,
            riskDate: card?.value(Schema.F.riskDate)?.day, on: date)
        if !warnings.isEmpty {
            let warning = warnings.joined(separator: "；")
            fields.append(FieldAssignment(Schema.F.warning, .text(warning)))
            if !arguments.flags.contains("confirm") {
                guard let confirm = session.confirm else {
                    throw ShellError.user("适当性提示：\(warning)。已向客户揭示风险并确认购买后，加 --confirm 再执行（这次没有记录）")
                }
                session.say(session.style.yellow("适当性提示：\(warning)"))
                guard confirm("已向客户揭示风险，客户确认购买？") else {
                    session.say("已取消，没有记录")
                    return
                }
            }
        }
        let all = [FieldAssignment(Schema.F.product, .text(product.code))] + fields
        let id = try book.write { tx in try tx.create(.purchase, scope: .customer(customer), fields: all) }
        if arguments.json {
            session.say(
                .object([
                    ("id", .string(id.text)), ("short", .string(id.short)), ("customer", .string(customer.text)),
                    ("product", .string(product.code)), ("amount", Render.json(.money(amount))),
                    ("warning", .string(warnings.isEmpty ? nil : warnings.joined(separator: "；"))),
                ]))
            return
        }
        session.say("已记录购买 [\(id.short)]：\(try session.label(customer: customer)) \(product.code) \(product.name) \(Money.format(amount))")
        if !warnings.isEmpty { session.say(session.style.yellow("已记录适当性提示：\(warnings.joined(separator: "；"))")) }
        for note in notes { session.say("注意：" + note) }
    }

    /// The suitability warnings of a sale (domain.md: a product above the customer's risk level must not be sold
    /// without a warning): the product's risk above the assessment, no assessment, or one older than a year.
    static func suitability(product: Product, customerRisk: String?, riskDate: Day?, on day: Day) -> [String] {
        var warnings: [String] = []
        guard let productLevel = product.riskLevel else { return [] }
        guard let customerRisk, let customerLevel = Int(customerRisk.dropFirst()) else {
            return ["客户没有风险评估，产品风险等级 \(product.risk!)"]
        }
        if productLevel > customerLevel {
            warnings.append("产品风险等级 \(product.risk!) 高于客户的风险评估 \(customerRisk)")
        }
        if let riskDate {
            if riskDate.adding(days: 365) < day {
                warnings.append("客户的风险评估已超过一年（\(riskDate.iso)），请重新评估")
            }
        } else {
            warnings.append("客户的风险评估没有日期（评估日期），请确认是否在一年内")
        }
        return warnings
    }
}
