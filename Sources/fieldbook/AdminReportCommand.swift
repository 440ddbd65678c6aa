import ArgumentParser
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookShell
import FieldbookStore
import Foundation

/// `fieldbook admin report`: the centre's reports over every book (ARCHITECTURE §6): sales with co-covered VIPs
/// counted for both coverers, customers marketed twice, and VIPs nobody has called within their cadence.
///
/// Reports only read: a missing central database is an error, never created.
struct AdminReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "中心报表：销售业绩、重复营销、VIP 联系周期。",
        subcommands: [Sales.self, Overlap.self, Coverage.self])

    /// Opens an existing centre's store with the environment's clock (`FIELDBOOK_NOW` fixes "today" for tests).
    static func open(_ options: AdminCommand.Options) async throws -> any CentralStore {
        let location = CentralStoreLocation(options.path, keyFile: options.keyFile)
        guard location.exists else {
            throw AdminFailure(message: "没有找到中心数据库：\(options.path)（先运行 fieldbook serve 或 admin principal add）")
        }
        do {
            return try await location.open(options: try Environment.bookOptions())
        } catch let error as ValidationError {
            throw AdminFailure(message: error.message)
        }
    }

    /// How a role reads in a report.
    static func roleLabel(_ role: PrincipalRole?) -> String { role?.label ?? "未登记" }

    /// How a role stored as text reads (``CentralStatus`` keeps the table's text): an unknown one as itself.
    static func roleLabel(_ role: String?) -> String {
        guard let role else { return "未登记" }
        return PrincipalRole(rawValue: role)?.label ?? role
    }

    /// Prints a JSON document alone on stdout.
    static func emit(_ json: JSON) { StandardStreams.out(json.render()) }

    // MARK: - sales

    struct Sales: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "各员工在一段时间内的销售业绩；协同客户的销售在管户经理和协同顾问名下各计一次。",
            discussion: """
                销售指期间内（含首尾两天）的购买记录，按报表生成时的管户和协同关系，在管户经理和每位协同顾问名下各计\
                全额（考核双算）；合计行每笔只计一次。默认期间：本月 1 日至今天。日期可写 2026-11-01、11-01、today、\
                --from=-30d，以及 12月1日 等中文写法。
                """)
        @OptionGroup var options: AdminCommand.Options
        @Option(help: ArgumentHelp("期间第一天（默认 --to 所在月的 1 日）。", valueName: "日期")) var from: String?
        @Option(help: ArgumentHelp("期间最后一天（默认今天）。", valueName: "日期")) var to: String?
        @Flag(help: "以 JSON 输出。") var json = false

        func run() async throws {
            let report = try await AdminFailure.guarding {
                let central = try await AdminReportCommand.open(options)
                let today = try await central.today()
                let end = try to.map { try AdminReportCommand.day($0, "--to", today: today) } ?? today
                let start = try from.map { try AdminReportCommand.day($0, "--from", today: today) }
                    ?? CentralDatabase.monthToDate(end).from
                return try await central.salesReport(from: start, to: end)
            }
            if json {
                AdminReportCommand.emit(Self.json(report))
                return
            }
            StandardStreams.out("销售业绩 \(report.from.iso) 至 \(report.to.iso)：协同客户的销售在管户经理和每位协同顾问名下各计全额")
            var table = TextTable(header: ["员工", "姓名", "角色", "笔数", "金额", "其中协同笔数", "协同金额"])
            for row in report.rows {
                table.append([
                    row.code, row.name ?? "", AdminReportCommand.roleLabel(row.role), String(row.sales),
                    Money.format(row.amount), String(row.sharedSales), Money.format(row.sharedAmount),
                ])
            }
            if table.rows.isEmpty {
                StandardStreams.out("（没有员工，也没有销售）")
            } else {
                table.render().forEach { StandardStreams.out($0) }
            }
            let total = report.total
            StandardStreams.out("合计（每笔只计一次）：\(total.sales) 笔，\(Money.format(total.amount))，其中协同 \(total.sharedSales) 笔")
        }

        static func json(_ report: SalesReport) -> JSON {
            .object([
                ("from", .string(report.from.iso)), ("to", .string(report.to.iso)),
                (
                    "principals",
                    .array(
                        report.rows.map { row in
                            .object([
                                ("code", .string(row.code)), ("name", .string(row.name)), ("role", .string(row.role?.rawValue)),
                                ("sales", .int(row.sales)), ("amount", .string(Money.format(row.amount))),
                                ("amount_fen", .int(row.amount)), ("shared_sales", .int(row.sharedSales)),
                                ("shared_amount_fen", .int(row.sharedAmount)),
                            ])
                        })
                ),
                (
                    "total",
                    .object([
                        ("sales", .int(report.total.sales)), ("amount", .string(Money.format(report.total.amount))),
                        ("amount_fen", .int(report.total.amount)), ("shared_sales", .int(report.total.sharedSales)),
                        ("counts_each_sale_once", .bool(true)),
                    ])
                ),
            ])
        }
    }

    // MARK: - overlap

    struct Overlap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "最近 N 天内被不止一位员工联系过的客户（避免多层次营销）。",
            discussion: """
                渠道按员工计，不按联系方式计：同一位客户经理先打电话又上门，仍是一个渠道，不列出。列出截至今天的窗口内\
                被两位及以上员工联系过的客户，即可能被重复营销的客户；也列出用过的联系方式。
                """)
        @OptionGroup var options: AdminCommand.Options
        @Option(help: ArgumentHelp("窗口天数，截至今天。", valueName: "天数")) var days = 30
        @Flag(help: "以 JSON 输出。") var json = false

        /// A contact type as the branch says it (`call` → `电话`).
        static func channelLabel(_ channel: String) -> String {
            Schema.field(Schema.F.channel)?.choices.first { $0.canonical == channel }?.aliases.first ?? channel
        }

        func validate() throws {
            guard (1...3660).contains(days) else { throw ValidationError("--days 应为 1 到 3660 之间的天数") }
        }

        func run() async throws {
            let report = try await AdminFailure.guarding { try await AdminReportCommand.open(options).overlapReport(days: days, today: nil) }
            if json {
                AdminReportCommand.emit(
                    .object([
                        ("from", .string(report.from.iso)), ("to", .string(report.to.iso)), ("days", .int(days)),
                        (
                            "customers",
                            .array(
                                report.customers.map { customer in
                                    .object([
                                        ("id", .string(customer.id.short)), ("name", .string(customer.name)),
                                        ("tier", .string(customer.tier)), ("owner", .string(customer.owner)),
                                        ("contacts", .int(customer.contacts)),
                                        ("channels", .array(customer.channels.map { .string($0) })),
                                        ("principals", .array(customer.principals.map { .string($0) })),
                                        ("first", .string(customer.first.iso)), ("last", .string(customer.last.iso)),
                                    ])
                                })
                        ),
                    ]))
                return
            }
            guard !report.customers.isEmpty else {
                StandardStreams.out("\(report.from.iso) 至 \(report.to.iso)（\(days) 天）没有被多位员工联系的客户")
                return
            }
            StandardStreams.out("\(report.from.iso) 至 \(report.to.iso)（\(days) 天）被多位员工联系的客户：\(report.customers.count) 位")
            var table = TextTable(header: ["ID", "客户", "层级", "管户", "联系次数", "联系员工", "联系方式", "最近"])
            for customer in report.customers {
                table.append([
                    customer.id.short, customer.name, customer.tier ?? "", customer.owner ?? "",
                    String(customer.contacts), customer.principals.joined(separator: "、"),
                    customer.channels.map(Self.channelLabel).joined(separator: "、"), customer.last.iso,
                ])
            }
            table.render().forEach { StandardStreams.out($0) }
        }
    }

    // MARK: - coverage

    struct Coverage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "按覆盖员工列出超过联系周期未联系的 VIP 客户。",
            discussion: """
                VIP 指钻石和私人银行客户。联系周期 30 天，熟悉度 C 为 15 天（与待办的默认值相同）。VIP 列在管户经理和\
                每位协同顾问名下；任何人的联系都算。
                """)
        @OptionGroup var options: AdminCommand.Options
        @Flag(help: "以 JSON 输出。") var json = false

        func run() async throws {
            let report = try await AdminFailure.guarding { try await AdminReportCommand.open(options).coverageReport(today: nil) }
            if json {
                AdminReportCommand.emit(
                    .object([
                        ("date", .string(report.today.iso)),
                        (
                            "principals",
                            .array(
                                report.principals.map { principal in
                                    .object([
                                        ("code", .string(principal.code)), ("name", .string(principal.name)),
                                        ("role", .string(principal.role?.rawValue)), ("vips", .int(principal.vips)),
                                        ("overdue", .array(principal.overdue.map(Self.json))),
                                    ])
                                })
                        ),
                    ]))
                return
            }
            let overdue = report.principals.reduce(0) { $0 + $1.overdue.count }
            StandardStreams.out("VIP 联系周期（\(report.today.iso)，周期 30 天，熟悉度 C 为 15 天）：\(report.principals.count) 位员工，超期 \(overdue) 人次")
            for principal in report.principals {
                let who = [principal.code, principal.name].compactMap { $0 }.joined(separator: " ")
                let role = AdminReportCommand.roleLabel(principal.role)
                guard !principal.overdue.isEmpty else {
                    StandardStreams.out("\(who)（\(role)）：VIP \(principal.vips) 位，全部按期联系")
                    continue
                }
                StandardStreams.out("\(who)（\(role)）：VIP \(principal.vips) 位，超期未联系 \(principal.overdue.count) 位")
                var table = TextTable(header: ["  ID", "客户", "层级", "熟悉度", "上次联系", "已隔", "周期"])
                for customer in principal.overdue {
                    table.append([
                        "  " + customer.id.short, customer.name, customer.tier, customer.familiarity ?? "",
                        customer.lastContact?.iso ?? "从未联系", customer.daysSince.map { "\($0) 天" } ?? "",
                        "\(customer.cadence) 天",
                    ])
                }
                table.render().forEach { StandardStreams.out($0) }
            }
        }

        static func json(_ customer: CoverageReport.Customer) -> JSON {
            .object([
                ("id", .string(customer.id.short)), ("name", .string(customer.name)), ("tier", .string(customer.tier)),
                ("familiarity", .string(customer.familiarity)), ("cadence_days", .int(customer.cadence)),
                ("last_contact", .string(customer.lastContact?.iso)),
                ("days_since", customer.daysSince.map { .int($0) } ?? .null),
            ])
        }
    }

    /// Parses a report date, as a usage error when it is not one.
    static func day(_ text: String, _ option: String, today: Day) throws -> Day {
        do {
            return try Day.parse(text, today: today)
        } catch {
            throw AdminFailure(message: "\(option)：\(error.message)")
        }
    }
}
