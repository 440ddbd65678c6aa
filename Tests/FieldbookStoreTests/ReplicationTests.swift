import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import PropertyBased
import Testing

@Suite("Replication through the Book")
struct ReplicationTests {
    @Test("The SQLite book and the in-memory replica agree; rebuild gives the same projections and hash")
    func rebuildEqualsIncremental() async throws {
        await propertyCheck(count: 25, input: Gen.uint64()) { seed in
            do {
                var generator = HistoryGenerator(seed: seed)
                let history = generator.generate(replicas: 3, steps: 100)
                var replica = Replica()
                for op in history.all { replica.apply(op) }

                let book = try memoryBook()
                for batch in generator.batches(generator.shuffledWithDuplicates(history.all)) {
                    try book.applyRemote(batch)
                }
                #expect(try book.stateHash() == replica.stateHash(), "seed \(seed)")
                let scopes = Set(replica.entities.values.filter(\.isCreated).map(\.scope))
                for scope in scopes {
                    #expect(try book.stateHash(scope: scope) == replica.stateHash(scope: scope), "seed \(seed)")
                }
                #expect(try book.verifyProjections() == [], "seed \(seed)")
                try book.rebuild()
                #expect(try book.stateHash() == replica.stateHash(), "seed \(seed)")
                #expect(try book.opCount() == history.all.count)
                #expect(try book.versionVector() == replica.versionVector(), "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    @Test("Two books that exchange their ops end with the same state hash, conflicts visible on both")
    func twoBooksConverge() throws {
        let manager = try memoryBook("M001", seed: 1)
        let advisor = try memoryBook("W001", seed: 2)
        let id = try addCustomer(manager, "王芳", [FieldAssignment(Schema.F.phone, .text("13800138000"))])
        try exchange([manager, advisor])
        #expect(try manager.stateHash() == advisor.stateHash())

        // Both change the phone while apart; each also tags.
        try manager.write { tx in
            try tx.set(id, Schema.F.phone, .text("13900139000"))
            try tx.add(id, Schema.F.tags, "VIP")
        }
        try advisor.write { tx in
            try tx.set(id, Schema.F.phone, .text("13700137000"))
            try tx.add(id, Schema.F.tags, "理财沙龙")
        }
        try exchange([manager, advisor])
        #expect(try manager.stateHash() == advisor.stateHash())
        for book in [manager, advisor] {
            let conflicts = try book.conflicts()
            #expect(conflicts.count == 1)
            #expect(Set(conflicts[0].values.map(\.entry.value)) == [.text("13900139000"), .text("13700137000")])
            #expect(Set(conflicts[0].values.map(\.principal)) == ["M001", "W001"])
            #expect(try book.snapshot(of: id)?.sets[Schema.F.tags] == ["VIP", "理财沙龙"])
        }
        // The display winner is the same on both.
        #expect(try manager.snapshot(of: id)?.value(Schema.F.phone) == advisor.snapshot(of: id)?.value(Schema.F.phone))

        // Resolving on one clears it on both after the next exchange; history keeps every value.
        try advisor.write { tx in try tx.set(id, Schema.F.phone, .text("13700137000")) }
        try exchange([manager, advisor])
        #expect(try manager.conflicts().isEmpty && advisor.conflicts().isEmpty)
        #expect(try manager.snapshot(of: id)?.value(Schema.F.phone) == .text("13700137000"))
        let history = try manager.history(of: .customer(id))
        #expect(history.count == 6)
        #expect(try manager.stateHash() == advisor.stateHash())
    }

    @Test("Applying a batch twice, or out of order, changes nothing more")
    func idempotentBatches() throws {
        let source = try memoryBook("M001", seed: 1)
        let id = try addCustomer(source, "李明")
        for index in 0..<10 { try source.write { tx in try tx.set(id, Schema.F.note, .text("第\(index)次")) } }
        let ops = try source.allOps()
        let target = try memoryBook("W001", seed: 2)
        let first = try target.applyRemote(Array(ops.reversed()))
        let second = try target.applyRemote(ops)
        #expect(first == ApplyResult(applied: 11, duplicates: 0))
        #expect(second == ApplyResult(applied: 0, duplicates: 11))
        #expect(try target.stateHash() == source.stateHash())
        #expect(try target.versionVector()[source.actor] == 11)
        #expect(try target.ops(of: source.actor, after: 8).map(\.id.counter) == [9, 10, 11])
        #expect(try target.ops(in: .customer(id)).count == 11)
    }

    @Test("A gap in an actor's counters holds the contiguous counter back until it is filled")
    func contiguousCounters() throws {
        let source = try memoryBook("M001", seed: 1)
        for index in 0..<4 { try addCustomer(source, "客户\(index)") }
        let ops = try source.allOps()
        let target = try memoryBook("W001", seed: 2)
        try target.applyRemote([ops[0], ops[2], ops[3]])
        #expect(try target.versionVector()[source.actor] == 1)
        try target.applyRemote([ops[1]])
        #expect(try target.versionVector()[source.actor] == 4)
    }

    @Test("One batch: renames before their create, a tier change, counters out of order; the row and search follow")
    func customerRowsAtTheEndOfABatch() throws {
        let source = try memoryBook("M001", seed: 1)
        let id = try addCustomer(source, "王芳", [FieldAssignment(Schema.F.phone, .text("13800138000"))])
        try source.write { tx in try tx.set(id, Schema.F.name, .text("王芳芳")) }
        try source.write { tx in try tx.set(id, Schema.F.tier, .text("钻石")) }
        try source.write { tx in try tx.set(id, Schema.F.name, .text("欧阳芳")) }
        let ops = try source.allOps()
        let target = try memoryBook("W001", seed: 2)
        // The create last, and the counters 4, 2, 3, 1: nothing is visible until the create, and one batch.
        #expect(try target.applyRemote(Array(ops.reversed())) == ApplyResult(applied: 4, duplicates: 0))
        #expect(try target.versionVector()[source.actor] == 4)
        let found = try target.find(text: "欧阳")
        #expect(found.map(\.name) == ["欧阳芳"])
        #expect(found.first?.tier == "钻石")
        #expect(try target.find(text: "王芳").isEmpty)
        #expect(try target.find(text: "138001").map(\.id) == [id])
        // A tier change leaves the search text as it was; a later rename rewrites it.
        try target.write { tx in try tx.set(id, Schema.F.tier, .text("私人银行")) }
        try target.write { tx in try tx.set(id, Schema.F.name, .text("李芳")) }
        #expect(try target.find(text: "李芳").map(\.tier) == ["私人银行"])
        #expect(try target.find(text: "欧阳").isEmpty)
        #expect(try target.verifyProjections() == [])
        #expect(try target.stateHash() == target.stateHashRecomputed())
    }
}
