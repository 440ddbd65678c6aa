import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import PropertyBased
import Testing

/// The per-scope state hash cache (`scope_hash`, kept by the projector) always equals the full recomputation.
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

    @Test("A purge drops the purged scope's cached hash")
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
