import FieldbookModel
import Foundation
import GRDB

/// The one definition, in SQL, of a register's display winner among its live values (`reg_value` rows): the value
/// with the greatest `(hlc, actor, counter)`, as ``MVRegister/precedes(_:_:)`` orders them.
///
/// Queries that pick winners join ``actorJoin(_:outer:)`` (the actor's bytes: `reg_value` holds its number, book v12),
/// put ``ordering(_:)`` in their ORDER BY and keep the first row of each register, so that every place shows the same
/// value for a conflicted field (docs/DECISIONS.md, "The centre's storage seam").
///
/// ```swift
/// let sql = """
///     SELECT r.value FROM reg_value r \(RegisterWinner.actorJoin("r")) WHERE …
///     ORDER BY \(RegisterWinner.ordering("r")) LIMIT 1
///     """
/// let owner = try RegisterWinner.value(Schema.F.owner, of: customer, db: db)?.text
/// ```
package enum RegisterWinner {
    /// The ORDER BY terms that put a register's winner first among its `reg_value` rows, with the query joining
    /// ``actorJoin(_:outer:)`` for the same alias.
    ///
    /// - Parameter alias: The name the query gives `reg_value` (`r` in `FROM reg_value r`), or `nil` for none.
    package static func ordering(_ alias: String? = nil) -> String {
        let table = alias ?? "reg_value"
        return "\(table).hlc DESC, \(table)_actor.id DESC, \(table).counter DESC"
    }

    /// The join that gives each `reg_value` row its actor's bytes, as `<alias>_actor.id` (an outer join after an outer
    /// join of `reg_value`). A join rather than a subquery per row: SQLite then opens the actors' table once per
    /// statement, which a subquery per row costs in allocations.
    package static func actorJoin(_ alias: String? = nil, outer: Bool = false) -> String {
        let table = alias ?? "reg_value"
        return "\(outer ? "LEFT JOIN" : "JOIN") actor_key AS \(table)_actor ON \(table)_actor.no = \(table).actor"
    }

    /// The display winner of one field of an entity, inside the caller's transaction; `nil` when the field has no
    /// live value.
    ///
    /// Picked here, as ``ordering(_:)`` orders, rather than by SQL: a register holds one live value but in a conflict,
    /// so the actors' bytes are read only when two values share a clock reading. The centre asks for every op it is
    /// pushed (an owner's coverage), where a sort and a join per call were most of the question's allocations.
    package static func value(_ field: FieldID, of entity: EntityID, db: Database) throws -> Value? {
        let rows = DirectStatement(
            try db.cachedStatement(sql: "SELECT hlc, actor, counter, value FROM reg_value WHERE entity = ? AND field = ?"),
            db: db)
        rows.reset()
        defer { rows.reset() }
        try rows.bind(1, entity)
        try rows.bind(2, Int(field.rawValue))
        var leader: (hlc: Int64, actor: Int64, counter: Int64, value: Value)?
        while try rows.step() {
            let hlc = rows.int64(0), actor = rows.int64(1), counter = rows.int64(2)
            if let leader {
                if hlc != leader.hlc {
                    guard hlc > leader.hlc else { continue }
                } else if actor != leader.actor {
                    guard try actorBytes(actor, db: db).lexicographicallyPrecedes(actorBytes(leader.actor, db: db)) == false
                    else { continue }
                } else {
                    guard counter > leader.counter else { continue }
                }
            }
            leader = (hlc, actor, counter, try rows.value(3))
        }
        return leader?.value
    }

    /// The 16 bytes of a numbered actor (empty for an unknown number, which then orders first).
    private static func actorBytes(_ number: Int64, db: Database) throws -> [UInt8] {
        let row = DirectStatement(try db.cachedStatement(sql: "SELECT id FROM actor_key WHERE no = ?"), db: db)
        row.reset()
        defer { row.reset() }
        try row.bind(1, number)
        return try row.step() ? row.bytes(0) : []
    }
}
