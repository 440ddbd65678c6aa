import FieldbookCentral
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Foundation
import PostgresNIO

extension PostgresCentralStore {
    /// What a device sent and when (``DeviceLog``), for `fieldbook admin device log`: the ops it pushed that were
    /// stored (from `op`, which records the device and the time of each), and those refused (from `refused`), in
    /// kind and field names only, never values. The same answer as the SQLite store's, from one snapshot.
    ///
    /// - Parameters:
    ///   - reference: The device ID, or the actor it syncs as (what `history` shows as its device), or a unique
    ///     prefix of either in hex (at least 4 characters).
    ///   - limit: At most this many of the newest entries; `nil` for all.
    public func deviceLog(_ reference: String, limit: Int?) async throws -> DeviceLog {
        try await administer(.repeatableRead, readOnly: true) { connection, logger in
            let matches = try await Self.devices(matching: reference, actors: true, connection: connection, logger: logger)
            guard matches.count == 1, let device = matches.first else {
                throw CentralError(matches.isEmpty ? "找不到设备 \(reference)" : "设备 ID \(reference) 不唯一，请多写几位")
            }
            let id = Data(device.bytes)
            var record: (principal: String, actor: Data?, revoked: Bool, created: Int64, lastSync: Int64?)?
            for try await row in try await connection.query(
                "SELECT principal, actor, revoked, created, last_sync FROM device WHERE id = \(id)", logger: logger
            ).decode((String, Data?, Bool, Int64, Int64?).self) {
                record = row
            }
            guard let record else { throw CentralError("找不到设备 \(reference)") }
            let actor = record.actor.flatMap { ActorID(bytes: Array($0)) }
            var entries: [DeviceLog.Entry] = []
            for try await (lsn, actorBytes, counter, scope, at, body) in try await connection.query(
                "SELECT lsn, actor, counter, scope, at, body FROM op WHERE device = \(id) ORDER BY lsn", logger: logger
            ).decode((Int64, Data, Int64, String, Int64, Data).self) {
                guard let opActor = ActorID(bytes: Array(actorBytes)) else { continue }
                entries.append(
                    DeviceLog.Entry(
                        at: UInt64(max(at, 0)), lsn: UInt64(lsn), op: OpID(actor: opActor, counter: UInt64(counter)),
                        scope: scope, change: (try? Op.Body(encoded: Array(body))).map(Self.change), refusal: nil,
                        customer: nil, reason: nil))
            }
            if let actor {
                for try await (counter, code, at, reason, customer, change) in try await connection.query(
                    """
                    SELECT counter, code, at, reason, customer, change FROM refused
                    WHERE actor = \(Data(actor.bytes)) ORDER BY counter
                    """, logger: logger
                ).decode((Int64, Int32, Int64, Int32?, String?, String?).self) {
                    entries.append(
                        DeviceLog.Entry(
                            at: UInt64(max(at, 0)), lsn: nil, op: OpID(actor: actor, counter: UInt64(counter)), scope: nil,
                            change: change, refusal: ErrorCode(rawValue: UInt16(truncatingIfNeeded: code)), customer: customer,
                            reason: reason.map { Refusal.why(Int($0)) }))
                }
            }
            entries.sort { ($0.at, $0.op.counter) < ($1.at, $1.op.counter) }
            let total = entries.count
            if let limit, limit < entries.count { entries = Array(entries.suffix(max(limit, 0))) }
            return DeviceLog(
                device: device, principal: record.principal, actor: actor, revoked: record.revoked,
                enrolled: UInt64(max(record.created, 0)), lastSync: record.lastSync.map { UInt64(max($0, 0)) }, total: total,
                entries: entries)
        }
    }

    /// An op's change in kind and field names only: an audit log carries no values.
    static func change(_ body: Op.Body) -> String {
        switch body {
        case .create(let kind, _, let fields):
            return (["create \(kind)"] + fields.map { "\($0.field)" }).joined(separator: " ")
        case .set(_, let field, _, _): return "set \(field)"
        case .add(_, let field, _): return "add \(field)"
        case .remove(_, let field, _, _): return "remove \(field)"
        }
    }
}
