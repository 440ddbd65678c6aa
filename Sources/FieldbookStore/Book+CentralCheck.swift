import FieldbookModel
import Foundation
import GRDB

/// Named queries for the centre's own checks (`fieldbook admin check`), which compare the op log with the centre's
/// log sequence and device records.
extension Book {
    /// Streams the ID of every op in the log, ordered by actor bytes then counter (the op table's key order), so
    /// that the caller can merge it with its own list in the same order.
    package static func forEachOpID(_ db: Database, _ body: (OpID) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db.cachedStatement(sql: "SELECT actor, counter FROM op ORDER BY actor, counter"))
        while let row = try cursor.next() {
            guard let actor = ActorID(bytes: Array(row[0] as Data)) else { continue }
            try body(OpID(actor: actor, counter: UInt64(row[1] as Int64)))
        }
    }

    /// How many ops of an actor the log holds with counters 1…`held`, and how many above `held`.
    package static func opCounts(of actor: ActorID, held: UInt64, db: Database) throws -> (upToHeld: Int, aboveHeld: Int) {
        let id = Data(actor.bytes)
        let limit = Int64(clamping: held)
        let within = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM op WHERE actor = ? AND counter BETWEEN 1 AND ?"), arguments: [id, limit]) ?? 0
        let above = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM op WHERE actor = ? AND counter > ?"), arguments: [id, limit]) ?? 0
        return (within, above)
    }

    /// Every actor the log holds ops of.
    package static func opActors(_ db: Database) throws -> [ActorID] {
        try Data.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT actor FROM op")).compactMap { ActorID(bytes: Array($0)) }
    }
}
