import ArgumentParser
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation

/// `fieldbook admin`: administers the central database (principals, devices, coverage).
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Administer the central database.",
        subcommands: [
            Principal.self, Device.self, Assign.self, Cocover.self, Uncover.self, Status.self, AdminReportCommand.self,
            Check.self,
        ])

    /// The `--db` option every admin command takes.
    struct Options: ParsableArguments {
        @Option(help: "The central database (default: $FIELDBOOK_HOME/central.sqlite).")
        var db: String?

        func open() throws -> CentralDatabase {
            do {
                return try CentralDatabase.open(at: db ?? Paths.defaultCentral)
            } catch {
                throw AdminFailure(message: "无法打开中心数据库：\(error)")
            }
        }
    }

    struct Principal: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Principals (people).", subcommands: [Add.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a principal.")
            @OptionGroup var options: Options
            @Argument(help: "Employee code, e.g. M001.") var code: String
            @Option(help: "Display name.") var name: String
            @Option(help: "manager, advisor, remote or admin.") var role: String

            func run() throws {
                guard let role = PrincipalRole(rawValue: role) else {
                    throw ValidationError("--role 应为 manager、advisor、remote 或 admin")
                }
                try AdminFailure.guarding { try options.open().addPrincipal(code, name: name, role: role) }
                StandardStreams.out("已添加员工 \(code)（\(role.rawValue)）")
            }
        }
    }

    struct Device: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Devices.", subcommands: [Add.self, Revoke.self, Log.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Enrol a device for a principal; prints its token once, alone on stdout.")
            @OptionGroup var options: Options
            @Argument(help: "The principal's employee code.") var code: String
            @Option(help: "HOST:PORT devices reach the central node at (default: the address serve last used).")
            var server: String?
            @Flag(help: "Print {device, token} as JSON.") var json = false

            func run() throws {
                let token = try AdminFailure.guarding {
                    let central = try options.open()
                    let address = try server ?? central.book.meta("address") ?? "127.0.0.1:7420"
                    let fingerprint = try central.advertisedFingerprint()  // the certificate devices pin
                    var token = try central.addDevice(for: code, address: address)
                    token.fingerprint = fingerprint
                    return token
                }
                if json {
                    StandardStreams.out("{\"device\": \"\(token.device.hex)\", \"token\": \"\(token.text)\"}")
                } else {
                    StandardStreams.out(token.text)
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a device: it can no longer sync.")
            @OptionGroup var options: Options
            @Argument(help: "The device ID, or a unique prefix of at least 4 hex digits.") var device: String

            func run() throws {
                let id = try AdminFailure.guarding { try options.open().revokeDevice(device) }
                StandardStreams.out("已停用设备 \(id.hex)")
            }
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a customer's owning manager (the old one loses it at next sync).")
        @OptionGroup var options: Options
        @Argument(help: "The customer: short ID prefix or exact name.") var customer: String
        @Option(help: "The new owner's employee code.") var to: String

        func run() throws {
            try AdminFailure.guarding { try options.open().assign(customer, to: to) }
            StandardStreams.out("已改由 \(to) 管户")
        }
    }

    struct Cocover: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add wealth-center co-coverage of a VIP.")
        @OptionGroup var options: Options
        @Argument(help: "The customer: short ID prefix or exact name.") var customer: String
        @Option(help: "The advisor's employee code.") var with: String

        func run() throws {
            try AdminFailure.guarding { try options.open().cocover(customer, with: with) }
            StandardStreams.out("已由 \(with) 协同")
        }
    }

    struct Uncover: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End a co-coverage.")
        @OptionGroup var options: Options
        @Argument(help: "The customer: short ID prefix or exact name.") var customer: String
        @Option(help: "The advisor's employee code.") var with: String

        func run() throws {
            try AdminFailure.guarding { try options.open().uncover(customer, with: with) }
            StandardStreams.out("已结束 \(with) 的协同")
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Principals, devices, customers, ops, last syncs.")
        @OptionGroup var options: Options
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let status = try AdminFailure.guarding { try options.open().status() }
            if json {
                let devices = status.devices.map {
                    "{\"device\": \"\($0.id)\", \"principal\": \"\($0.principal)\", \"revoked\": \($0.revoked), \"last_sync\": \($0.lastSync.map(String.init) ?? "null")}"
                }
                let principals = status.principals.map {
                    "{\"code\": \"\($0.code)\", \"role\": \"\($0.role)\"}"
                }
                StandardStreams.out(
                    "{\"principals\": [\(principals.joined(separator: ", "))], \"devices\": [\(devices.joined(separator: ", "))], \"customers\": \(status.customers), \"ops\": \(status.ops), \"last_lsn\": \(status.lastLSN)}")
                return
            }
            StandardStreams.out("员工 \(status.principals.count) 人，设备 \(status.devices.count) 台，客户 \(status.customers) 位，操作 \(status.ops) 个")
            for principal in status.principals { StandardStreams.out("  \(principal.code)  \(principal.role)  \(principal.name)") }
            for device in status.devices {
                let state = device.revoked ? "已停用" : (device.enrolled ? "已启用" : "待首次同步")
                let last = device.lastSync.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0) / 1000)) }
                StandardStreams.out("  设备 \(device.id.prefix(12))  \(device.principal)  \(state)  上次同步 \(last ?? "从未")")
            }
        }
    }
}

/// An administration failure: its message on stderr, exit code 1.
struct AdminFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }

    /// Runs `body`, turning any failure into a one-line message and exit code 1.
    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AdminFailure {
            StandardStreams.err(error.message)
            throw ExitCode(1)
        } catch {
            StandardStreams.err("\(error)")
            throw ExitCode(1)
        }
    }
}
