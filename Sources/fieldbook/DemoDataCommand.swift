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
        abstract: "Create a demo book with invented customers and a year of history.",
        discussion: """
            The book is the same for the same --seed, --date and time zone (its replica identity excepted), and its \
            `today` has something in every section on --date. A demo book is for trying Fieldbook out: do not enrol \
            it with a central node.
            """,
        shouldDisplay: false)

    @Option(help: "The book file to create (default: $FIELDBOOK_HOME/book.sqlite). An existing file is refused.")
    var book: String?

    @Option(help: "The owner's employee code.")
    var principal = "M001"

    @Option(help: "The owner's display name.")
    var name: String?

    @Option(help: "The seed of every random choice.")
    var seed: UInt64 = 1

    @Option(help: "The day the book is made for (default: today): 2026-11-23, 11-23, today.")
    var date: String?

    @Option(help: "How many customers.")
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
