import FieldbookModel
import FieldbookStore

/// A book in memory with a fixed clock and seed.
func memoryBook(_ principal: String = "M001", seed: UInt64 = 1) throws -> Book {
    try Book.inMemory(principal: principal, options: .fixed(milliseconds: 1_795_400_000_000, seed: seed))
}

/// Adds a customer with a name and optional extra fields; returns its ID.
@discardableResult
func addCustomer(_ book: Book, _ name: String, _ extra: [FieldAssignment] = []) throws -> EntityID {
    try book.write { tx in
        try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text(name))] + extra)
    }
}

/// Gives each book every op the others hold (a full exchange, as sync would).
func exchange(_ books: [Book]) throws {
    let all = try books.flatMap { try $0.allOps() }
    for book in books { try book.applyRemote(all) }
}
