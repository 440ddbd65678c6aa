import FieldbookModel
import FieldbookStore

/// Generates random but realistic concurrent histories: several replicas that edit customers while apart and merge
/// now and then, each authoring ops from its own view (so `pred` and `observed` are what that replica saw).
///
/// The same seed gives the same history, so a failing property prints its seed and can be replayed.
///
/// ```swift
/// let history = HistoryGenerator(seed: 42).generate(replicas: 3, steps: 80)
/// history.all.count   // every op authored, each once
/// ```
public struct HistoryGenerator {
    /// A generated history.
    public struct History: Sendable {
        /// The ops each replica authored, in authoring order.
        public var authored: [[Operation]]
        /// Every op, grouped by replica.
        public var all: [Operation] { authored.flatMap { $0 } }
    }

    private var random: SplitMix64

    /// Makes a generator.
    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    static let names = ["王芳", "李明", "张伟", "欧阳娜娜", "陈静", "刘洋", "王", "李", "赵敏", "孙丽"]
    static let notes = ["喜欢喝茶", "退休教师，关注养老", "孩子在海外读书", "炒股多年", "企业老板，关注现金管理", "投诉已处理"]
    static let tags = ["VIP", "理财沙龙", "待激活", "高净值", "亲子活动"]
    static let tiers = Tier.allCases.map(\.rawValue)

    private mutating func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
    private mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    /// Generates a history.
    ///
    /// - Parameters:
    ///   - replicas: How many replicas author ops (at least 1).
    ///   - steps: How many actions in all (edits and merges).
    public mutating func generate(replicas: Int, steps: Int) -> History {
        struct Author {
            var actor: ActorID
            var principal: String
            var counter: UInt64 = 0
            var clock = HybridClock(last: .zero)
            var wall: UInt64
            var view = Replica()
        }
        var authors: [Author] = (0..<replicas).map { index in
            Author(
                actor: ActorID.random(using: &random), principal: index % 2 == 0 ? "M001" : "W001",
                wall: 1_795_000_000_000 + UInt64(index))
        }
        var authored: [[Operation]] = Array(repeating: [], count: replicas)

        for _ in 0..<steps {
            let r = Int(random.next() % UInt64(replicas))
            if replicas > 1, chance(20) {
                // Merge another replica's ops into this one (a sync).
                var other = Int(random.next() % UInt64(replicas))
                if other == r { other = (other + 1) % replicas }
                authors[r].view.merge(authors[other].view)
                for op in authors[other].view.ops.values { authors[r].clock.observe(op.hlc) }
                continue
            }
            // Wall clocks jump forward, and sometimes back.
            authors[r].wall = chance(10) ? authors[r].wall - 5_000 : authors[r].wall + random.next() % 3_000
            let customers = authors[r].view.entities.filter { $0.value.kind == .customer }.keys.sorted()
            let body: Operation.Body
            let scope: Scope
            if customers.isEmpty || chance(12) {
                let id = EntityID.make(milliseconds: authors[r].wall, using: &random)
                var fields = [FieldAssignment(Schema.F.name, .text(pick(Self.names)))]
                if chance(50) { fields.append(FieldAssignment(Schema.F.tier, .text(pick(Self.tiers)))) }
                if chance(30) { fields.append(FieldAssignment(Schema.F.note, .text(pick(Self.notes)))) }
                body = .create(kind: .customer, entity: id, fields: fields)
                scope = .customer(id)
            } else {
                let customer = pick(customers)
                scope = .customer(customer)
                let dice = random.next() % 100
                if dice < 10 {
                    let id = EntityID.make(milliseconds: authors[r].wall, using: &random)
                    body = .create(
                        kind: .contact, entity: id,
                        fields: [
                            FieldAssignment(Schema.F.channel, .text(pick([ContactChannel.call, .home, .visit].map(\.rawValue)))),
                            FieldAssignment(Schema.F.text, .text(pick(Self.notes))),
                        ])
                } else if dice < 70 {
                    // Edit a field of the customer or of one of its entities, superseding what this replica sees.
                    let inScope = authors[r].view.entities.filter { $0.value.scope == scope && $0.value.isCreated }
                    let target = pick(inScope.keys.sorted())
                    let isCustomer = inScope[target]?.kind == .customer
                    let field: FieldID
                    let value: Value
                    if isCustomer {
                        switch random.next() % 6 {
                        case 0: (field, value) = (Schema.F.name, .text(pick(Self.names)))
                        case 1: (field, value) = (Schema.F.phone, .text("138" + String(10_000_000 + random.next() % 89_999_999)))
                        case 2: (field, value) = (Schema.F.tier, .text(pick(Self.tiers)))
                        case 3: (field, value) = (Schema.F.note, chance(15) ? .null : .text(pick(Self.notes)))
                        case 4: (field, value) = (FieldID(rawValue: 11), .money(Int64(random.next() % 100_000) * 1_000_000))
                        default: (field, value) = (Schema.F.birthday, .date(Day(number: Int32(random.next() % 20_000))))
                        }
                    } else {
                        (field, value) = (Schema.F.outcome, .text(pick(["有意向", "再联系", "已购买"])))
                    }
                    let live = authors[r].view.entities[target]?.registers[field]?.live.keys.sorted() ?? []
                    body = .set(entity: target, field: field, value: value, pred: live)
                } else if dice < 88 {
                    body = .add(entity: customer, field: Schema.F.tags, element: pick(Self.tags))
                } else {
                    let set = authors[r].view.entities[customer]?.sets[Schema.F.tags] ?? AddWinsSet()
                    let element = set.elements.isEmpty ? pick(Self.tags) : pick(set.elements)
                    body = .remove(entity: customer, field: Schema.F.tags, element: element, observed: set.tags(of: element))
                }
            }
            authors[r].counter += 1
            let op = Operation(
                id: OpID(actor: authors[r].actor, counter: authors[r].counter),
                hlc: authors[r].clock.tick(now: authors[r].wall), scope: scope, principal: authors[r].principal,
                body: body)
            authors[r].view.apply(op)
            authored[r].append(op)
        }
        return History(authored: authored)
    }

    /// A random permutation of `ops` with some duplicated, as a bad network would deliver them.
    public mutating func shuffledWithDuplicates(_ ops: [Operation], duplicatePercent: UInt64 = 20) -> [Operation] {
        var delivery = ops
        for op in ops where chance(duplicatePercent) { delivery.append(op) }
        for index in stride(from: delivery.count - 1, to: 0, by: -1) {
            delivery.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        return delivery
    }

    /// Splits ops into consecutive batches of random sizes.
    public mutating func batches(_ ops: [Operation], maximum: Int = 25) -> [[Operation]] {
        var result: [[Operation]] = []
        var index = 0
        while index < ops.count {
            let size = 1 + Int(random.next() % UInt64(maximum))
            result.append(Array(ops[index..<min(ops.count, index + size)]))
            index += size
        }
        return result
    }
}
