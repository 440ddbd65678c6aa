import FieldbookModel
import FieldbookStore

/// The holdings section of a customer's card (`show`): each purchase valued at the product's latest price on or
/// before today, with profit and loss, the take-profit and stop-loss lines, maturity and any suitability warning.
struct HoldingsView {
    /// One holding with its product and valuation.
    struct Line {
        var holding: Holding
        var product: Product?
        var current: Product.PricePoint?
        var valuation: Holding.Valuation?
    }

    var lines: [Line]
    var today: Day

    /// Reads a customer's holdings.
    init(book: Book, customer: EntityID, today: Day) throws {
        let products = Dictionary(uniqueKeysWithValues: try book.products().map { (Product.key($0.code), $0) })
        self.today = today
        lines = try book.holdings(customer: customer).sorted { ($0.date, $0.purchase.text) > ($1.date, $1.purchase.text) }
            .map { holding in
                let product = products[Product.key(holding.code)]
                let current = product?.price(on: today)
                return Line(
                    holding: holding, product: product, current: current,
                    valuation: current.flatMap { holding.valuation(current: $0.price) })
            }
    }

    /// The card's lines: a title with totals, then a table.
    func render(style: Style) -> [String] {
        guard !lines.isEmpty else { return [] }
        let live = lines.filter { !$0.holding.hasMatured(by: today) }
        var title = "持仓（\(live.count) 笔"
        let valued = live.compactMap(\.valuation)
        if !valued.isEmpty {
            let profit = valued.reduce(0) { $0 + $1.profit }
            title += "，市值 \(Money.format(valued.reduce(0) { $0 + $1.value }))，盈亏 \(MovementCommands.signed(profit))"
        }
        if lines.count > live.count { title += "；另有 \(lines.count - live.count) 笔已到期" }
        var table = TextTable(header: ["产品", "买入", "金额", "买入价", "现价", "盈亏", "止盈/止损", "到期"])
        var red: Set<Int> = []
        for (index, line) in lines.enumerated() {
            let h = line.holding
            let name = line.product.map { "\($0.code) \($0.name)" } ?? h.code
            var profit = "—"
            if let v = line.valuation {
                profit = "\(MovementCommands.signed(v.profit)) \(AgendaCommands.signedPercent(v.returnBasisPoints))"
                if v.stoppedLoss { profit += " 止损"; red.insert(index) } else if v.tookProfit { profit += " 止盈" }
            }
            let current = line.current.map { "\(ProductCommands.priceText($0.price))（\($0.day.short.prefix(5))）" } ?? "—"
            let marks = [h.takeProfit.map(Percent.format) ?? "", h.stopLoss.map(Percent.format) ?? ""]
            var matures = h.matures?.iso ?? ""
            if h.hasMatured(by: today) { matures += " 已到期" }
            if h.warning != nil { matures += " ⚠适当性" }
            table.append([
                name, h.date.iso, Money.format(h.amount), h.price.map(ProductCommands.priceText) ?? "—", current,
                profit, marks == ["", ""] ? "" : marks.joined(separator: "/"), matures,
            ])
        }
        return [title + "）"]
            + table.render().enumerated().map { index, text in
                index > 0 && red.contains(index - 1) ? style.red("  " + text) : "  " + text
            }
    }

    /// The holdings as JSON for `show --json`.
    var json: JSON {
        .array(
            lines.map { line in
                let h = line.holding
                func percent(_ bp: Int64?) -> JSON { bp.map { .number(FixedPoint.format($0, places: 2)) } ?? .null }
                return .object([
                    ("purchase", .string(h.purchase.text)), ("product", .string(h.code)),
                    ("name", .string(line.product?.name)), ("date", .string(h.date.iso)),
                    ("amount", Render.json(.money(h.amount))),
                    ("price", h.price.map { .number(FixedPoint.format($0, places: 4)) } ?? .null),
                    ("current", line.current.map { .number(FixedPoint.format($0.price, places: 4)) } ?? .null),
                    ("current_date", .string(line.current?.day.iso)),
                    ("value", line.valuation.map { Render.json(.money($0.value)) } ?? .null),
                    ("profit", line.valuation.map { Render.json(.money($0.profit)) } ?? .null),
                    ("return", percent(line.valuation?.returnBasisPoints)), ("expected", percent(h.expected)),
                    ("take_profit", percent(h.takeProfit)), ("stop_loss", percent(h.stopLoss)),
                    ("matures", .string(h.matures?.iso)), ("warning", .string(h.warning)),
                ])
            })
    }
}
