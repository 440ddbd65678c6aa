import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import PropertyBased
import Testing

/// The replica's compact bookkeeping (counters per actor instead of a map of ops, a register's values inline, the
/// IDs a field names in sorted arrays, fields in a small table) against the plain model it replaced: dictionaries keyed by op ID, written the way
/// ARCHITECTURE §3 states the rules. Any delivery order, with duplicates, must give the same answers.
@Suite("Replica against the plain reference model")
struct ReplicaReferenceTests {
    /// The merge rules over dictionaries and sets keyed by op ID: what `Replica`, `MVRegister` and `AddWinsSet` did
    /// before issue 20.
    struct Reference {
        var ops: [OpID: Operation] = [:]
        var live: [EntityID: [FieldID: [OpID: MVRegister.Entry]]] = [:]
        var superseded: [EntityID: [FieldID: Set<OpID>]] = [:]
        var additions: [EntityID: [FieldID: [String: Set<OpID>]]] = [:]
        var removed: [EntityID: [FieldID: Set<OpID>]] = [:]

        mutating func apply(_ op: Operation) -> Bool {
            guard ops[op.id] == nil else { return false }
            ops[op.id] = op
            func write(_ entity: EntityID, _ field: FieldID, _ value: Value, _ pred: [OpID]) {
                for p in pred {
                    superseded[entity, default: [:]][field, default: []].insert(p)
                    live[entity, default: [:]][field, default: [:]].removeValue(forKey: p)
                }
                if superseded[entity]?[field]?.contains(op.id) != true {
                    live[entity, default: [:]][field, default: [:]][op.id] = MVRegister.Entry(
                        id: op.id, hlc: op.hlc, value: value)
                }
            }
            switch op.body {
            case .create(_, let entity, let fields): for f in fields { write(entity, f.field, f.value, []) }
            case .set(let entity, let field, let value, let pred): write(entity, field, value, pred)
            case .add(let entity, let field, let element):
                if removed[entity]?[field]?.contains(op.id) != true {
                    additions[entity, default: [:]][field, default: [:]][element, default: []].insert(op.id)
                }
            case .remove(let entity, let field, let element, let observed):
                removed[entity, default: [:]][field, default: []].formUnion(observed)
                if var tags = additions[entity]?[field]?[element] {
                    tags.subtract(observed)
                    additions[entity]![field]![element] = tags.isEmpty ? nil : tags
                }
            }
            return true
        }

        func versionVector() -> [ActorID: UInt64] {
            var counters: [ActorID: [UInt64]] = [:]
            for id in ops.keys { counters[id.actor, default: []].append(id.counter) }
            return counters.mapValues { list in
                var held: UInt64 = 0
                for c in list.sorted() where c == held + 1 { held = c }
                return held
            }
        }
    }

    @Test("Any delivery order, with duplicates: the same ops, version vector and register values as the reference")
    func agreesWithTheReference() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            var generator = HistoryGenerator(seed: seed)
            let history = generator.generate(replicas: 3, steps: 150)
            var replica = Replica()
            var reference = Reference()
            for op in generator.shuffledWithDuplicates(history.all) {
                #expect(replica.apply(op) == reference.apply(op), "seed \(seed)")
            }
            #expect(replica.ops == reference.ops, "seed \(seed)")
            #expect(replica.log.count == reference.ops.count, "seed \(seed)")
            #expect(replica.versionVector() == reference.versionVector(), "seed \(seed)")
            for (entity, fields) in reference.superseded {
                for (field, named) in fields {
                    #expect(replica.entities[entity]?.registers[field]?.superseded == named, "seed \(seed)")
                }
            }
            for (entity, fields) in reference.removed {
                for (field, observed) in fields {
                    #expect(replica.entities[entity]?.sets[field]?.removed == observed, "seed \(seed)")
                }
            }
            for (entity, fields) in reference.additions {
                for (field, additions) in fields {
                    let set = replica.entities[entity]?.sets[field] ?? AddWinsSet()
                    #expect(set.additions == additions, "seed \(seed)")
                    #expect(set.elements == additions.keys.sorted(), "seed \(seed)")
                    for (element, tags) in additions {
                        #expect(set.tags(of: element) == tags.sorted(), "seed \(seed)")
                        #expect(set.contains(element), "seed \(seed)")
                    }
                }
            }
            for (entity, fields) in reference.live {
                for (field, live) in fields {
                    let register = replica.entities[entity]?.registers[field] ?? MVRegister()
                    #expect(register.live == live, "seed \(seed)")
                    #expect(register.entries.count == live.count, "seed \(seed)")
                    let expected = live.values.sorted(by: MVRegister.precedes)
                    #expect(register.current == expected, "seed \(seed)")
                    #expect(register.winner == expected.first, "seed \(seed)")
                    #expect(register.isConflicted == (Set(live.values.map(\.value)).count > 1), "seed \(seed)")
                }
            }
        }
    }

    @Test("A register applies a write twice, or after the write that supersedes it, without a change")
    func registerIdempotence() {
        let a = ActorID(high: 1, low: 0)
        let b = ActorID(high: 2, low: 0)
        let w1 = OpID(actor: a, counter: 1), w2 = OpID(actor: b, counter: 1), w3 = OpID(actor: a, counter: 2)
        var register = MVRegister()
        register.apply(id: w1, hlc: HLC(milliseconds: 1, logical: 0), value: .text("一"), pred: [])
        register.apply(id: w2, hlc: HLC(milliseconds: 2, logical: 0), value: .text("二"), pred: [])
        let conflicted = register
        register.apply(id: w2, hlc: HLC(milliseconds: 2, logical: 0), value: .text("二"), pred: [])
        #expect(register == conflicted)
        #expect(register.current.map(\.value) == [.text("二"), .text("一")])
        #expect(register.isConflicted)
        // w3 resolves both; w1 arriving again afterwards stays superseded.
        register.apply(id: w3, hlc: HLC(milliseconds: 3, logical: 0), value: .text("三"), pred: [w2, w1])
        register.apply(id: w1, hlc: HLC(milliseconds: 1, logical: 0), value: .text("一"), pred: [])
        #expect(register.current.map(\.value) == [.text("三")])
        #expect(register.superseded == [w1, w2])
        #expect(!register.isConflicted)
        // The same state reached in another order is equal, and hashes equally.
        var other = MVRegister()
        other.apply(id: w3, hlc: HLC(milliseconds: 3, logical: 0), value: .text("三"), pred: [w1, w2])
        other.apply(id: w2, hlc: HLC(milliseconds: 2, logical: 0), value: .text("二"), pred: [])
        #expect(other == register)
        #expect(Set([other, register]).count == 1)
    }

    @Test("Held counters: in order, out of order, duplicates and counter 0, against a set of IDs")
    func heldCounters() async {
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            var random = SplitMix64(seed: seed)
            let actors = (0..<3).map { ActorID(high: $0 + 1, low: seed) }
            var ids: [OpID] = []
            for actor in actors {
                let top = random.next() % 40
                for counter in 0...top where random.next() % 5 != 0 { ids.append(OpID(actor: actor, counter: counter)) }
            }
            // Mostly in order, with some swaps and duplicates.
            for _ in 0..<(ids.count / 4) where ids.count > 1 {
                let i = Int(random.next() % UInt64(ids.count)), j = Int(random.next() % UInt64(ids.count))
                ids.swapAt(i, j)
            }
            ids += ids.prefix(Int(random.next() % UInt64(ids.count + 1)))
            var held = HeldCounters()
            var reference: Set<OpID> = []
            for id in ids {
                #expect(held.contains(id) == reference.contains(id), "seed \(seed)")
                #expect(held.insert(id) == reference.insert(id).inserted, "seed \(seed)")
                #expect(held.contains(id), "seed \(seed)")
            }
            var vector: [ActorID: UInt64] = [:]
            for actor in Set(reference.map(\.actor)) {
                var top: UInt64 = 0
                while reference.contains(OpID(actor: actor, counter: top + 1)) { top += 1 }
                vector[actor] = top
            }
            #expect(held.versionVector == vector, "seed \(seed)")
            #expect(held.actorCount == vector.count, "seed \(seed)")
        }
    }

    @Test("A field table reads like a dictionary: in field order, equal whatever the insertion order")
    func fieldTable() {
        var table = FieldTable<String>()
        table[Schema.F.phone] = "电话"
        table[Schema.F.name] = "姓名"
        table[Schema.F.note, default: ""] += "备注"
        table[Schema.F.note, default: "不用"] += "，补充"
        #expect(table[Schema.F.note] == "备注，补充")
        #expect(table.keys == [Schema.F.name, Schema.F.phone, Schema.F.note].sorted())
        #expect(table.count == 3)
        let literal: FieldTable<String> = [Schema.F.note: "备注，补充", Schema.F.name: "姓名", Schema.F.phone: "电话"]
        #expect(literal == table)
        #expect(Set([literal, table]).count == 1)
        table[Schema.F.phone] = nil
        table[Schema.F.tier] = nil
        #expect(table.keys == [Schema.F.name, Schema.F.note].sorted())
        #expect(table[Schema.F.phone] == nil)
        #expect(literal != table)
        #expect(Dictionary(uniqueKeysWithValues: table.map { ($0.key, $0.value) }) == [
            Schema.F.name: "姓名", Schema.F.note: "备注，补充",
        ])
    }
}
