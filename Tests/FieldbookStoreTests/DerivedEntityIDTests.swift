import FieldbookModel
import FieldbookStore
import Testing

/// A book names each entity it creates after the op that creates it (protocol version 3, SPEC §4.4, [W-10.9]).
@Suite("Entities named by their creating op")
struct DerivedEntityIDTests {
    @Test("a created customer's and contact's IDs are derived from their create ops")
    func createdIDsAreDerived() throws {
        let book = try memoryBook()
        var created: [EntityID] = []
        let ops = try book.write { tx in
            let customer = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("王芳"))])
            try tx.set(customer, Schema.F.tier, .text("钻石"))
            let contact = try tx.create(.contact, scope: .customer(customer), fields: [FieldAssignment(Schema.F.text, .text("聊了理财"))])
            created = [customer, contact]
            return tx.appended
        }
        let creates = ops.filter { if case .create = $0.body { return true } else { return false } }
        #expect(creates.map(\.body.entity) == created)
        for op in creates {
            #expect(op.body.entity == EntityID.derived(actor: book.actor, counter: op.id.counter))
            #expect(op.body.entity.isValidCreation(by: op.id))
        }
        #expect(creates.map(\.id.counter) == [1, 3])
    }

    @Test("a create refused before its op is appended leaves no gap: the next create takes that counter and its ID")
    func refusedCreateLeavesNoGap() throws {
        let book = try memoryBook()
        let first = try book.write { tx in try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("李明"))]) }
        let (refused, second) = try book.write { tx in
            // A contact needs a customer's scope: refused after the counter was looked at.
            let refused = (try? tx.create(.contact, scope: nil, fields: [])) == nil
            let second = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("陈静"))])
            return (refused, second)
        }
        #expect(refused)
        #expect(first == EntityID.derived(actor: book.actor, counter: 1))
        #expect(second == EntityID.derived(actor: book.actor, counter: 2))
        #expect(try book.ops(of: book.actor, after: 0).map(\.id.counter) == [1, 2])
    }

    @Test("books of different actors derive different IDs for the same counter")
    func actorsDiffer() throws {
        let a = try memoryBook(seed: 1)
        let b = try memoryBook(seed: 2)
        let x = try a.write { tx in try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("甲"))]) }
        let y = try b.write { tx in try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("乙"))]) }
        #expect(x != y && x.high != y.high && x.isDerived && y.isDerived)
    }
}
