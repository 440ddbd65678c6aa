import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Testing

/// The `customer` row's rewrite paths (`Projector.refreshCustomer`): a `set` on a customer whose contacts did not
/// change keeps the row's last-contact columns by an update; a batch that changes contacts, or a customer with no row
/// yet, rewrites the whole row. Each must leave the row a rebuild from the op log would write.
@Suite("Customer rows")
struct CustomerRowTests {
    static func contact(_ customer: EntityID, day: Int32, _ tx: BookTransaction) throws -> EntityID {
        try tx.create(.contact, scope: .customer(customer), fields: [
            FieldAssignment(Schema.F.channel, ContactChannel.call.value), FieldAssignment(Schema.F.text, .text("回访")),
            FieldAssignment(Schema.F.date, .date(Day(number: day))),
        ])
    }

    @Test("sets with and without contact changes leave the row a rebuild writes, applied in order or backwards")
    func rowsFollowEveryPath() throws {
        let book = try memoryBook()
        var ops: [Op] = []
        let customer = try book.write { tx in
            let id = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("王芳"))])
            ops += tx.appended
            return id
        }
        let first = try book.write { tx in
            defer { ops += tx.appended }
            return try Self.contact(customer, day: 20_450, tx)
        }
        #expect(try book.verifyProjections() == [])
        // Only the customer's own fields: the update that keeps the last contact.
        try book.write { tx in
            try tx.set(customer, Schema.F.note, .text("喜欢打高尔夫"))
            try tx.set(customer, Schema.F.tier, .text("钻石"))
            ops += tx.appended
        }
        #expect(try book.verifyProjections() == [])
        // A contact archived and the note changed in one batch: the whole row.
        try book.write { tx in
            try tx.set(first, Schema.F.archived, .bool(true))
            try tx.set(customer, Schema.F.note, .text("年末沙龙"))
            _ = try Self.contact(customer, day: 20_460, tx)
            ops += tx.appended
        }
        #expect(try book.verifyProjections() == [])
        // A value the row already shows (not archived): an op, but the update finds nothing to change.
        let unarchived = try book.write { tx in
            defer { ops += tx.appended }
            return try tx.set(customer, Schema.F.archived, .bool(false))
        }
        #expect(unarchived != nil)
        #expect(try book.verifyProjections() == [])

        // Another book gets the ops one at a time, newest first: values and contacts arrive before the customer's
        // create, whose batch then writes the row in full.
        let other = try memoryBook("M002", seed: 2)
        for op in ops.reversed() { _ = try other.applyRemote([op]) }
        #expect(try other.verifyProjections() == [])
        #expect(try other.stateHash() == book.stateHash())
        #expect(try other.find(text: "沙龙").map(\.id) == [customer])
        #expect(try book.find(text: "沙龙").map(\.id) == [customer])
    }
}
