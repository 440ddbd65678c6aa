import FieldbookCentral
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation
import GRDB

extension CentralDatabase {
    /// What a device sent and when (``DeviceLog``), for `fieldbook admin device log`.
    ///
    /// - Parameters:
    ///   - reference: The device ID, or the actor it syncs as (what `history` shows as its device), or a unique
    ///     prefix of either in hex (at least 4 characters).
    ///   - limit: At most this many of the newest entries; `nil` for all.
    /// - Throws: ``CentralError`` if no device or several match.
    public func deviceLog(_ reference: String, limit: Int? = nil) throws -> DeviceLog {
        try book.database.read { db in
            let prefix = reference.lowercased()
            guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw CentralError("设备 ID 至少写 4 位十六进制") }
            let matches = try Row.fetchAll(db, sql: "SELECT id, principal, actor, revoked, created, last_sync FROM device")
                .filter { row in
                    // `history` on a device shows the op's actor: that names the device here too.
                    DeviceID(bytes: Array(row["id"] as Data))?.hex.hasPrefix(prefix) == true
                        || (row["actor"] as Data?).flatMap { ActorID(bytes: Array($0)) }?.hex.hasPrefix(prefix) == true
                }
            guard matches.count == 1, let row = matches.first, let device = DeviceID(bytes: Array(row["id"] as Data)) else {
                throw CentralError(matches.isEmpty ? "找不到设备 \(reference)" : "设备 ID \(reference) 不唯一，请多写几位")
            }
            let actor = (row["actor"] as Data?).flatMap { ActorID(bytes: Array($0)) }
            var entries: [DeviceLog.Entry] = []
            for stored in try Row.fetchAll(
                db, sql: "SELECT lsn, actor, counter, scope, at FROM lsn WHERE device = ? ORDER BY lsn",
                arguments: [Data(device.bytes)])
            {
                let op = OpID(actor: ActorID(bytes: Array(stored["actor"] as Data))!, counter: UInt64(stored["counter"] as Int64))
                entries.append(
                    DeviceLog.Entry(
                        at: UInt64(stored["at"] as Int64), lsn: UInt64(stored["lsn"] as Int64), op: op,
                        scope: stored["scope"], change: try Book.op(op, db: db).map(Self.change), refusal: nil,
                        customer: nil, reason: nil))
            }
            if let actor {
                for refused in try Row.fetchAll(
                    db, sql: "SELECT counter, code, at, reason, customer, change FROM refused WHERE actor = ? ORDER BY counter",
                    arguments: [Data(actor.bytes)])
                {
                    entries.append(
                        DeviceLog.Entry(
                            at: UInt64(refused["at"] as Int64), lsn: nil,
                            op: OpID(actor: actor, counter: UInt64(refused["counter"] as Int64)), scope: nil,
                            change: refused["change"], refusal: ErrorCode(rawValue: UInt16(refused["code"] as Int64)),
                            customer: refused["customer"], reason: (refused["reason"] as Int?).map(Refusal.why)))
                }
            }
            entries.sort { ($0.at, $0.op.counter) < ($1.at, $1.op.counter) }
            let total = entries.count
            if let limit, limit < entries.count { entries = Array(entries.suffix(limit)) }
            return DeviceLog(
                device: device, principal: row["principal"], actor: actor, revoked: row["revoked"],
                enrolled: UInt64(row["created"] as Int64), lastSync: (row["last_sync"] as Int64?).map { UInt64($0) },
                total: total, entries: entries)
        }
    }

    /// An op's change in kind and field names only: an audit log carries no values.
    private static func change(_ op: Op) -> String {
        switch op.body {
        case .create(let kind, _, let fields):
            return (["create \(kind)"] + fields.map { "\($0.field)" }).joined(separator: " ")
        case .set(_, let field, _, _): return "set \(field)"
        case .add(_, let field, _): return "add \(field)"
        case .remove(_, let field, _, _): return "remove \(field)"
        }
    }
}
