import ArgumentParser
import FieldbookModel
import FieldbookClient
import FieldbookStore
import FieldbookSync
import FieldbookWire
import CoreFoundation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `fieldbook init`: creates a book for a principal, and enrols it (or an existing one) with a central node.
///
/// The enrolment token carries the device's secret, so it is best kept off the command line: `--token-file PATH`
/// reads it from a file only its owner can read or write, `--token -` from standard input. `--token TOKEN` still
/// works and warns. Exit status: 0 done; 1 the token file, standard input or the book is refused (nothing is
/// written); 2 a usage error (options that do not go together, a malformed `--token TOKEN`).
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "为员工（工号）新建账本；登记到中心节点。",
        discussion: """
            fieldbook admin device add 打印的登记令牌含有设备的密钥。用 --token-file 路径 给出（只有你能读写的文件，\
            权限 0600 或 0400：同组或其他用户能读写的文件会被拒绝；init 成功后请删除它），或用 --token -（从标准输入\
            读一行：在终端上粘贴时不回显，也可以从密码管理器用管道传入）。--token 令牌 也能用，但命令行对本机的所有\
            用户可见（ps），会打印一条警告。

            退出码：0 完成；1 令牌文件、标准输入或账本被拒绝，什么也没有写入；2 用法错误（不能一起用的选项，格式不对\
            的 --token 令牌）。
            """)

    @Option(help: ArgumentHelp("员工编号，如 M001。", valueName: "工号"))
    var principal: String

    @Option(help: ArgumentHelp("员工姓名。", valueName: "姓名"))
    var name: String?

    @Option(help: ArgumentHelp("账本文件（默认 $FIELDBOOK_HOME/book.sqlite）。", valueName: "路径"))
    var book: String?

    @Option(help: ArgumentHelp(
        "中心节点的 HOST:PORT；中心有几台服务器时用逗号分隔，同步时依次尝试（默认用令牌里的地址）。",
        valueName: "HOST:PORT[,…]"))
    var server: String?

    @Option(help: ArgumentHelp(
        "从这个文件读登记令牌（fieldbook admin device add 打印的），文件权限须为 0600 或更严。",
        valueName: "路径"))
    var tokenFile: String?

    @Option(help: ArgumentHelp(
        "登记令牌；写 - 表示从标准输入读。直接写在这里的令牌其他用户能看到（ps）。",
        valueName: "令牌|-"))
    var token: String?

    @Flag(help: "不用 TLS、明文 TCP 同步，对应用 serve --insecure 运行的中心节点（只能在可信的网络上用）。")
    var insecure = false

    /// The most a token file or line may hold: a token is a few hundred characters.
    static let maximumTokenBytes = 64 * 1024

    func validate() throws {
        guard !principal.isEmpty, principal.count <= 32,
            principal.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw ValidationError("--principal 应为员工编号：字母、数字、- 或 _，最多 32 个字符") }
        if token != nil, tokenFile != nil {
            throw ValidationError("--token 和 --token-file 只能用一个")
        }
        if token == "" { throw ValidationError("--token 是空的：用 --token-file 文件 或 --token -（从标准输入读）") }
        if tokenFile == "" { throw ValidationError("--token-file 需要令牌文件的路径") }
        let tokenGiven = token != nil || tokenFile != nil
        if server != nil, !tokenGiven { throw ValidationError("--server 需要和 --token-file 或 --token 一起用") }
        if let server, ServerAddress.list(server) == nil {
            throw ValidationError("--server 应为 主机:端口，几台服务器用逗号分隔（如 10.0.0.5:7420,10.0.0.6:7420）")
        }
        if insecure, !tokenGiven { throw ValidationError("--insecure 需要和 --token-file 或 --token 一起用") }
        // A token typed on the command line is checked here, as any other argument (exit 2); one read from a file or
        // standard input is checked once read (exit 1).
        if let token, token != "-" {
            if case .failure(let problem) = Self.enrolment(from: token, insecure: insecure) {
                throw ValidationError(problem.message)
            }
        }
    }

    func run() throws {
        let path = book ?? Paths.defaultBook
        do {
            var enrolment = try readEnrolment()
            // The list replaces the token's; the book keeps one list (``SyncClient/enrol(_:token:)``).
            if let server, let list = ServerAddress.list(server) { enrolment?.address = ServerAddress.text(list) }
            // The book remembers the choice: it will only ever sync in plain TCP.
            if insecure { enrolment?.fingerprint = nil }
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
                StandardStreams.out("已把账本 \(path) 登记到中心节点 \(Self.servers(enrolment))（设备 \(enrolment.device.hex.prefix(8))\(Self.transport(enrolment))）：用 sync 同步")
                tokenFileHint()
                return
            }
            let options = try Environment.bookOptions()
            let created = try Book.create(at: path, principal: principal, name: name, options: options)
            if let enrolment {
                try SyncClient.enrol(created, token: enrolment)
                StandardStreams.out("已登记到中心节点 \(Self.servers(enrolment))（设备 \(enrolment.device.hex.prefix(8))\(Self.transport(enrolment))）：用 sync 同步")
            }
            StandardStreams.out("已创建账本：\(created.path)（员工 \(principal)，设备 \(created.actor.short)）")
            if enrolment != nil { tokenFileHint() }
        } catch let error as StoreError {
            StandardStreams.err(error.message)
            throw ExitCode(1)
        } catch let problem as TokenProblem {
            StandardStreams.err(problem.message)
            throw ExitCode(1)
        }
    }

    /// The token from whichever source was given, checked; `nil` without one.
    private func readEnrolment() throws(TokenProblem) -> EnrolmentToken? {
        let text: String
        let source: String
        if let tokenFile {
            text = try Self.readTokenFile(tokenFile)
            source = "令牌文件 \(tokenFile)："
        } else if token == "-" {
            text = try Self.readTokenLine()
            source = "标准输入："
        } else if let token {
            source = ""
            StandardStreams.err(
                "警告：--token 把令牌（含设备密钥）写在了命令行上，本机其他用户用 ps 就能看到；"
                    + "以后请用 --token-file 文件（权限 600）或 --token -（从标准输入读）")
            text = token
        } else {
            return nil
        }
        return try Self.enrolment(from: text, insecure: insecure).mapError { TokenProblem(source + $0.message) }.get()
    }

    /// Once enrolled the book holds the secret: the file is no longer needed.
    private func tokenFileHint() {
        var status = stat()
        guard let tokenFile, stat(tokenFile, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return }
        StandardStreams.out("令牌已存入账本，可以删除令牌文件了：rm \(tokenFile)")
    }

    /// Parses a token and checks it against `--insecure`.
    static func enrolment(from text: String, insecure: Bool) -> Result<EnrolmentToken, TokenProblem> {
        guard let parsed = EnrolmentToken(text: text) else {
            return .failure(TokenProblem("令牌无效：请完整复制 admin device add 打印的令牌（以 fb2: 开头）"))
        }
        if parsed.fingerprint == nil, !insecure {
            return .failure(TokenProblem(
                parsed.isLegacy
                    ? "这个令牌（fb1:）来自不支持 TLS 的旧版中心节点，不含证书指纹：请管理员升级后用 admin device add 重发；若中心节点以 --insecure 运行且网络可信，可加 --insecure"
                    : "这个令牌表明中心节点以 --insecure（明文，不加密）运行：确认网络可信后加 --insecure 再登记"))
        }
        return .success(parsed)
    }

    /// Reads a token file: its whole content, trimmed.
    ///
    /// A regular file that its group or other users may read or write (any bit of 0o077) is refused: others could
    /// have read the secret, or replaced the token with one of a central node of their own. A pipe or a device
    /// (`--token-file <(pass show fieldbook)`, `/dev/stdin`) is read as it is.
    static func readTokenFile(_ path: String) throws(TokenProblem) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else {
            throw TokenProblem("无法读取令牌文件 \(path)：\(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw TokenProblem("无法读取令牌文件 \(path)：\(String(cString: strerror(errno)))")
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR:
            throw TokenProblem("令牌文件 \(path) 是一个文件夹")
        case S_IFREG where status.st_mode & 0o077 != 0:
            let mode = String(status.st_mode & 0o777, radix: 8)
            throw TokenProblem(
                "令牌文件 \(path) 的权限是 \(mode)，同组或其他用户也能读写它：先运行 chmod 600 \(path) 再登记；"
                    + "如果别人可能已经看过令牌，请管理员停用这台设备（admin device revoke）并重发令牌")
        default:
            break
        }
        let bytes = try readAll(descriptor, path: path)
        guard bytes.count <= maximumTokenBytes else { throw TokenProblem("令牌文件 \(path) 太大，不像是令牌") }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw TokenProblem("令牌文件 \(path) 是空的") }
        return text
    }

    /// Reads one line of standard input, trimmed: on a terminal with a prompt on stderr and without echo.
    static func readTokenLine() throws(TokenProblem) -> String {
        let terminal = isatty(STDIN_FILENO) == 1
        if terminal {
            StandardStreams.write("粘贴 admin device add 打印的令牌后按回车（不显示）：", to: STDERR_FILENO)
            QuietTerminal.begin()
        }
        defer {
            if terminal {
                QuietTerminal.end()
                StandardStreams.write("\n", to: STDERR_FILENO)
            }
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count <= maximumTokenBytes {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw TokenProblem("无法读取标准输入：\(String(cString: strerror(errno)))") }
            if count == 0 || byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        guard line.count <= maximumTokenBytes else { throw TokenProblem("标准输入的第一行太长，不像是令牌") }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw TokenProblem("标准输入里没有令牌（--token - 从标准输入读一行）") }
        return text
    }

    /// Reads a descriptor to its end, at most one byte past ``maximumTokenBytes``.
    private static func readAll(_ descriptor: Int32, path: String) throws(TokenProblem) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= maximumTokenBytes {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count < 0 { throw TokenProblem("无法读取令牌文件 \(path)：\(String(cString: strerror(errno)))") }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    /// The central node's servers for the confirmation line: `A`, or `A、B（依次尝试）`.
    static func servers(_ token: EnrolmentToken) -> String {
        token.addresses.count == 1 ? token.address : token.addresses.joined(separator: "、") + "（同步时依次尝试）"
    }

    /// How the book will reach the central node, for the confirmation line.
    static func transport(_ token: EnrolmentToken) -> String {
        token.fingerprint.map { "，TLS 证书指纹 \(Hex.encode($0.prefix(8)))…" } ?? "，明文连接（--insecure）"
    }
}

/// Why a token read from a file or standard input was refused: one line on stderr, exit status 1.
struct TokenProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Echo off on the terminal while a token is pasted, restored afterwards, also when Ctrl-C, a hang-up or a SIGTERM
/// ends the process meanwhile.
private enum QuietTerminal {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var active = false

    static func begin() {
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        active = true
        for number in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = restoreAndDie
            sigemptyset(&action.sa_mask)
            sigaction(number, &action, nil)
        }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
    }

    static func end() {
        guard active else { return }
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
        active = false
        for number in [SIGINT, SIGTERM, SIGHUP] { signal(number, SIG_DFL) }
    }
}

/// Async-signal-safe: `tcsetattr`, `signal` and `raise` only.
private func restoreAndDie(_ number: Int32) {
    if QuietTerminal.active { tcsetattr(STDIN_FILENO, TCSAFLUSH, &QuietTerminal.saved) }
    signal(number, SIG_DFL)
    raise(number)
}
