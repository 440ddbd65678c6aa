import FieldbookModel
import FieldbookStore
import GRDB

extension Book {
    /// Appends ops to the log and projects them without the value rules (``FieldbookModel/Operation/valueProblem``),
    /// for tests of what the shell shows when a book holds what no writer may write today: a book written by an older
    /// version, or a peer that broke the rules. Every other path (a local write, `applyRemote`, the centre) refuses
    /// such values.
    ///
    /// ```swift
    /// try book.appendUnchecked([Op(id: …, body: .create(kind: .customer, entity: id,
    ///     fields: [FieldAssignment(Schema.F.name, .text("王\u{1B}[2J芳"))]))])
    /// ```
    public func appendUnchecked(_ ops: [Op]) throws {
        try database.write { db in
            var projector = try Projector(db)
            for op in ops { _ = try projector.append(op) }
            try projector.finish()
        }
    }
}
