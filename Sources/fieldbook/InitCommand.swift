import ArgumentParser
import FieldbookModel
import FieldbookClient
import FieldbookStore
import FieldbookSync
import FieldbookWire
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

    @Option(help: "HOST:PORT of the central node (default: the address in the token).")
    var server: String?

    @Option(help: "The enrolment token from `fieldbook admin device add`.")
    var token: String?

    @Flag(help: "Sync over plain TCP without TLS, with a central node run with serve --insecure (trusted networks only).")
    var insecure = false

    func validate() throws {
        guard !principal.isEmpty, principal.count <= 32,
            principal.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw ValidationError("--principal 应为员工编号：字母、数字、- 或 _，最多 32 个字符") }
        if let token {
            guard let parsed = EnrolmentToken(text: token) else {
                throw ValidationError("--token 无效：请完整复制 admin device add 打印的令牌（以 fb2: 开头）")
            }
            if parsed.fingerprint == nil, !insecure {
                throw ValidationError(
                    parsed.isLegacy
                        ? "这个令牌（fb1:）来自不支持 TLS 的旧版中心节点，不含证书指纹：请管理员升级后用 admin device add 重发；若中心节点以 --insecure 运行且网络可信，可加 --insecure"
                        : "这个令牌表明中心节点以 --insecure（明文，不加密）运行：确认网络可信后加 --insecure 再登记")
            }
        }
        if server != nil, token == nil { throw ValidationError("--server 需要和 --token 一起用") }
        if insecure, token == nil { throw ValidationError("--insecure 需要和 --token 一起用") }
    }

    func run() throws {
        let path = book ?? Paths.defaultBook
        var enrolment = token.flatMap(EnrolmentToken.init(text:))
        if let server { enrolment?.address = server }
        // The book remembers the choice: it will only ever sync in plain TCP.
        if insecure { enrolment?.fingerprint = nil }
        do {
            // A token names the principal it was issued for: another's would enrol this book for nobody's customers.
            if let issuedFor = enrolment?.principal, issuedFor != principal {
                throw StoreError(.invalid, "这个令牌是为员工 \(issuedFor) 签发的，不能登记 \(principal) 的账本：请用本人的令牌")
            }
            // A book started offline is enrolled later by the same command, with the token.
            if let enrolment, FileManager.default.fileExists(atPath: path) {
                let existing = try Book.open(at: path, options: try Environment.bookOptions())
                guard existing.principal == principal else {
                    throw StoreError(.invalid, "这个账本属于员工 \(existing.principal)，不能登记为 \(principal) 的设备")
                }
                guard try existing.meta(Book.SyncKey.device) == nil else {
                    throw StoreError(.exists, "这个账本已经登记过中心节点；换设备请用新账本")
                }
                try SyncClient.enrol(existing, token: enrolment)
                print("已把账本 \(path) 登记到中心节点 \(enrolment.address)（设备 \(enrolment.device.hex.prefix(8))\(Self.transport(enrolment))）：用 sync 同步")
                return
            }
            let created = try Book.create(
                at: path, principal: principal, name: name, options: try Environment.bookOptions())
            if let enrolment {
                try SyncClient.enrol(created, token: enrolment)
                print("已登记到中心节点 \(enrolment.address)（设备 \(enrolment.device.hex.prefix(8))\(Self.transport(enrolment))）：用 sync 同步")
            }
            print("已创建账本：\(created.path)（员工 \(principal)，设备 \(created.actor.short)）")
        } catch let error as StoreError {
            FileHandle.standardError.write(Data((error.message + "\n").utf8))
            throw ExitCode(1)
        }
    }

    /// How the book will reach the central node, for the confirmation line.
    static func transport(_ token: EnrolmentToken) -> String {
        token.fingerprint.map { "，TLS 证书指纹 \(Hex.encode($0.prefix(8)))…" } ?? "，明文连接（--insecure）"
    }
}
