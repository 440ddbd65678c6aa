import ArgumentParser
import FieldbookModel
import FieldbookStore
import Foundation

/// `fieldbook init`: creates a book for a principal.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a new book for a principal (employee code).")

    @Option(help: "The principal's employee code, e.g. M001.")
    var principal: String

    @Option(help: "The principal's display name.")
    var name: String?

    @Option(help: "The book file (default: $FIELDBOOK_HOME/book.sqlite).")
    var book: String?

    func validate() throws {
        guard !principal.isEmpty, principal.count <= 32,
            principal.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw ValidationError("--principal 应为员工编号：字母、数字、- 或 _，最多 32 个字符") }
    }

    func run() throws {
        let path = book ?? Paths.defaultBook
        do {
            let created = try Book.create(
                at: path, principal: principal, name: name, options: try Environment.bookOptions())
            print("已创建账本：\(created.path)（员工 \(principal)，设备 \(created.actor.short)）")
        } catch let error as StoreError {
            FileHandle.standardError.write(Data((error.message + "\n").utf8))
            throw ExitCode(1)
        }
    }
}
