import ArgumentParser
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookWire
import Foundation

extension AdminCommand.Device {
    /// `fieldbook admin device log DEVICE [--limit N] [--json]`: what a device sent and when (the audit trail).
    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "设备发送过什么、何时发送：它推送的每个操作，存入或拒收（不含字段值）。")
        @OptionGroup var options: AdminCommand.Options
        @Argument(help: ArgumentHelp("设备 ID，或 history 显示的设备号，或至少 4 位十六进制的唯一前缀。", valueName: "设备"))
        var device: String
        @Option(help: ArgumentHelp("只显示最新的 N 个操作（0 为全部）。", valueName: "个数")) var limit: Int = 200
        @Flag(help: "以 JSON 输出。") var json = false

        func validate() throws {
            guard limit >= 0 else { throw ValidationError("--limit 应为 0 或正整数") }
        }

        func run() async throws {
            let log = try await AdminFailure.guarding { try await options.store().deviceLog(device, limit: limit == 0 ? nil : limit) }
            if json {
                let entries = log.entries.map { entry in
                    var fields = [
                        "\"at\": \(entry.at)", "\"lsn\": \(entry.lsn.map(String.init) ?? "null")",
                        "\"op\": \"\(entry.op.actor.hex)/\(entry.op.counter)\"",
                        "\"scope\": \(entry.scope.map { "\"\($0)\"" } ?? "null")",
                        "\"change\": \(entry.change.map { "\"\($0)\"" } ?? "null")",
                        "\"status\": \"\(entry.refusal == nil ? "stored" : "refused")\"",
                    ]
                    if let refusal = entry.refusal {
                        fields.append("\"reason\": \"\(refusal)\"")
                        fields.append("\"customer\": \(entry.customer.map { "\"\($0)\"" } ?? "null")")
                        fields.append("\"why\": \(entry.reason.map { "\"\($0)\"" } ?? "null")")
                    }
                    return "{" + fields.joined(separator: ", ") + "}"
                }
                StandardStreams.out(
                    "{\"device\": \"\(log.device.hex)\", \"principal\": \"\(log.principal)\", \"actor\": \(log.actor.map { "\"\($0.hex)\"" } ?? "null"), \"revoked\": \(log.revoked), \"enrolled\": \(log.enrolled), \"last_sync\": \(log.lastSync.map(String.init) ?? "null"), \"total\": \(log.total), \"ops\": [\(entries.joined(separator: ", "))]}")
                return
            }
            let state = log.revoked ? "已停用" : (log.actor == nil ? "待首次同步" : "已启用")
            StandardStreams.out("设备 \(log.device.hex)  员工 \(log.principal)  \(state)  登记于 \(Self.time(log.enrolled))  上次同步 \(log.lastSync.map(Self.time) ?? "从未")")
            if log.total > log.entries.count {
                StandardStreams.out("（更早的 \(log.total - log.entries.count) 个没有显示：用 --limit 0 查看全部）")
            }
            for entry in log.entries {
                let refused = entry.refusal.map { code in
                    "拒收（\(code)）" + (entry.customer.map { "  客户 [\($0)]" } ?? "") + (entry.change.map { "  \($0)" } ?? "")
                        + (entry.reason.map { "：\($0)" } ?? "")
                }
                let what = refused ?? "存入 #\(entry.lsn ?? 0)  \(entry.scope ?? "")  \(entry.change ?? "")"
                StandardStreams.out("  \(Self.time(entry.at))  操作 \(entry.op.counter)  \(what)")
            }
            let refused = log.entries.filter { $0.refusal != nil }.count
            StandardStreams.out("共 \(log.total) 个操作" + (refused > 0 ? "（显示的拒收 \(refused) 个）" : ""))
        }

        static func time(_ milliseconds: UInt64) -> String {
            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        }
    }
}
