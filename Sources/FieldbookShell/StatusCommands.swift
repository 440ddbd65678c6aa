import FieldbookModel
import FieldbookStore

/// `status`.
enum StatusCommands {
    static func status(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("status")
        guard arguments.positionals.isEmpty else { throw spec.usageError("status 不带参数") }
        let status = try session.book.status()
        let lastSync = status.lastSync.map { session.time(HLC(milliseconds: $0, logical: 0)) }
        let lease = try OfflineLease(book: session.book)
        var leaseText: String?
        var leaseLeft: Int?
        switch lease.since == nil ? .none : lease.state(now: session.book.options.now()) {
        case .none: break
        case .open(let left):
            leaseLeft = left
            leaseText = "还剩 \(left) 天（期限 \(lease.days) 天）"
        case .locked(let days):
            leaseLeft = 0
            leaseText = "已锁定：\(days) 天未同步（期限 \(lease.days) 天），sync 后解锁"
        }
        if arguments.json {
            var fields: [(String, JSON)] = [
                ("book", .string(status.path)), ("principal", .string(status.principal)),
                ("device", .string(status.device ?? status.actor.hex)), ("actor", .string(status.actor.hex)),
                ("customers", .int(status.customers)), ("ops", .int(status.ops)),
                ("unsynced_ops", .int(status.unsyncedOps)), ("last_sync", .string(lastSync)),
                ("state_hash", .string(status.stateHash)),
            ]
            // Only an enrolled book has an offline lease.
            if let leaseLeft { fields.append(("lease_days_left", .int(leaseLeft))) }
            session.say(.object(fields))
            return
        }
        var table: [(String, String)] = [
            ("账本", status.path), ("员工", status.principal), ("设备", status.device ?? status.actor.short),
            ("客户", String(status.customers)), ("操作", String(status.ops)), ("未同步", String(status.unsyncedOps)),
            ("上次同步", lastSync ?? "从未同步"), ("状态哈希", String(status.stateHash.prefix(16))),
        ]
        if status.device != nil { table[2].1 += "（\(status.actor.short)）" }
        if let leaseText { table.append(("离线期限", leaseText)) }
        for (label, value) in table { session.say(DisplayWidth.pad(label, to: 10) + value) }
    }
}
