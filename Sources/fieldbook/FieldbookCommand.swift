import ArgumentParser
import FieldbookShell
import FieldbookStore
import Foundation

/// `fieldbook`: the customer book of a relationship manager (SHELL.md).
@main
struct FieldbookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fieldbook",
        abstract: "离线优先的客户经理客户簿 (Fieldbook: an offline-first customer book).",
        discussion: """
            Without a subcommand, opens the book: an interactive shell on a terminal, batch mode when standard input
            is a file or pipe, or the commands given with -c. Type `help` inside the book for its commands.
            Environment: FIELDBOOK_HOME (default ~/.fieldbook) holds book.sqlite.
            """,
        subcommands: [ShellCommand.self, InitCommand.self, ServeCommand.self, AdminCommand.self, DemoDataCommand.self],
        defaultSubcommand: ShellCommand.self)
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

/// Writes to the standard streams, line by line, flushing so that pipes see each line as it is written.
enum StandardStreams {
    static let output = ShellOutput(
        line: { text in
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        },
        error: { text in
            FileHandle.standardError.write(Data((text + "\n").utf8))
        })
}
