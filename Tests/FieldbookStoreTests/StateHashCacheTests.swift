import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import GRDB
import PropertyBased
import Testing

/// The per-scope state sums (`scope_hash`, kept by the projector fact by fact, SPEC §9.3) always equal the full
/// recomputation and the in-memory replica's.
@Suite("State hash cache")
struct StateHashCacheTests {
    @Test("Cached hashes equal the full recomputation after every batch, local write, purge and rebuild")
    func cacheEqualsRecomputation() async throws {
        await propertyCheck(count: 30, input: Gen.uint64()) { seed in
            do {
                var generator = HistoryGenerator(seed: seed)
                var random = SplitMix64(seed: seed)
                let history = generator.generate(replicas: 3, steps: 120)
                let book = try memoryBook()
                var purged = 0
                for batch in generator.batches(generator.shuffledWithDuplicates(history.all)) {
                    try book.applyRemote(batch)
                    let customers = try book.find().map(\.id)
                    switch random.next() % 10 {
                    case 0, 1:
                        // A local edit, through the same projector.
                        if let id = customers.randomElement(using: &random) {
                            try book.write { tx in _ = try tx.set(id, Schema.F.note, .text("回访 \(random.next() % 100)")) }
                        }
                    case 2:
                        // A purge: the customer's ops and rows leave (a later batch may bring some back).
                        if let id = customers.randomElement(using: &random) {
                            try book.purge([Book.PurgeRecord(customer: id, reason: 1, newOwner: nil)])
                            purged += 1
                        }
                    case 3:
                        try book.rebuild()
                    default:
                        break
                    }
                    // Half the time the cache is read (and filled) now, so later batches must invalidate it.
                    if random.next() % 2 == 0 {
                        #expect(try book.stateHash() == book.stateHashRecomputed(), "seed \(seed)")
                    }
                    if let id = customers.randomElement(using: &random) {
                        let scope = Scope.customer(id)
                        var alone = Replica()
                        for op in try book.ops(in: scope) { alone.apply(op) }
                        #expect(try book.stateHash(scope: scope) == alone.stateHash(scope: scope), "seed \(seed)")
                    }
                }
                #expect(try book.stateHash() == book.stateHashRecomputed(), "seed \(seed)")
                // An independent computation: an in-memory replica of whatever the log holds now.
                var replica = Replica()
                for op in try book.allOps() { replica.apply(op) }
                #expect(try book.stateHash() == replica.stateHash(), "seed \(seed), \(purged) purges")
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    @Test("A second create that moves an entity to another scope changes both scopes' cached hashes")
    func createMovingScopes() throws {
        let book = try memoryBook()
        let a = try addCustomer(book, "王芳")
        let b = try addCustomer(book, "李明")
        let actor = ActorID(high: 7, low: 7)
        let contact = EntityID(high: 0x0190_0000_0000_7000, low: 1)
        func create(_ counter: UInt64, in customer: EntityID) -> Op {
            Op(id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: 1_795_400_000_000 + counter, logical: 0),
               scope: .customer(customer), principal: "M001",
               body: .create(kind: .contact, entity: contact, fields: [FieldAssignment(Schema.F.text, .text("电话"))]))
        }
        try book.applyRemote([create(1, in: a)])
        let before = (a: try book.stateHash(scope: .customer(a)), b: try book.stateHash(scope: .customer(b)))
        #expect(try book.stateHash() == book.stateHashRecomputed())
        try book.applyRemote([create(2, in: b)])
        #expect(try book.stateHash(scope: .customer(a)) != before.a)
        #expect(try book.stateHash(scope: .customer(b)) != before.b)
        #expect(try book.stateHash() == book.stateHashRecomputed())
    }

    @Test("Superseding a value and removing a set element's last tag subtract their facts: back to the hash without them")
    func subtractingFacts() throws {
        let book = try memoryBook()
        let id = try addCustomer(book, "王芳")
        let scope = Scope.customer(id)
        let actor = ActorID(high: 9, low: 9)
        func op(_ counter: UInt64, _ body: Op.Body) -> Op {
            Op(id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: 1_795_400_000_000 + counter, logical: 0),
               scope: scope, principal: "M002", body: body)
        }
        try book.applyRemote([op(1, .add(entity: id, field: Schema.F.tags, element: "观望"))])
        try book.applyRemote([op(2, .add(entity: id, field: Schema.F.tags, element: "观望"))])
        try book.applyRemote([op(3, .remove(entity: id, field: Schema.F.tags, element: "观望",
                                            observed: [OpID(actor: actor, counter: 1)]))])
        // One tag is left: the element is still there.
        var replica = Replica()
        for op in try book.allOps() { replica.apply(op) }
        #expect(try book.stateHash(scope: scope) == replica.stateHash(scope: scope))
        #expect(replica.entities[id]?.sets[Schema.F.tags]?.elements == ["观望"])
        try book.applyRemote([op(4, .remove(entity: id, field: Schema.F.tags, element: "观望",
                                            observed: [OpID(actor: actor, counter: 2)]))])
        try book.applyRemote([op(5, .set(entity: id, field: Schema.F.tier, value: .text("钻石"), pred: []))])
        try book.applyRemote([op(6, .set(entity: id, field: Schema.F.tier, value: .text("金葵花"),
                                         pred: [OpID(actor: actor, counter: 5)]))])
        replica = Replica()
        for op in try book.allOps() { replica.apply(op) }
        #expect(replica.entities[id]?.sets[Schema.F.tags]?.elements.isEmpty != false)
        #expect(try book.stateHash(scope: scope) == replica.stateHash(scope: scope))
        #expect(try book.stateHash() == book.stateHashRecomputed())
        // The sum is exactly the facts left: no trace of the superseded value or the removed element.
        let facts = replica.facts()[scope.key] ?? []
        #expect(!facts.contains(StateDigest.elementFact(id, field: Schema.F.tags, element: "观望")))
        #expect(try book.stateHash(scope: scope) == StateDigest.scopeHash(scope.key, facts))
    }

    @Test("check finds a stored sum that differs from the facts, and rebuild repairs it")
    func checkFindsWrongSums() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("book.sqlite")
        let id: EntityID
        do {
            let book = try Book.create(at: path, principal: "M001")
            id = try addCustomer(book, "王芳")
            _ = try addCustomer(book, "李明")
            #expect(try book.check().isClean)
        }
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in
            try db.execute(sql: "UPDATE scope_hash SET hash = randomblob(32) WHERE scope = ?", arguments: [Scope.customer(id).key])
            try db.execute(sql: "INSERT OR REPLACE INTO scope_hash (scope, hash, entities) VALUES ('*', randomblob(32), 0)")
        }
        try raw.close()
        let book = try Book.open(at: path)
        let report = try book.check()
        #expect(report.checks.contains("state hashes match a recomputation"))
        #expect(report.problems.contains("1 个范围的状态哈希与重新计算的不一致（可用 rebuild 从日志重建）"))
        #expect(report.problems.contains("整本的状态哈希与重新计算的不一致（可用 rebuild 从日志重建）"))
        try book.rebuild()
        #expect(try book.check().isClean)
        #expect(try book.stateHash() == book.stateHashRecomputed())
    }

    @Test("A purge drops the purged scope's row, and the whole book's sum is summed again without it")
    func purgeDropsHash() throws {
        let book = try memoryBook()
        let kept = try addCustomer(book, "王芳")
        let gone = try addCustomer(book, "李明")
        let full = try book.stateHash()
        try book.purge([Book.PurgeRecord(customer: gone, reason: 1, newOwner: nil)])
        #expect(try book.stateHash() != full)
        #expect(try book.stateHash() == book.stateHashRecomputed())
        var replica = Replica()
        for op in try book.allOps() { replica.apply(op) }
        #expect(try book.stateHash() == replica.stateHash())
        #expect(try book.stateHash(scope: .customer(kept)) == replica.stateHash(scope: .customer(kept)))
    }
}
