import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// A tmux server of its own (`-L`), driving the real executable in a real pseudo-terminal.
final class Tmux {
    /// tmux, if installed (tools/lib.sh installs it).
    static let path: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    static var available: Bool { path != nil }

    let socket = "fieldbook-test-\(UUID().uuidString.prefix(8))"

    /// Runs a tmux command and returns its exit code and standard output.
    ///
    /// Spawned with `posix_spawn` and `waitpid`, not `Process`: Foundation's `Process` on Linux learns that a child
    /// exited when a socket it shares with the child closes, and the server that `new-session` forks inherits that
    /// socket and keeps it open, so `waitUntilExit` would never return. Output goes to a file for the same reason.
    @discardableResult
    func run(_ arguments: [String]) throws -> (code: Int32, output: String) {
        let file = NSTemporaryDirectory() + "\(socket)-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: file) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([Self.path!, "-u", "-L", socket, "-f", "/dev/null"] + arguments).map { strdup($0) } + [nil]
        let environment = Executable.environment(["TERM": "xterm-256color"]).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + environment).forEach { free($0) } }
        var pid = pid_t()
        guard posix_spawn(&pid, Self.path!, &actions, nil, argv, environment) == 0 else {
            throw CocoaError(.executableLoad)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let data = FileManager.default.contents(atPath: file) ?? Data()
        return (code, String(decoding: data, as: UTF8.self))
    }

    /// Starts a session running `command` in a 120×40 window.
    func start(_ name: String, _ command: [String], environment: [String: String]) throws {
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let assignments = environment.map { "\($0.key)='\($0.value)'" }.sorted().joined(separator: " ")
        try run(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", "env \(assignments) \(quoted)"])
    }

    /// Types text literally.
    func type(_ name: String, _ text: String) throws { try run(["send-keys", "-t", name, "-l", text]) }

    /// Presses keys by tmux name (`Tab`, `Enter`, `Up`, `C-c`, `C-d`).
    func press(_ name: String, _ keys: String...) throws { try run(["send-keys", "-t", name] + keys) }

    /// The visible screen.
    func screen(_ name: String) throws -> String { try run(["capture-pane", "-p", "-J", "-t", name]).output }

    /// Whether the session is still running.
    func alive(_ name: String) throws -> Bool { try run(["has-session", "-t", name]).code == 0 }

    /// Polls the screen until `condition` holds, for up to `seconds`.
    @discardableResult
    func wait(
        _ name: String, seconds: Double = 15, _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
        until condition: (String) -> Bool
    ) throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try screen(name)
            if condition(last) { return last }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what); the screen was:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    /// The last non-empty line of the screen: the line being edited.
    static func lastLine(_ screen: String) -> String {
        screen.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty } ?? ""
    }

    deinit { _ = try? run(["kill-server"]) }
}

@Suite("The interactive shell in a real terminal (tmux)")
struct InteractiveTests {
    @Test(
        "tab completes a Chinese name, fields and values; Up recalls history, across sessions; Ctrl-C cancels; Ctrl-D quits",
        .enabled(if: Tmux.available, "tmux is not installed (tools/lib.sh installs it): the interactive shell was not tested"))
    func interactive() throws {
        let directory = TemporaryDirectory()
        let book = directory.file("book.sqlite")
        try Executable.run(["init", "--principal", "M001", "--book", book])
        let setup = try Executable.run(["--book", book, "-c", "add 欧阳娜娜 tier=金葵花; add 王芳 phone=13800138000"])
        #expect(setup.code == 0, "\(setup.error)")
        let tmux = Tmux()
        let environment = ["LANG": "C.UTF-8", "TZ": "Asia/Shanghai", "NO_COLOR": "1", "HOME": directory.path]
        try tmux.start("one", [Executable.path, "--book", book], environment: environment)
        try tmux.wait("one", "the prompt with 2 unsynced ops") { $0.contains("M001 (2 未同步)>") }

        // 欧阳 + TAB → 欧阳娜娜 (the only customer whose name begins so).
        try tmux.type("one", "show 欧阳")
        try tmux.press("one", "Tab")
        try tmux.wait("one", "the completed name") { Tmux.lastLine($0).hasSuffix("show 欧阳娜娜") }
        try tmux.press("one", "Enter")
        try tmux.wait("one", "the card") { $0.contains("欧阳娜娜  [") && $0.contains("金葵花") }

        // A field name, then a Chinese value.
        try tmux.type("one", "set 欧阳娜娜 ti")
        try tmux.press("one", "Tab")
        try tmux.wait("one", "tier=") { Tmux.lastLine($0).hasSuffix("set 欧阳娜娜 tier=") }
        try tmux.type("one", "钻")
        try tmux.press("one", "Tab")
        try tmux.wait("one", "tier=钻石") { Tmux.lastLine($0).hasSuffix("set 欧阳娜娜 tier=钻石") }
        try tmux.press("one", "Enter")
        try tmux.wait("one", "the update") { $0.contains("已更新 欧阳娜娜") && $0.contains("M001 (3 未同步)>") }

        // Up recalls the previous lines.
        try tmux.type("one", "find 王")
        try tmux.press("one", "Enter")
        try tmux.wait("one", "the search") { $0.contains("共 1 位客户") }
        try tmux.press("one", "Up")
        try tmux.wait("one", "the last line recalled") { Tmux.lastLine($0).hasSuffix("> find 王") }
        try tmux.press("one", "Up")
        try tmux.wait("one", "the line before") { Tmux.lastLine($0).hasSuffix("> set 欧阳娜娜 tier=钻石") }
        try tmux.press("one", "Up")
        try tmux.wait("one", "the first line") { Tmux.lastLine($0).hasSuffix("> show 欧阳娜娜") }
        try tmux.press("one", "Enter")
        try tmux.wait("one", "the card again, with the new tier") { screen in
            screen.components(separatedBy: "欧阳娜娜  [").count == 3 && screen.contains("钻石")
        }

        // Ctrl-C cancels the line being typed: nothing is added and the shell goes on.
        try tmux.type("one", "add 不要的客户")
        try tmux.press("one", "C-c")
        try tmux.wait("one", "a fresh prompt") { Tmux.lastLine($0) == "M001 (3 未同步)>" }
        #expect(try tmux.alive("one"))
        try tmux.type("one", "status")
        try tmux.press("one", "Enter")
        try tmux.wait("one", "status after Ctrl-C") { $0.contains("未同步    3") }

        // Ctrl-D on an empty line quits.
        try tmux.press("one", "C-d")
        let deadline = Date().addingTimeInterval(10)
        while try tmux.alive("one"), Date() < deadline { usleep(50_000) }
        #expect(try !tmux.alive("one"), "Ctrl-D quits")
        let opened = try Book.open(at: book)
        #expect(try opened.customerCount() == 2, "the cancelled add wrote nothing")

        // The history file is beside the book, owner-only, and a new session recalls it.
        let history = directory.file("book.history")
        let attributes = try FileManager.default.attributesOfItem(atPath: history)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try tmux.start("two", [Executable.path, "--book", book], environment: environment)
        try tmux.wait("two", "the second session's prompt") { $0.contains("M001 (3 未同步)>") }
        try tmux.press("two", "Up")
        try tmux.wait("two", "history from the first session") { Tmux.lastLine($0).hasSuffix("> status") }
        try tmux.press("two", "Up")
        // The file holds the line as saved (issue 15): the customer's short ID, never the name typed.
        let short = try opened.resolveCustomer("欧阳娜娜").short
        try tmux.wait("two", "and the line before it, redacted") { Tmux.lastLine($0).hasSuffix("> show \(short)") }
        let saved = RawFileScan.unvis([UInt8](try Data(contentsOf: URL(fileURLWithPath: history))))
        #expect(!RawFileScan.contains(saved, Array("欧阳".utf8)), "\(String(decoding: saved, as: UTF8.self))")
        #expect(RawFileScan.contains(saved, Array("set \(short) tier=…".utf8)), "\(String(decoding: saved, as: UTF8.self))")
        try tmux.press("two", "C-u")
        try tmux.type("two", "quit")
        try tmux.press("two", "Enter")
        let deadline2 = Date().addingTimeInterval(10)
        while try tmux.alive("two"), Date() < deadline2 { usleep(50_000) }
        #expect(try !tmux.alive("two"), "quit quits")
    }
}
