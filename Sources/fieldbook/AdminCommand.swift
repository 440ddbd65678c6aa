import ArgumentParser
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation

/// `fieldbook admin`: administers the central database (principals, devices, coverage) in Chinese.
///
/// A change of coverage is recorded with the acting administrator as its ops' principal, so `history` on every book
/// names who made it: `--as CODE`, else `$FIELDBOOK_ADMIN` (both must be a registered principal with role admin),
/// else the operating-system user name.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "管理中心数据库：员工、设备、管户与协同、查找客户、报表。",
        discussion: """
            修改管户或协同时，操作人记入每条操作，各账本的 history 都能看到：用 --as 工号 指定（或环境变量 \
            FIELDBOOK_ADMIN），须是角色为 admin 的员工；都没有时记为本机的系统用户名。
            """,
        subcommands: [
            Principal.self, Device.self, Find.self, Customers.self, Assign.self, Cocover.self, Uncover.self, Status.self,
            AdminReportCommand.self, Check.self,
        ])

    /// `--db` given before the subcommand (`admin --db PATH principal add …`). ArgumentParser parses this command
    /// first, over every argument left (those after the subcommand's name too), so this group takes each `--db`
    /// wherever it stands; the subcommand's own `@OptionGroup var options: Options` then receives this same value
    /// (ArgumentParser hands a group decoded by a parent to a child of the same type), and shows `--db` in its help.
    @OptionGroup var options: Options

    /// The `--db` option every admin command takes, before or after the subcommand (SHELL.md).
    struct Options: ParsableArguments {
        // An array so that a second `--db` is seen (a single value would silently keep the last).
        @Option(help: ArgumentHelp(
            "中心数据库：SQLite 文件路径或 postgres:// 地址（默认 $FIELDBOOK_HOME/central.sqlite）；写在子命令前后都可以。",
            valueName: "数据库"))
        var db: [String] = []

        @Option(help: ArgumentHelp(
            "postgres:// 中心的设备密钥文件（默认 $FIELDBOOK_HOME/central.key）：与 serve 用同一个文件。", valueName: "文件"))
        var keyFile: String?

        func validate() throws {
            let given = db.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            if given.count > 1 {
                throw ValidationError("--db 给了两个不同的中心数据库（\(given.joined(separator: " 和 "))）：只能给一个")
            }
            if given.first?.isEmpty == true { throw ValidationError("--db 需要中心数据库的路径") }
        }

        /// The central database's path (or `postgres://` URL): `--db`, else `$FIELDBOOK_HOME/central.sqlite`.
        var path: String { db.first ?? Paths.defaultCentral }

        /// Opens the centre's store that `--db` names, creating a SQLite one on first use. A `postgres://` URL
        /// selects the PostgreSQL store (issue 17).
        func store() async throws -> any CentralStore {
            try await CentralStoreLocation(path, keyFile: keyFile).open(options: .system)
        }
    }

    /// Who is acting: `--as`, `$FIELDBOOK_ADMIN`, or the operating-system user.
    struct Acting: ParsableArguments {
        @Option(name: .customLong("as"), help: ArgumentHelp("操作人（管理员工号；默认 $FIELDBOOK_ADMIN，再默认系统用户名）。", valueName: "工号"))
        var admin: String?

        var administrator: Administrator {
            if let admin, !admin.isEmpty { return Administrator(code: admin, named: true) }
            if let code = ProcessInfo.processInfo.environment["FIELDBOOK_ADMIN"], !code.isEmpty {
                return Administrator(code: code, named: true)
            }
            let user = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()
            return Administrator(code: user.isEmpty ? "unknown" : user, named: false)
        }
    }

    struct Principal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "员工：添加、停用。", subcommands: [Add.self, Deactivate.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "添加员工。")
            @OptionGroup var options: Options
            @Argument(help: ArgumentHelp("员工编号，如 M001。", valueName: "工号")) var code: String
            @Option(help: ArgumentHelp("姓名。", valueName: "姓名")) var name: String
            @Option(help: ArgumentHelp("角色：manager（客户经理）、advisor（财富顾问）、remote（远维经理）或 admin（管理员）。", valueName: "角色"))
            var role: String

            func validate() throws {
                guard PrincipalRole(rawValue: role) != nil else {
                    throw ValidationError("--role 应为 manager、advisor、remote 或 admin")
                }
            }

            func run() async throws {
                let role = PrincipalRole(rawValue: role)!
                try await AdminFailure.guarding { try await options.store().addPrincipal(code, name: name, role: role) }
                StandardStreams.out("已添加员工 \(code) \(name)（\(role.label)）")
            }
        }

        struct Deactivate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "停用员工：收回其全部设备（下次同步时擦除本机账本），不再能登记新设备。",
                discussion: "客户不会自动移交：先用 admin assign --from 工号 --to 工号 移交。")
            @OptionGroup var options: Options
            @OptionGroup var acting: Acting
            @Argument(help: ArgumentHelp("员工编号。", valueName: "工号")) var code: String

            func run() async throws {
                let result = try await AdminFailure.guarding { try await options.store().deactivate(code, by: acting.administrator) }
                if result.wasActive {
                    StandardStreams.out("已停用员工 \(code)，收回设备 \(result.devices) 台")
                } else {
                    StandardStreams.out("员工 \(code) 早已停用" + (result.devices > 0 ? "，又收回设备 \(result.devices) 台" : "，没有改动"))
                }
                if result.owned > 0 {
                    StandardStreams.out("注意：\(code) 名下还有 \(result.owned) 位客户，用 admin assign --from \(code) --to 工号 移交")
                }
            }
        }
    }

    struct Device: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "设备：登记、停用、查看记录。", subcommands: [Add.self, Revoke.self, Log.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "为员工登记一台设备；令牌只显示这一次，单独一行输出到标准输出。")
            @OptionGroup var options: Options
            @Argument(help: ArgumentHelp("员工编号。", valueName: "工号")) var code: String
            @Option(help: ArgumentHelp(
                "设备连接中心节点用的 HOST:PORT；中心有几台服务器时用逗号分隔，设备依次尝试（默认 serve 最近一次使用的地址）。",
                valueName: "HOST:PORT[,…]"))
            var server: String?
            @Flag(help: "以 JSON 输出 {device, token}。") var json = false

            func validate() throws {
                if let server, ServerAddress.list(server) == nil {
                    throw ValidationError("--server 应为 主机:端口，几台服务器用逗号分隔（如 10.0.0.5:7420,10.0.0.6:7420）")
                }
            }

            /// The fingerprint a new enrolment token should carry: the one `serve` last presented, `nil` if it last
            /// ran `--insecure`. Before `serve` ever ran, the self-signed identity beside the database is made now
            /// (the same one `serve` will load), so tokens made first still pin the right certificate.
            static func advertisedFingerprint(_ record: TransportRecord, path: String) throws -> [UInt8]? {
                switch record {
                case .plain:
                    return nil
                case .tls(let hex):
                    if let bytes = Hex.decode(hex), bytes.count == 32 { return bytes }
                    fallthrough
                case .unknown:
                    // Several servers share one PostgreSQL centre: no certificate beside a database file to make.
                    if CentralStoreLocation(path).isPostgres {
                        throw AdminFailure(message: "中心节点还没有运行过：先用 serve --db（同一个数据库）--tls-cert … --tls-key … 启动一次，再登记设备")
                    }
                    return try ServerIdentity.loadOrCreate(at: ServerIdentity.defaultPath(beside: path)).fingerprint
                }
            }

            func run() async throws {
                let token = try await AdminFailure.guarding {
                    let central = try await options.store()
                    let recorded = try await central.recordedTransport()
                    let address = server.flatMap(ServerAddress.list).map(ServerAddress.text) ?? recorded.address ?? "127.0.0.1:7420"
                    let fingerprint = try Self.advertisedFingerprint(recorded.record, path: options.path)  // the certificate devices pin
                    var token = try await central.addDevice(for: code, address: address)
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

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "停用一台设备：它不能再同步（下次同步时擦除本机账本）。")
            @OptionGroup var options: Options
            @Argument(help: ArgumentHelp("设备 ID，或至少 4 位十六进制的唯一前缀。", valueName: "设备")) var device: String

            func run() async throws {
                let id = try await AdminFailure.guarding { try await options.store().revokeDevice(device) }
                StandardStreams.out("已停用设备 \(id.hex)")
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "改换管户：一位客户（客户 --to 工号），或某人名下全部客户（--from 工号 --to 工号）。",
            discussion: """
                只能交给在职的客户经理或远维经理。原管户的设备在下次同步时移除这些客户，新管户的设备收到它们的全部记录。\
                --from 一次移交全部（含已归档的），在同一个事务里完成；--dry-run 只列出将要移交的客户，不做改动。
                """)
        @OptionGroup var options: Options
        @OptionGroup var acting: Acting
        @Argument(help: ArgumentHelp("客户：短 ID（至少 4 位）或完整姓名。", valueName: "客户")) var customer: String?
        @Option(help: ArgumentHelp("原管户的员工编号：移交其名下全部客户。", valueName: "工号")) var from: String?
        @Option(help: ArgumentHelp("新管户的员工编号。", valueName: "工号")) var to: String?
        @Flag(help: "只列出将要移交的客户，不做改动。") var dryRun = false

        func validate() throws {
            guard to != nil else { throw ValidationError("需要 --to 新管户的员工编号") }
            guard (customer == nil) != (from == nil) else {
                throw ValidationError(customer == nil ? "需要一位客户，或 --from 员工编号" : "客户和 --from 只能给一个")
            }
            guard !dryRun || from != nil else { throw ValidationError("--dry-run 只用于 --from（移交全部客户）") }
        }

        func run() async throws {
            let to = self.to!
            if let from {
                let moved = try await AdminFailure.guarding {
                    try await options.store().assignAll(from: from, to: to, by: acting.administrator, dryRun: dryRun)
                }
                guard !moved.isEmpty else {
                    StandardStreams.out("\(from) 名下没有客户，没有改动")
                    return
                }
                StandardStreams.out(
                    dryRun
                        ? "试运行：将把 \(from) 名下的 \(moved.count) 位客户改由 \(to) 管户（没有改动）"
                        : "已将 \(from) 名下的 \(moved.count) 位客户改由 \(to) 管户")
                AdminCustomerList.table(moved).forEach { StandardStreams.out($0) }
                StandardStreams.out("共 \(moved.count) 位客户")
                return
            }
            let outcome = try await AdminFailure.guarding { try await options.store().assign(customer!, to: to, by: acting.administrator) }
            if outcome.changed {
                StandardStreams.out("已改由 \(to) 管户：\(outcome.customer.label)（原管户 \(outcome.previousOwner ?? "无")）")
            } else {
                StandardStreams.out("\(outcome.customer.label) 已由 \(to) 管户，没有改动")
            }
        }
    }

    struct Cocover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "财富顾问协同一位 VIP 客户（钻石、私人银行）。",
            discussion: "只能由在职的财富顾问协同，只限钻石和私人银行客户。顾问的设备在下次同步时收到这位客户的全部记录。")
        @OptionGroup var options: Options
        @OptionGroup var acting: Acting
        @Argument(help: ArgumentHelp("客户：短 ID（至少 4 位）或完整姓名。", valueName: "客户")) var customer: String
        @Option(help: ArgumentHelp("财富顾问的员工编号。", valueName: "工号")) var with: String?

        func validate() throws {
            guard with != nil else { throw ValidationError("需要 --with 财富顾问的员工编号") }
        }

        func run() async throws {
            let with = self.with!
            let outcome = try await AdminFailure.guarding { try await options.store().cocover(customer, with: with, by: acting.administrator) }
            StandardStreams.out(
                outcome.changed ? "已由 \(with) 协同 \(outcome.customer.label)" : "\(with) 已在协同 \(outcome.customer.label)，没有改动")
        }
    }

    struct Uncover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "结束财富顾问的协同：顾问的设备在下次同步时移除这位客户（不再由你协同覆盖）。")
        @OptionGroup var options: Options
        @OptionGroup var acting: Acting
        @Argument(help: ArgumentHelp("客户：短 ID（至少 4 位）或完整姓名。", valueName: "客户")) var customer: String
        @Option(help: ArgumentHelp("财富顾问的员工编号。", valueName: "工号")) var with: String?

        func validate() throws {
            guard with != nil else { throw ValidationError("需要 --with 财富顾问的员工编号") }
        }

        func run() async throws {
            let with = self.with!
            let outcome = try await AdminFailure.guarding { try await options.store().uncover(customer, with: with, by: acting.administrator) }
            StandardStreams.out("已结束 \(with) 对 \(outcome.customer.label) 的协同")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "员工、设备、客户数、操作数、各设备上次同步。")
        @OptionGroup var options: Options
        @Flag(help: "以 JSON 输出。") var json = false

        func run() async throws {
            let status = try await AdminFailure.guarding { try await options.store().status() }
            if json {
                let devices = status.devices.map {
                    "{\"device\": \"\($0.id)\", \"principal\": \"\($0.principal)\", \"revoked\": \($0.revoked), \"last_sync\": \($0.lastSync.map(String.init) ?? "null")}"
                }
                let principals = status.principals.map {
                    "{\"code\": \"\($0.code)\", \"role\": \"\($0.role)\", \"active\": \(!$0.deactivated)}"
                }
                StandardStreams.out(
                    "{\"principals\": [\(principals.joined(separator: ", "))], \"devices\": [\(devices.joined(separator: ", "))], \"customers\": \(status.customers), \"ops\": \(status.ops), \"last_lsn\": \(status.lastLSN)}")
                return
            }
            StandardStreams.out("员工 \(status.principals.count) 人，设备 \(status.devices.count) 台，客户 \(status.customers) 位，操作 \(status.ops) 个")
            for principal in status.principals {
                let role = AdminReportCommand.roleLabel(principal.role)
                StandardStreams.out("  \(principal.code)  \(role)  \(principal.name)" + (principal.deactivated ? "  已停用" : ""))
            }
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
    static func guarding<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AdminFailure {
            StandardStreams.err(error.message)
            throw ExitCode(1)
        } catch {
            StandardStreams.err("\(error)")
            throw ExitCode(1)
        }
    }
}
