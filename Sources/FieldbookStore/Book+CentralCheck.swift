import FieldbookModel
import Foundation
import GRDB

/// Named queries for the centre's own checks (`fieldbook admin check`), which compare the op log with the centre's
/// log sequence and device records.
extension Book {
    /// Streams the ID of every op in the log, ordered by actor bytes then counter, so that the caller can merge it with
    /// its own list in the same order.
    package static func forEachOpID(_ db: Database, _ body: (OpID) throws -> Void) throws {
        // The outer loop walks `actor_key` in byte order, the inner one the log's key: no sort.
        let cursor = try Row.fetchCursor(
            db.cachedStatement(
                sql: "SELECT a.id, op.counter FROM actor_key a JOIN op ON op.actor = a.no ORDER BY a.id, op.counter"))
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
            db.cachedStatement(sql: "SELECT count(*) FROM op WHERE actor = \(actorNumberSQL) AND counter BETWEEN 1 AND ?"), arguments: [id, limit]) ?? 0
        let above = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM op WHERE actor = \(actorNumberSQL) AND counter > ?"), arguments: [id, limit]) ?? 0
        return (within, above)
    }

    /// Every actor the log holds ops of.
    package static func opActors(_ db: Database) throws -> [ActorID] {
        try Data.fetchAll(db.cachedStatement(sql: "SELECT id FROM actor_key WHERE no IN (SELECT actor FROM op)")).compactMap { ActorID(bytes: Array($0)) }
    }
}
