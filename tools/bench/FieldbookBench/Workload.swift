import FieldbookModel
import FieldbookStore
import Foundation

/// A generated workload in library-neutral terms, so that Fieldbook and its peers (Loro, Yrs) do the same work.
///
/// Customers are maps keyed by field name; tags are an add-wins set; contacts and purchases are maps appended to the
/// customer's list of events. The harness writes it as JSON for `tools/peers/` and turns it into Fieldbook ops here.
///
/// Edits are compact arrays (the JSON the peers read):
/// - `["C", customer, {field: value}]` creates a customer,
/// - `["S", customer, field, value]` sets a field,
/// - `["A", customer, tag]` / `["R", customer, tag]` adds or removes a tag,
/// - `["E", customer, kind, {field: value}]` records an event (`contact` or `purchase`).
///
/// Values are strings or integers (money in fen, dates as day numbers).
struct Workload {
    /// One library-neutral edit.
    enum Edit {
        case customer(Int, [(String, Scalar)])
        case set(Int, String, Scalar)
        case tag(Int, String)
        case untag(Int, String)
        case event(Int, String, [(String, Scalar)])
    }

    /// A field value: text or an integer.
    enum Scalar {
        case text(String)
        case int(Int64)
    }

    /// Customer IDs (their 26-character text form is the peers' map key).
    var customers: [EntityID] = []
    /// The base state (not measured where a workload says so), then the measured edits.
    var base: [Edit] = []
    var edits: [Edit] = []

    static let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "欧阳", "诸葛"]
    static let given = ["芳", "明", "伟", "娜娜", "静", "洋", "敏", "丽", "强", "军", "秀英", "建国", "晓燕", "子涵"]
    static let notes = [
        "客户说下个月有一笔定期到期，想了解结构性存款", "孩子明年出国读书，关注外汇额度", "对上次推荐的基金收益不满意，需要安抚",
        "介绍了养老目标基金，客户有兴趣再聊", "客户母亲住院，暂缓营销", "客户企业回款，账户有大额资金进账", "约了周末带配偶来网点面谈",
    ]
    static let tags = ["高净值", "理财意向", "保险意向", "基金定投", "养老规划", "子女教育", "企业主", "退休", "生日关怀", "VIP"]
    static let tiers = ["普通", "金葵花", "钻石", "私人银行"]
    static let channels = ["电话", "上门", "到店", "微信"]
    static let outcomes = ["有意向", "需跟进", "已成交", "暂无需求"]
    static let products = ["稳健理财30天", "养老目标2045", "沪深300指数", "结构性存款"]
    /// Pieces of a visit summary, as managers type them: `summary()` joins a few into 10–40 characters.
    static let summaryParts = [
        "聊了定投", "客户想了解大额存单", "下周回访", "介绍了养老目标基金", "孩子明年上大学", "关注外汇额度", "对收益不满意",
        "已安抚", "约了周末面谈", "配偶一起来网点", "企业回款后有闲钱", "想把定期转理财", "母亲住院暂缓营销", "留了资料",
        "问了保险续期", "推荐稳健理财30天", "客户比较保守", "对基金有兴趣", "要再比较一下", "电话没接通", "微信发了产品说明",
        "月底有一笔到期", "提醒生日关怀", "想给孩子买教育金", "担心市场波动", "下个月再联系",
    ]

    /// The mix of a day's edits.
    enum Mix {
        /// Day 1: field edits (notes above all), tags, 30 % contacts with a stock note, 5 % purchases.
        case manager
        /// Day 2 (issue 20): a quarter new contacts with a typed 10–40-character summary, a tenth purchases, the rest
        /// field edits and tags in day 1's proportions.
        case visits
    }

    private var random: SplitMix64
    private var tagged: [Int: [String]] = [:]

    /// The device that authors the workload (``OpAuthor``, `base` then `edits`): customers are named as it names
    /// them, by their creating op (`EntityID.derived`, protocol version 3). `nil` for a workload that only records
    /// customers made elsewhere.
    let author: ActorID?

    init(seed: UInt64, author: ActorID? = nil) {
        random = SplitMix64(seed: seed)
        self.author = author
    }

    private mutating func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
    private mutating func below(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }

    /// A customer's name: a surname and a given name (the `find` workload searches them).
    mutating func name() -> String { pick(Self.surnames) + pick(Self.given) }

    /// Adds `count` customers to `list` with a realistic profile (4 fields), each named by the op that will create
    /// it: the ``author``'s op whose counter is the edit's place in `base` followed by `edits`.
    mutating func addCustomers(_ count: Int, into list: WritableKeyPath<Workload, [Edit]>) {
        guard let author else { preconditionFailure("a workload that creates customers needs its author") }
        precondition(list == \Workload.edits || edits.isEmpty, "customers added to base after edits would shift counters")
        for _ in 0..<count {
            // The two words the random (UUIDv7) IDs of earlier runs took: drawn still, so that names and edits stay
            // those of earlier runs and the figures differ by the IDs alone.
            _ = (random.next(), random.next())
            let counter = base.count + (list == \Workload.edits ? edits.count : 0) + 1
            let id = EntityID.derived(actor: author, counter: UInt64(counter))
            customers.append(id)
            self[keyPath: list].append(.customer(customers.count - 1, [
                ("name", .text(name())), ("phone", .text("138\(10_000_000 + below(89_999_999))")),
                ("tier", .text(pick(Self.tiers))), ("birthday", .int(Int64(-3_000 + below(12_000)))),
            ]))
        }
    }

    /// A visit summary of 10–40 characters (with its closing 。), joined from ``summaryParts``.
    mutating func summary() -> String {
        let target = 10 + below(31)
        var text = pick(Self.summaryParts)
        while text.count < target {
            let next = pick(Self.summaryParts)
            if text.contains(next) { continue }
            if text.count + 1 + next.count + 1 > 40 { break }
            text += "，" + next
        }
        return text + "。"
    }

    /// A manager's work on `customers` (a subset, Zipf-like: a few customers take most of it): field edits, tags,
    /// contacts and purchases in the proportions of `mix`.
    mutating func addWork(_ count: Int, over range: Range<Int>, into list: WritableKeyPath<Workload, [Edit]>,
                          mix: Mix = .manager) {
        var made = 0
        while made < count {
            let r = Double(random.next() % 10_000) / 10_000
            let c = range.lowerBound + min(range.count - 1, Int(Double(range.count) * r * r))
            var kind = below(20)
            if mix == .visits {
                switch kind {
                case 0..<5:
                    self[keyPath: list].append(.event(c, "contact", [
                        ("channel", .text(pick(Self.channels))), ("date", .int(20_819 + Int64(below(2)))),
                        ("text", .text(summary())), ("outcome", .text(pick(Self.outcomes))),
                    ]))
                    made += 1
                    continue
                case 5..<7: kind = 19  // a purchase
                default: kind = below(13)  // day 1's field edits and tags
                }
            }
            let edit: Edit
            switch kind {
            case 0..<5: edit = .set(c, "note", .text(pick(Self.notes)))
            case 5..<7: edit = .set(c, "aum", .int(Int64(below(5_000_000)) * 10_000))
            case 7: edit = .set(c, "tier", .text(pick(Self.tiers)))
            case 8: edit = .set(c, "phone", .text("139\(10_000_000 + below(89_999_999))"))
            case 9..<12:
                let tag = pick(Self.tags)
                tagged[c, default: []].append(tag)
                edit = .tag(c, tag)
            case 12:
                guard let tag = tagged[c]?.popLast() else { continue }
                edit = .untag(c, tag)
            case 13..<19:
                edit = .event(c, "contact", [
                    ("channel", .text(pick(Self.channels))), ("date", .int(20_454 + Int64(below(365)))),
                    ("text", .text(pick(Self.notes))), ("outcome", .text(pick(Self.outcomes))),
                ])
            default:
                edit = .event(c, "purchase", [
                    ("product", .text(pick(Self.products))), ("amount", .int(Int64(1 + below(500)) * 1_000_000)),
                    ("date", .int(20_454 + Int64(below(365)))),
                ])
            }
            self[keyPath: list].append(edit)
            made += 1
        }
    }

    /// The JSON the peers read: `{"customers": [...], "base": [...], "edits": [...]}`.
    func json() throws -> Data {
        func scalar(_ value: Scalar) -> Any {
            switch value {
            case .text(let text): return text
            case .int(let int): return int
            }
        }
        func fields(_ list: [(String, Scalar)]) -> [String: Any] {
            Dictionary(uniqueKeysWithValues: list.map { ($0.0, scalar($0.1)) })
        }
        func encode(_ edit: Edit) -> [Any] {
            switch edit {
            case .customer(let c, let f): return ["C", c, fields(f)]
            case .set(let c, let k, let v): return ["S", c, k, scalar(v)]
            case .tag(let c, let t): return ["A", c, t]
            case .untag(let c, let t): return ["R", c, t]
            case .event(let c, let kind, let f): return ["E", c, kind, fields(f)]
            }
        }
        let object: [String: Any] = [
            "customers": customers.map(\.text), "base": base.map(encode), "edits": edits.map(encode),
        ]
        // Sorted keys: the peers insert fields in this order, and an order that changed between runs moved their sizes.
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }
}

/// Turns library-neutral edits into Fieldbook ops as one device would author them: each `set` names the value it
/// replaces in `pred`, each tag removal names the additions it observed.
struct OpAuthor {
    let actor: ActorID
    let principal: String
    private(set) var counter: UInt64 = 0
    private var milliseconds: UInt64 = 1_767_256_200_000
    /// The device's clock: each op's reading is what `HybridClock` issues at the op's wall time (whole seconds since
    /// protocol version 4), as a book's transaction reads it.
    private var clock = HybridClock(last: .zero)
    private var lastSet: [EntityID: [FieldID: OpID]] = [:]
    private var tagAdds: [EntityID: [String: [OpID]]] = [:]
    private var random = SplitMix64(seed: 77)

    init(actor: ActorID, principal: String = "M001") {
        self.actor = actor
        self.principal = principal
    }

    static func field(_ name: String) -> FieldID {
        guard let spec = Schema.fields.first(where: { $0.name == name }) else { fatalError("unknown field \(name)") }
        return spec.id
    }

    static func value(_ field: String, _ scalar: Workload.Scalar) -> Value {
        switch (field, scalar) {
        // The channel is stored as its English code since issue 19 (`ContactChannel`): the Chinese word would be an
        // invalid value that the book skips.
        case ("channel", .text(let text)): return .text(ContactChannel.parse(text)?.rawValue ?? text)
        case (_, .text(let text)): return .text(text)
        case ("birthday", .int(let n)), ("date", .int(let n)): return .date(Day(number: Int32(n)))
        case ("aum", .int(let n)), ("amount", .int(let n)): return .money(n)
        case (_, .int(let n)): return .int(n)
        }
    }

    mutating func ops(_ edits: [Workload.Edit], customers: [EntityID]) -> [Op] {
        edits.map { op($0, customers: customers) }
    }

    mutating func op(_ edit: Workload.Edit, customers: [EntityID]) -> Op {
        counter += 1
        milliseconds += 1 + random.next() % 60_000
        let id = OpID(actor: actor, counter: counter)
        func assignments(_ list: [(String, Workload.Scalar)]) -> [FieldAssignment] {
            list.map { FieldAssignment(Self.field($0.0), Self.value($0.0, $0.1)) }
        }
        let body: Op.Body
        let customer: EntityID
        switch edit {
        case .customer(let c, let fields):
            customer = customers[c]
            precondition(customer == EntityID.derived(actor: actor, counter: counter), "customer \(c) is not named by its op")
            body = .create(kind: .customer, entity: customer, fields: assignments(fields))
            for field in fields { lastSet[customer, default: [:]][Self.field(field.0)] = id }
        case .set(let c, let name, let value):
            customer = customers[c]
            let field = Self.field(name)
            let pred = lastSet[customer]?[field].map { [$0] } ?? []
            body = .set(entity: customer, field: field, value: Self.value(name, value), pred: pred)
            lastSet[customer, default: [:]][field] = id
        case .tag(let c, let tag):
            customer = customers[c]
            body = .add(entity: customer, field: Schema.F.tags, element: tag)
            tagAdds[customer, default: [:]][tag, default: []].append(id)
        case .untag(let c, let tag):
            customer = customers[c]
            body = .remove(entity: customer, field: Schema.F.tags, element: tag, observed: tagAdds[customer]?[tag] ?? [])
            tagAdds[customer]?[tag] = nil
        case .event(let c, let kind, let fields):
            customer = customers[c]
            // Named by its creating op, as a device names it (protocol version 3); the two random words the UUIDv7 of
            // earlier runs took are still drawn, so that the clocks stay those of earlier runs.
            _ = (random.next(), random.next())
            let entity = EntityID.derived(actor: actor, counter: counter)
            body = .create(kind: kind == "purchase" ? .purchase : .contact, entity: entity, fields: assignments(fields))
        }
        return Op(id: id, hlc: clock.tick(now: milliseconds), scope: .customer(customer), principal: principal, body: body)
    }
}
