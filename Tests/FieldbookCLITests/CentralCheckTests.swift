import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB
import Testing

/// `CentralDatabase.check()`'s own invariants, each broken behind the centre's back: the op log against the log
/// sequence (merged in key order), device counters against `held`, and actors against enrolled devices.
@Suite("The centre's integrity check")
struct CentralCheckTests {
    /// A centre holding M001's three customers as a push would leave them (log sequence, held counter, bound
    /// device), plus one coverage change of its own; and M001's actor.
    static func centre() throws -> (CentralDatabase, ActorID) {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: 1_795_000_000_000, seed: 3))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        let m001 = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_000_000_000, seed: 4))
        let made = try m001.write { tx in
            for name in ["王芳", "陈静", "李明"] { try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text(name))]) }
            return tx.appended
        }
        _ = try central.book.applyRemote(made)
        try central.book.database.write { db in
            try db.execute(sql: """
                INSERT INTO lsn (actor, counter, scope, device, at)
                SELECT a.id, op.counter, k.key, NULL, 0 FROM op JOIN scope_key k ON k.no = op.scope
                JOIN actor_key a ON a.no = op.actor
                """)
            try db.execute(
                sql: "INSERT INTO device (id, principal, secret, actor, created) VALUES (?, 'M001', X'', ?, 0)",
                arguments: [Data(repeating: 7, count: 16), Data(m001.actor.bytes)])
            try db.execute(sql: "INSERT INTO held (actor, held) VALUES (?, 3)", arguments: [Data(m001.actor.bytes)])
        }
        // The centre's own op (its actor is no device's) gets its sequence number from the centre itself.
        try central.assign("王芳", to: "M001")
        return (central, m001.actor)
    }

    @Test("a healthy centre passes every check, its own ops included")
    func healthy() throws {
        let (central, _) = try Self.centre()
        let report = try central.check()
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(
            report.checks.suffix(3) == [
                "op log and log sequence agree", "device counters contiguous up to held", "every actor is an enrolled device",
            ])
    }

    @Test("ops without a sequence number and sequence numbers without an op, before, among and after the ops")
    func logSequence() throws {
        let (central, actor) = try Self.centre()
        try central.book.database.write { db in
            try db.execute(sql: "DELETE FROM lsn WHERE actor = ? AND counter = 2", arguments: [Data(actor.bytes)])
            for (bytes, counter) in [(Data(repeating: 0, count: 16), 1), (Data(actor.bytes), 9), (Data(repeating: 0xff, count: 16), 1)] {
                try db.execute(
                    sql: "INSERT INTO lsn (actor, counter, scope, device, at) VALUES (?, ?, 'g', NULL, 0)", arguments: [bytes, counter])
            }
        }
        let problems = try central.check().problems
        #expect(problems == ["1 个操作没有日志序号（设备拉取时会漏掉）", "3 个日志序号指向不存在的操作"])
    }

    @Test("a held counter past the ops and refusals is a gap; ops above it are reported apart")
    func heldCounters() throws {
        let (central, actor) = try Self.centre()
        try central.book.database.write { db in
            try db.execute(sql: "UPDATE held SET held = 5 WHERE actor = ?", arguments: [Data(actor.bytes)])
        }
        #expect(try central.check().problems == ["1 台设备的已收操作编号有缺口或重复"])
        try central.book.database.write { db in
            // Counter 4 refused, 5 missing: still a gap; with held at 4 the refusal closes it.
            try db.execute(sql: "INSERT INTO refused (actor, counter, code, at) VALUES (?, 4, 7, 0)", arguments: [Data(actor.bytes)])
        }
        #expect(try central.check().problems == ["1 台设备的已收操作编号有缺口或重复"])
        try central.book.database.write { db in
            try db.execute(sql: "UPDATE held SET held = 4 WHERE actor = ?", arguments: [Data(actor.bytes)])
        }
        #expect(try central.check().problems.isEmpty)
        try central.book.database.write { db in
            try db.execute(sql: "DELETE FROM refused")
            try db.execute(sql: "UPDATE held SET held = 2 WHERE actor = ?", arguments: [Data(actor.bytes)])
        }
        #expect(try central.check().problems == ["1 台设备有超出已确认编号的操作"])
    }

    @Test("an actor whose device is gone is a stranger; the centre's own actor never is")
    func strangers() throws {
        let (central, _) = try Self.centre()
        try central.book.database.write { db in try db.execute(sql: "DELETE FROM device") }
        #expect(try central.check().problems == ["1 个操作者不属于任何已登记的设备"])
    }
}
