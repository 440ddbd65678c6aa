import ArgumentParser
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookShell
import FieldbookStore
import Foundation

/// How `admin find`, `admin customers` and `admin assign --from` list customers of the master file: short IDs, no
/// phone or ID number, a count line after.
enum AdminCustomerList {
    static func table(_ customers: [CentralCustomer]) -> [String] {
        var table = TextTable(header: ["ID", "姓名", "层级", "管户", "协同", "状态"])
        for customer in customers {
            table.append([
                customer.id.short, TerminalText.line(customer.name, styled: false), customer.tier ?? "", customer.owner ?? "",
                customer.cocoverers.joined(separator: "、"), customer.archived ? "已归档" : "",
            ])
        }
        return table.render()
    }

    static func json(_ customers: [CentralCustomer]) -> JSON {
        .array(
            customers.map { customer in
                .object([
                    ("id", .string(customer.id.short)), ("name", .string(customer.name)), ("tier", .string(customer.tier)),
                    ("owner", .string(customer.owner)), ("cocoverers", .array(customer.cocoverers.map { .string($0) })),
                    ("archived", .bool(customer.archived)),
                ])
            })
    }

    /// Prints a listing, or says there is none.
    static func emit(_ customers: [CentralCustomer], json: Bool) {
        if json {
            StandardStreams.out(Self.json(customers).render())
            return
        }
        guard !customers.isEmpty else {
            StandardStreams.out("没有找到客户")
            return
        }
        table(customers).forEach { StandardStreams.out($0) }
        StandardStreams.out("共 \(customers.count) 位客户")
    }
}

extension AdminCommand {
    /// `fieldbook admin find TEXT [--json]`: customers of the master file by name, phone, note or short ID, or by
    /// the name's pinyin or initials (``NamePinyin``), those listed after the ones the text itself finds.
    struct Find: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "在中心数据库里查找客户：姓名、电话、备注的任意片段，姓名的拼音或首字母，或短 ID（至少 4 位）。",
            discussion: """
                列出短 ID、姓名、层级、管户和协同，含已归档的客户；短 ID 可直接用于 assign、cocover、uncover。\
                两个以上的字母也按姓名的拼音查找（wangfang、wf、wangf 都能找到 王芳），列在直接找到的客户之后。
                """)
        @OptionGroup var options: Options
        @Argument(help: ArgumentHelp("要查找的内容。", valueName: "内容")) var text: String
        @Flag(help: "以 JSON 输出 [{id, name, tier, owner, cocoverers, archived}]。") var json = false

        func run() async throws {
            let found = try await AdminFailure.guarding { try await AdminReportCommand.open(options).findCustomers(text) }
            AdminCustomerList.emit(found, json: json)
        }
    }

    /// `fieldbook admin customers [--owner CODE] [--cocover CODE] [--tier T] [--json]`.
    struct Customers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "列出中心数据库的客户，可按管户、协同顾问、层级筛选。",
            discussion: "条件同时满足；含已归档的客户。层级写 普通、金葵花、钻石、私人银行（或 standard、gold、diamond、private）。")
        @OptionGroup var options: Options
        @Option(help: ArgumentHelp("管户的员工编号。", valueName: "工号")) var owner: String?
        @Option(help: ArgumentHelp("协同顾问的员工编号。", valueName: "工号")) var cocover: String?
        @Option(help: ArgumentHelp("层级：普通、金葵花、钻石、私人银行（或 standard、gold、diamond、private）。", valueName: "层级"))
        var tier: String?
        @Flag(help: "以 JSON 输出 [{id, name, tier, owner, cocoverers, archived}]。") var json = false

        func validate() throws {
            if let tier { _ = try Self.tier(tier) }
        }

        /// The canonical tier (`diamond` → `钻石`), or a usage error.
        static func tier(_ text: String) throws -> String {
            do {
                let spec = try Schema.field(named: "tier", for: .customer)
                guard let canonical = try spec.parse(text, today: Day(year: 2026, month: 1, day: 1)!).text else {
                    throw ValidationError("--tier 应为 普通、金葵花、钻石 或 私人银行")
                }
                return canonical
            } catch let error as ModelError {
                throw ValidationError("--tier：\(error.message)")
            }
        }

        func run() async throws {
            let found = try await AdminFailure.guarding {
                try await AdminReportCommand.open(options).customers(
                    owner: owner, cocoverer: cocover, tier: try tier.map(Self.tier))
            }
            AdminCustomerList.emit(found, json: json)
        }
    }
}
