import ArgumentParser
import FieldbookModel
import FieldbookShell
import FieldbookStore
import Foundation

/// `fieldbook demo-data` (hidden): creates a realistic demo book, 800 customers by default, for trying Fieldbook out
/// (`tools/demo-data`, and `tools/run` on first start). See ``DemoBook``.
struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "生成演示账本：虚构的客户和一年的记录。",
        discussion: """
            --seed、--date 和时区相同，生成的账本就相同（副本标识除外）；在 --date 那天，today 的每一栏都有内容。\
            演示账本只用来试用 Fieldbook：不要把它登记到中心节点。
            """,
        shouldDisplay: false)

    @Option(help: ArgumentHelp("要生成的账本文件（默认 $FIELDBOOK_HOME/book.sqlite）；已有的文件会被拒绝。", valueName: "路径"))
    var book: String?

    @Option(help: ArgumentHelp("账本所属员工的编号。", valueName: "工号"))
    var principal = "M001"

    @Option(help: ArgumentHelp("账本所属员工的姓名。", valueName: "姓名"))
    var name: String?

    @Option(help: ArgumentHelp("所有随机选择的种子。", valueName: "整数"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("账本对应的日期（默认今天）：2026-11-23、11-23、today 等。", valueName: "日期"))
    var date: String?

    @Option(help: ArgumentHelp("客户数。", valueName: "个数"))
    var customers = 800

    func validate() throws {
        guard (1...DemoBook.maximumCustomers).contains(customers) else {
            throw ValidationError("--customers 应在 1 到 \(DemoBook.maximumCustomers) 之间")
        }
        guard !principal.isEmpty, principal.count <= 32,
            principal.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw ValidationError("--principal 应为员工编号：字母、数字、- 或 _，最多 32 个字符") }
    }

    func run() throws {
        let path = book ?? Paths.defaultBook
        let options = try Environment.bookOptions()
        let now = Day(milliseconds: options.now(), offsetSeconds: options.utcOffsetSeconds)
        let today: Day
        do {
            today = try date.map { try Day.parse($0, today: now) } ?? now
        } catch let error as ModelError {
            throw ValidationError("--date：\(error.message)")
        }
        let configuration = DemoBook.Configuration(
            principal: principal, name: name, seed: seed, today: today, customers: customers,
            utcOffsetSeconds: options.utcOffsetSeconds)
        StandardStreams.err("正在生成演示账本（\(customers) 位客户，\(today.iso) 之前一年的记录）…")
        do {
            let summary = try DemoBook.create(at: path, configuration)
            StandardStreams.out(
                "已创建演示账本：\(path)（员工 \(principal)，客户 \(summary.customers) 位，家人 \(summary.family) 位，"
                    + "购买 \(summary.purchases) 笔，联系 \(summary.contacts) 次，待办 \(summary.tasks) 条，"
                    + "投诉 \(summary.complaints) 起，大额异动 \(summary.movements) 笔）")
        } catch let error as StoreError {
            StandardStreams.err(error.message)
            throw ExitCode(1)
        } catch {
            StandardStreams.err("生成演示账本失败：\(error)")
            throw ExitCode(1)
        }
    }
}
