import FieldbookCentral
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB

extension CentralDatabase {
    /// Verifies the central database: the consolidated book's checks (``Book/check()``), then the central node's own
    /// invariants; changes nothing. `fieldbook admin check` prints the result.
    ///
    /// The central checks:
    /// - every op in the log has exactly one log sequence number, and every sequence number names a stored op;
    /// - for every device actor, the accepted and refused counters together run 1…held without a gap, and nothing is
    ///   stored above `held` (a push is stored in counter order or not at all);
    /// - every actor the central node holds ops of is bound to an enrolled device (or is the central node itself).
    ///
    /// - Returns: The checks that ran and what they found.
    public func check() throws -> IntegrityReport {
        var report = try book.check()
        guard report.isClean else { return report }
        let centralActor = book.actor
        try book.database.read { db in
            report.checks.append("op log and log sequence agree")
            let (unsequenced, dangling) = try Self.unmatchedSequence(db)
            if unsequenced > 0 { report.problems.append("\(unsequenced) 个操作没有日志序号（设备拉取时会漏掉）") }
            if dangling > 0 { report.problems.append("\(dangling) 个日志序号指向不存在的操作") }

            report.checks.append("device counters contiguous up to held")
            var gaps = 0
            var above = 0
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT held.actor AS actor, held.held AS held,
                        (SELECT count(*) FROM refused r WHERE r.actor = held.actor AND r.counter BETWEEN 1 AND held.held)
                            AS refused
                    FROM held
                    """)
            {
                let held = row["held"] as Int64
                // An actor that is no valid ID holds no op: only its refusals count.
                let stored = try ActorID(bytes: Array(row["actor"] as Data)).map {
                    try Book.opCounts(of: $0, held: UInt64(max(held, 0)), db: db)
                } ?? (upToHeld: 0, aboveHeld: 0)
                if Int64(stored.upToHeld) + (row["refused"] as Int64) != held { gaps += 1 }
                if stored.aboveHeld > 0 { above += 1 }
            }
            if gaps > 0 { report.problems.append("\(gaps) 台设备的已收操作编号有缺口或重复") }
            if above > 0 { report.problems.append("\(above) 台设备有超出已确认编号的操作") }

            report.checks.append("every actor is an enrolled device")
            let enrolled = Set(
                try Data.fetchAll(db, sql: "SELECT actor FROM device WHERE actor IS NOT NULL").compactMap { ActorID(bytes: Array($0)) })
            let strangers = try Book.opActors(db).filter { $0 != centralActor && !enrolled.contains($0) }.count
            if strangers > 0 { report.problems.append("\(strangers) 个操作者不属于任何已登记的设备") }
        }
        return report
    }

    /// Counts the ops without a log sequence number and the sequence numbers naming no stored op, by merging the op
    /// log's IDs with the `lsn` rows, both in (actor, counter) order.
    private static func unmatchedSequence(_ db: Database) throws -> (unsequenced: Int, dangling: Int) {
        let sequence = try Row.fetchCursor(db, sql: "SELECT actor, counter FROM lsn ORDER BY actor, counter")
        var next = try sequence.next().map(Self.sequenced)
        var unsequenced = 0
        var dangling = 0
        try Book.forEachOpID(db) { id in
            let key = (Array(id.actor.bytes), Int64(id.counter))
            while let entry = next, Self.precedes(entry, key) {
                dangling += 1
                next = try sequence.next().map(Self.sequenced)
            }
            if let entry = next, entry.actor == key.0, entry.counter == key.1 {
                next = try sequence.next().map(Self.sequenced)
            } else {
                unsequenced += 1
            }
        }
        while next != nil {
            dangling += 1
            next = try sequence.next().map(Self.sequenced)
        }
        return (unsequenced, dangling)
    }

    private static func sequenced(_ row: Row) -> (actor: [UInt8], counter: Int64) {
        (Array(row[0] as Data), row[1])
    }

    /// SQLite's order of (BLOB, INTEGER) keys: bytes compared as by memcmp, a prefix first, then the counter.
    private static func precedes(_ a: (actor: [UInt8], counter: Int64), _ b: ([UInt8], Int64)) -> Bool {
        if a.actor != b.0 { return a.actor.lexicographicallyPrecedes(b.0) }
        return a.counter < b.1
    }
}
