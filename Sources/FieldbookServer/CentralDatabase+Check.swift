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
        let centralActor = Data(book.actor.bytes)
        try book.database.read { db in
            report.checks.append("op log and log sequence agree")
            let unsequenced = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM op LEFT JOIN lsn USING (actor, counter) WHERE lsn.lsn IS NULL") ?? 0
            if unsequenced > 0 { report.problems.append("\(unsequenced) 个操作没有日志序号（设备拉取时会漏掉）") }
            let dangling = try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM lsn WHERE NOT EXISTS (SELECT 1 FROM op WHERE op.actor = lsn.actor AND op.counter = lsn.counter)"
            ) ?? 0
            if dangling > 0 { report.problems.append("\(dangling) 个日志序号指向不存在的操作") }

            report.checks.append("device counters contiguous up to held")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT held.actor AS actor, held.held AS held,
                        (SELECT count(*) FROM op WHERE op.actor = held.actor AND op.counter BETWEEN 1 AND held.held)
                        + (SELECT count(*) FROM refused r WHERE r.actor = held.actor AND r.counter BETWEEN 1 AND held.held)
                            AS covered,
                        (SELECT count(*) FROM op WHERE op.actor = held.actor AND op.counter > held.held) AS above
                    FROM held
                    """)
            var gaps = 0
            var above = 0
            for row in rows {
                if (row["covered"] as Int64) != (row["held"] as Int64) { gaps += 1 }
                if (row["above"] as Int64) > 0 { above += 1 }
            }
            if gaps > 0 { report.problems.append("\(gaps) 台设备的已收操作编号有缺口或重复") }
            if above > 0 { report.problems.append("\(above) 台设备有超出已确认编号的操作") }

            report.checks.append("every actor is an enrolled device")
            let strangers = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(DISTINCT actor) FROM op
                    WHERE actor != ? AND actor NOT IN (SELECT actor FROM device WHERE actor IS NOT NULL)
                    """, arguments: [centralActor]) ?? 0
            if strangers > 0 { report.problems.append("\(strangers) 个操作者不属于任何已登记的设备") }
        }
        return report
    }
}
