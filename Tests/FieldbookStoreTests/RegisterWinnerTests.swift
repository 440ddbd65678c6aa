import FieldbookModel
import FieldbookStore
import GRDB
import Testing

/// ``RegisterWinner``, the SQL the centre picks display winners with, agrees with the model's order
/// (`MVRegister.precedes`: greatest hlc, then actor, then counter), ties of clock readings included.
@Suite("Register winners in SQL")
struct RegisterWinnerTests {
    @Test("the winner in SQL is the model's winner for a register written concurrently by three books at one clock reading")
    func winnerMatchesModel() throws {
        let books = try [memoryBook("M001", seed: 1), memoryBook("W001", seed: 2), memoryBook("R001", seed: 3)]
        let id = try addCustomer(books[0], "王芳", [FieldAssignment(Schema.F.phone, .text("13800138000"))])
        try exchange(books)
        for (book, phone) in zip(books, ["13900139000", "13700137000", "13600136000"]) {
            try book.write { tx in try tx.set(id, Schema.F.phone, .text(phone)) }
        }
        try exchange(books)
        for book in books {
            try book.database.read { db in
                let live = try book.liveValues(id, Schema.F.phone, in: db)
                #expect(live.count == 3)
                // The three books share one fixed clock: equal readings, so the actor decides.
                #expect(Set(live.map(\.hlc)).count < live.count, "the test covers a tie of clock readings")
                let expected = live.sorted(by: MVRegister.precedes).first?.value
                #expect(try RegisterWinner.value(Schema.F.phone, of: id, db: db) == expected)
                #expect(try Book.value(Schema.F.phone, of: id, db: db) == expected)
                var streamed: Value?
                try Book.forEachLiveEntity(.customer, fields: [Schema.F.phone], db: db) { streamed = $0.values[Schema.F.phone] }
                #expect(streamed == expected)
            }
        }
        #expect(
            RegisterWinner.ordering("r")
                == "r.hlc DESC, r_actor.id DESC, r.counter DESC")
        #expect(RegisterWinner.actorJoin("r") == "JOIN actor_key AS r_actor ON r_actor.no = r.actor")
    }
}
