import FieldbookClient
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation

/// `sync`: push and pull with the central node.
enum SyncCommand {
    static func sync(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("sync")
        let override = arguments.take("server")
        guard arguments.positionals.isEmpty, arguments.assignments.isEmpty else {
            throw spec.usageError("sync 只接受 --server 主机:端口")
        }
        if let override, ServerAddress.list(override) == nil {
            throw spec.usageError("--server 应为 主机:端口（几台服务器用逗号分隔，依次尝试）")
        }
        let book = session.book
        // Names of what may leave, read before the sync removes them; and the conflicts already open.
        let names = Dictionary(
            try book.find(includeArchived: true, limit: 1_000_000).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let conflictsBefore = Set(try book.conflicts().map { "\($0.entity)|\($0.field.rawValue)" })
        let output = session.output
        let started = book.options.now()
        let summary: SyncSummary
        do {
            summary = try runBlocking {
                try await SyncClient(book: book).sync(server: override) { line in output.line(line) }
            }
        } catch let error as SyncError {
            if error.code == .revoked { try revoked(session) }
            // A session cut after its purge still removed those customers: their history lines go too.
            forgetPurged(session, since: started)
            throw ShellError(.network, error.message)
        }
        forgetPurged(session, since: started)
        let newConflicts = try book.conflicts().filter { !conflictsBefore.contains("\($0.entity)|\($0.field.rawValue)") }
        // Customers new to this book (a first sync re-sends the device's own customers: they are not new).
        let added = try book.find(includeArchived: true, limit: 1_000_000).filter { names[$0.id] == nil }.count
        var line = "同步完成：发送 \(summary.opsSent) 个操作，接收 \(summary.opsReceived) 个操作"
        if added > 0 { line += "，新增客户 \(added) 位" }
        if !summary.purged.isEmpty { line += "，移出客户 \(summary.purged.count) 位" }
        line += newConflicts.isEmpty ? "，没有新冲突" : "，新冲突 \(newConflicts.count) 处（conflicts 查看）"
        // Which of the centre's servers answered (a device may know several and tries them in turn).
        if let server = summary.server { line += "；经由中心节点 \(server)" }
        session.say(line)
        for entry in summary.purged {
            let who = names[entry.customer].map { "\($0) [\(entry.customer.short)]" } ?? "[\(entry.customer.short)]"
            let why: String
            switch entry.reason.kind {
            case .reassigned: why = entry.newOwner.map { "已改由 \($0) 管户" } ?? "已改由他人管户"
            case .accessRevoked: why = "访问权限被收回"
            case .coverageEnded: why = "不再由你协同覆盖"
            case .erased: why = "已在中心节点删除"
            case .unknown: why = "不再由你覆盖"
            }
            session.say("  移出 \(who)：\(why)，已从本机删除")
        }
        if summary.rejected > 0 {
            session.say("注意：中心节点拒收了 \(summary.rejected) 处修改，这些修改没有同步：")
            // The centre's words: customer short ID, kind of change, why (no values; made printable by the session).
            for words in summary.refusals { session.say("  \(words)") }
        }
        if !summary.verified {
            session.say("警告：同步后本机与中心节点的状态核对不一致，已重新拉取仍不一致；请联系管理员（fieldbook status 可看状态哈希）")
        }
    }

    /// Drops the history lines that name customers purged since `time` (``HistoryFile``).
    static func forgetPurged(_ session: Session, since time: UInt64) {
        guard let forget = session.forgetInHistory,
            let purged = try? session.book.customersPurged(since: time), !purged.isEmpty
        else { return }
        forget(purged)
    }

    /// The central node said this device is revoked. Over TLS, where the pinned certificate proves the message came
    /// from the centre, the book is erased (every customer, then the file) with its history file, and the shell
    /// ends with exit code 3. Over plain TCP anyone on the path could forge the message, so the book is kept and the
    /// user is told to ask an administrator (SECURITY.md, "Lost or stolen device").
    static func revoked(_ session: Session) throws(ShellError) {
        let book = session.book
        guard (try? book.meta(Book.SyncKey.transport)) == "tls" else {
            throw ShellError(.network, "这台设备已被中心节点停用，请联系管理员。连接未经 TLS 认证，无法确认停用通知来自中心节点，本机账本未擦除")
        }
        session.quit(exitCode: ShellError.Kind.network.exitCode)
        let erased: Int
        do {
            erased = try book.erase()
        } catch {
            throw ShellError(.network, "这台设备已被中心节点停用，但擦除本机账本失败：\(error.message)。请删除账本文件并联系管理员")
        }
        if let history = HistoryFile.path(forBook: book.path) { HistoryFile.erase(at: history) }
        throw ShellError(
            .network, "这台设备已被中心节点停用：本机账本（\(erased) 位客户）和命令历史已安全擦除。请联系管理员重新登记")
    }

    /// Runs async work from the synchronous shell and waits for it.
    static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }
}

/// Carries a result out of a detached task.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    // @unchecked because `result` is written once by the task before the semaphore is signalled, and read after.
    var result: Result<T, any Error>?
}
