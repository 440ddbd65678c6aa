import FieldbookModel
import Foundation
import GRDB

extension Book {
    /// Verifies the file and the op log's invariants; changes nothing.
    ///
    /// The checks, in order:
    /// 1. SQLite's own `PRAGMA integrity_check` and `PRAGMA foreign_key_check`;
    /// 2. every op's scope is a known scope (`c:<id>`, `p:<code>`, `g`) and its body decodes;
    /// 3. this replica's own counters run 1…max without a gap (a purge may leave gaps: then only that no counter is
    ///    above the saved one), and the saved counter (`meta.counter`) is at least the highest own counter, so the
    ///    next op can never reuse a number;
    /// 4. the projections equal a rebuild from the log, and the search index is intact (``verifyProjections()``);
    /// 5. every scope's stored state hash (and the whole book's) equals a recomputation from the facts.
    ///
    /// A file SQLite cannot read at all throws instead: ``StoreError/Code/corrupt``.
    ///
    /// - Returns: The checks that ran and what they found.
    public func check() throws(StoreError) -> IntegrityReport {
        var report = IntegrityReport()
        do {
            try database.read { db in
                report.checks.append("sqlite integrity_check")
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                if integrity != ["ok"] {
                    // SQLite names pages and indexes here, never row contents.
                    report.problems += integrity.prefix(20).map { "SQLite integrity_check: \($0)" }
                }
                report.checks.append("sqlite foreign_key_check")
                let foreign = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
                if !foreign.isEmpty {
                    let tables = Set(foreign.map { $0[0] as String? ?? "?" }).sorted()
                    report.problems.append("外键不一致：\(foreign.count) 行（表 \(tables.joined(separator: ", "))）")
                }
                guard report.isClean else { return }
                report.merge(try Self.checkLog(db, actor: actor))
            }
        } catch {
            throw Self.map(error)
        }
        // A damaged file stops here: rebuilding projections from it would only add noise.
        guard report.isClean else { return report }
        report.checks.append("projections match the op log")
        let differing = try verifyProjections()
        if !differing.isEmpty {
            report.problems.append("投影与操作日志不一致：\(differing.joined(separator: ", "))（可用 rebuild 从日志重建）")
        }
        report.checks.append("state hashes match a recomputation")
        do {
            let (scopes, overall) = try database.read { db in try Self.stateHashProblems(db) }
            if scopes > 0 {
                report.problems.append("\(scopes) 个范围的状态哈希与重新计算的不一致（可用 rebuild 从日志重建）")
            }
            if overall {
                report.problems.append("整本的状态哈希与重新计算的不一致（可用 rebuild 从日志重建）")
            }
        } catch {
            throw Self.map(error)
        }
        return report
    }

    /// The op log's own invariants (checks 2 and 3 of ``check()``).
    private static func checkLog(_ db: Database, actor: ActorID) throws -> IntegrityReport {
        var report = IntegrityReport(checks: ["op scopes and bodies"])
        var unknownScopes = 0
        var undecodable = 0
        let cursor = try Row.fetchCursor(db, sql: opRowsSQL)
        while let row = try cursor.next() {
            if (row["scope"] as String?).flatMap(Scope.init(key:)) == nil { unknownScopes += 1; continue }
            if (try? operation(row)) == nil { undecodable += 1 }
        }
        if unknownScopes > 0 { report.problems.append("\(unknownScopes) 个操作的范围无法识别") }
        if undecodable > 0 { report.problems.append("\(undecodable) 个操作无法解码") }

        report.checks.append("own counters contiguous, saved counter not behind")
        let own = Data(actor.bytes)
        let count = try Int64.fetchOne(
            db, sql: "SELECT count(*) FROM op WHERE actor = \(actorNumberSQL)", arguments: [own]) ?? 0
        let top = try Int64.fetchOne(
            db, sql: "SELECT coalesce(max(counter), 0) FROM op WHERE actor = \(actorNumberSQL)", arguments: [own]) ?? 0
        let saved = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'counter'") ?? 0
        var purged = false
        if try db.tableExists("purge_log") {
            purged = try Int.fetchOne(db, sql: "SELECT count(*) FROM purge_log") ?? 0 > 0
        }
        if count != top, !purged {
            report.problems.append("本机操作编号不连续：共 \(count) 个，最大编号 \(top)（且从未移出过客户）")
        }
        if count > 0, saved < top {
            report.problems.append("保存的操作计数器 \(saved) 落后于日志中的最大编号 \(top)：下一个操作会重复编号")
        }
        if count > top {
            report.problems.append("本机操作数 \(count) 大于最大编号 \(top)")
        }
        return report
    }
}
