import ArgumentParser
import FieldbookShell
import FieldbookStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `fieldbook`: the customer book of a relationship manager (SHELL.md).
@main
struct FieldbookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldbook",
        abstract: "Fieldbook：离线优先的客户经理客户簿。",
        discussion: """
            不带子命令时打开账本：在终端上是交互式命令行，标准输入是文件或管道时逐行执行其中的命令（批处理），\
            或执行 -c 给出的命令。在账本里输入 help 查看账本的命令。
            环境变量 FIELDBOOK_HOME（默认 ~/.fieldbook）是 book.sqlite 所在的目录。
            """,
        subcommands: [ShellCommand.self, InitCommand.self, ServeCommand.self, AdminCommand.self, DemoDataCommand.self],
        defaultSubcommand: ShellCommand.self)

    /// ArgumentParser's `main`, with four differences: crashes print one line (``CrashSignals``), everything goes
    /// through ``StandardStreams`` (a closed pipe ends the process quietly), a usage error (an unknown option, a
    /// bad value, a failed validation) exits 2 as SHELL.md says, not EX_USAGE (64), and ArgumentParser's own
    /// words (`Error:`, `Usage:`, `Missing expected argument`, the help screens' headings) are Chinese
    /// (``ChineseUsage``).
    static func main() async {
        StandardStreams.reserveClosedDescriptors()
        CrashSignals.install()
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            // ArgumentParser's words in Chinese (``ChineseUsage``); a help screen wrapped by display width.
            let english = fullMessage(for: error, columns: ChineseUsage.unwrapped)
            if code == .success {
                // A help screen; a completion script or `--experimental-dump-help`'s JSON is printed as it is.
                let message = ChineseUsage.isHelpScreen(english)
                    ? ChineseUsage.translate(english, width: ChineseUsage.screenWidth()) : english
                if !message.isEmpty { StandardStreams.out(message) }  // --help
                Glibc.exit(0)
            }
            let message = ChineseUsage.translate(english)
            if !message.isEmpty { StandardStreams.err(message) }
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Where books live unless `--book` says otherwise.
enum Paths {
    static var home: String {
        if let home = ProcessInfo.processInfo.environment["FIELDBOOK_HOME"], !home.isEmpty { return home }
        return (NSHomeDirectory() as NSString).appendingPathComponent(".fieldbook")
    }

    static var defaultBook: String { (home as NSString).appendingPathComponent("book.sqlite") }

    static var defaultCentral: String { (home as NSString).appendingPathComponent("central.sqlite") }
}

/// Book options from the environment. `FIELDBOOK_NOW` (Unix milliseconds or ISO 8601) and `FIELDBOOK_SEED` fix the
/// clock and IDs for transcript tests and demos; nothing else should set them.
enum Environment {
    static func bookOptions() throws -> BookOptions {
        let environment = ProcessInfo.processInfo.environment
        var options = BookOptions.system
        if let now = environment["FIELDBOOK_NOW"] {
            let milliseconds: UInt64
            if let value = UInt64(now) {
                milliseconds = value
            } else if let date = ISO8601DateFormatter().date(from: now) {
                milliseconds = UInt64(date.timeIntervalSince1970 * 1000)
            } else {
                throw ValidationError("FIELDBOOK_NOW 应为毫秒数或 ISO 8601 时间")
            }
            options = BookOptions.fixed(milliseconds: milliseconds, utcOffsetSeconds: options.utcOffsetSeconds)
            options.seed = nil
        }
        if let seed = environment["FIELDBOOK_SEED"] {
            guard let value = UInt64(seed) else { throw ValidationError("FIELDBOOK_SEED 应为整数") }
            options.seed = value
        }
        return options
    }
}
