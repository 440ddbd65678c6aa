import FieldbookModel
import Foundation
import GRDB

/// The one definition, in SQL, of a register's display winner among its live values (`reg_value` rows): the value
/// with the greatest `(hlc, actor, counter)`, as ``MVRegister/precedes(_:_:)`` orders them.
///
/// Queries that pick winners put ``ordering(_:)`` in their ORDER BY and keep the first row of each register, so that
/// every place shows the same value for a conflicted field (docs/DECISIONS.md, "The centre's storage seam").
///
/// ```swift
/// let sql = "SELECT value FROM reg_value r WHERE … ORDER BY \(RegisterWinner.ordering("r")) LIMIT 1"
/// let owner = try RegisterWinner.value(Schema.F.owner, of: customer, db: db)?.text
/// ```
package enum RegisterWinner {
    /// The ORDER BY terms that put a register's winner first among its `reg_value` rows.
    ///
    /// - Parameter alias: The name the query gives `reg_value` (`r` in `FROM reg_value r`), or `nil` for none.
    package static func ordering(_ alias: String? = nil) -> String {
        let table = alias ?? "reg_value"
        return "\(table).hlc DESC, \(Book.actorID("\(table).actor")) DESC, \(table).counter DESC"
    }

    /// One register's winner: the SQL of ``value(_:of:db:)``.
    private static let winnerSQL = "SELECT value FROM reg_value WHERE entity = ? AND field = ? ORDER BY \(ordering()) LIMIT 1"

    /// The display winner of one field of an entity, inside the caller's transaction; `nil` when the field has no
    /// live value.
    package static func value(_ field: FieldID, of entity: EntityID, db: Database) throws -> Value? {
        guard
            let data = try Data.fetchOne(
                db.cachedStatement(sql: winnerSQL), arguments: [Data(entity.bytes), Int(field.rawValue)])
        else { return nil }
        var reader = ByteReader(Array(data))
        return try Value.decode(from: &reader)
    }
}
