import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import PropertyBased
import Testing

@Suite("CRDT merge laws")
struct MergeTests {
    static func replica(_ ops: some Sequence<Operation>) -> Replica {
        var replica = Replica()
        for op in ops { replica.apply(op) }
        return replica
    }

    static func hex(_ replica: Replica) -> String { StateDigest.hex(replica.stateHash()) }

    @Test("Any delivery order, with duplicates, gives the same state on three replicas")
    func convergence() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            var generator = HistoryGenerator(seed: seed)
            let history = generator.generate(replicas: 3, steps: 120)
            let reference = Self.hex(Self.replica(history.all))
            for _ in 0..<3 {
                let delivery = generator.shuffledWithDuplicates(history.all)
                #expect(Self.hex(Self.replica(delivery)) == reference, "seed \(seed)")
            }
        }
    }

    @Test("merge is commutative, associative and idempotent")
    func laws() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            var generator = HistoryGenerator(seed: seed)
            let history = generator.generate(replicas: 3, steps: 90)
            let shuffled = generator.shuffledWithDuplicates(history.all, duplicatePercent: 0)
            let third = max(1, shuffled.count / 3)
            let a = Self.replica(shuffled.prefix(third))
            let b = Self.replica(shuffled.dropFirst(third).prefix(third))
            let c = Self.replica(shuffled.dropFirst(2 * third))

            func merged(_ x: Replica, _ y: Replica) -> Replica {
                var result = x
                result.merge(y)
                return result
            }
            #expect(Self.hex(merged(a, b)) == Self.hex(merged(b, a)), "commutative, seed \(seed)")
            #expect(
                Self.hex(merged(merged(a, b), c)) == Self.hex(merged(a, merged(b, c))), "associative, seed \(seed)")
            #expect(Self.hex(merged(a, a)) == Self.hex(a), "idempotent, seed \(seed)")
            #expect(Self.hex(merged(merged(a, b), b)) == Self.hex(merged(a, b)), "idempotent, seed \(seed)")
        }
    }

    @Test("No value is lost: every write is current or superseded by an op that named it")
    func noValueLost() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            var generator = HistoryGenerator(seed: seed)
            let history = generator.generate(replicas: 4, steps: 150)
            let final = Self.replica(generator.shuffledWithDuplicates(history.all))
            var named: Set<String> = []
            for op in history.all {
                if case .set(let entity, let field, _, let pred) = op.body {
                    for p in pred { named.insert("\(entity)|\(field.rawValue)|\(p)") }
                }
            }
            for op in history.all {
                var writes: [(EntityID, FieldID)] = []
                switch op.body {
                case .create(_, let entity, let fields): writes = fields.map { (entity, $0.field) }
                case .set(let entity, let field, _, _): writes = [(entity, field)]
                default: break
                }
                for (entity, field) in writes {
                    let live = final.entities[entity]?.registers[field]?.live[op.id] != nil
                    let superseded = named.contains("\(entity)|\(field.rawValue)|\(op.id)")
                    #expect(live || superseded, "value of \(op.id) lost, seed \(seed)")
                }
            }
        }
    }

    @Test func concurrentWritesStayVisibleWithADeterministicWinner() {
        let a = ActorID(high: 1, low: 0)
        let b = ActorID(high: 2, low: 0)
        let customer = EntityID(high: 7, low: 7)
        let create = Operation(
            id: OpID(actor: a, counter: 1), hlc: HLC(milliseconds: 100, logical: 0), scope: .customer(customer),
            principal: "M001",
            body: .create(kind: .customer, entity: customer, fields: [FieldAssignment(Schema.F.phone, .text("1"))]))
        let fromA = Operation(
            id: OpID(actor: a, counter: 2), hlc: HLC(milliseconds: 200, logical: 0), scope: .customer(customer),
            principal: "M001", body: .set(entity: customer, field: Schema.F.phone, value: .text("A"), pred: [create.id]))
        let fromB = Operation(
            id: OpID(actor: b, counter: 1), hlc: HLC(milliseconds: 200, logical: 0), scope: .customer(customer),
            principal: "W001", body: .set(entity: customer, field: Schema.F.phone, value: .text("B"), pred: [create.id]))
        for order in [[create, fromA, fromB], [fromB, fromA, create], [fromA, create, fromB]] {
            let register = Self.replica(order).entities[customer]!.registers[Schema.F.phone]!
            #expect(register.current.map(\.value) == [.text("B"), .text("A")])  // same hlc: greater actor wins display
            #expect(register.isConflicted)
        }
        let resolve = Operation(
            id: OpID(actor: a, counter: 3), hlc: HLC(milliseconds: 300, logical: 0), scope: .customer(customer),
            principal: "M001",
            body: .set(entity: customer, field: Schema.F.phone, value: .text("A"), pred: [fromA.id, fromB.id]))
        let resolved = Self.replica([resolve, fromB, create, fromA]).entities[customer]!.registers[Schema.F.phone]!
        #expect(resolved.current.map(\.value) == [.text("A")])
        #expect(!resolved.isConflicted)
    }

    @Test func addWinsOverAConcurrentRemove() {
        var set = AddWinsSet()
        let a1 = OpID(actor: ActorID(high: 1, low: 0), counter: 1)
        let b1 = OpID(actor: ActorID(high: 2, low: 0), counter: 1)
        set.add("VIP", id: a1)
        // B removes what it observed (a1) while A adds again concurrently (a2).
        let a2 = OpID(actor: ActorID(high: 1, low: 0), counter: 2)
        var other = set
        other.remove("VIP", observed: [a1])
        set.add("VIP", id: a2)
        set.remove("VIP", observed: [a1])
        #expect(set.elements == ["VIP"])
        // A removal that arrives before the addition it observed still wins over that addition.
        var early = AddWinsSet()
        early.remove("沙龙", observed: [b1])
        early.add("沙龙", id: b1)
        #expect(early.elements.isEmpty)
        #expect(other.elements.isEmpty)
    }

    @Test func scopeHashesSumUpToTheOverallHash() {
        var generator = HistoryGenerator(seed: 5)
        let replica = Self.replica(generator.generate(replicas: 2, steps: 80).all)
        let scopes = replica.entities.values.filter(\.isCreated).map(\.scope)
        let rebuilt = StateDigest.overall(Set(scopes).map { StateSum(bytes: replica.stateHash(scope: $0))! })
        #expect(rebuilt == replica.stateHash())
        #expect(Replica().stateHash() == StateDigest.overall([]))
        #expect(Replica().stateHash() == [UInt8](repeating: 0, count: 32))
    }
}
