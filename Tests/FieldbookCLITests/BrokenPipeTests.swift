import FieldbookTestSupport
import Foundation
import Testing

/// Output to a reader that went away (issue 15): `fieldbook -c 'sync; show 王芳' | head -1` ends like any Unix tool,
/// killed by SIGPIPE (shell status 141) with nothing on stderr, after a real sync has made SwiftNIO ignore SIGPIPE.
/// And a crash prints one line, not the Swift runtime's backtrace.
@Suite("Broken pipes and crashes are quiet", .serialized)
struct BrokenPipeTests: CentralHomeTests {
    let home = TemporaryDirectory()

    /// How a run ended when its standard output was closed after the first line.
    struct Ending {
        var firstLine: String
        var signalled: Bool
        var status: Int32
        var error: String
    }

    /// Runs `fieldbook ARGUMENTS` with standard output on a pipe that is read up to the end of the first line and
    /// then closed, as `| head -1` does; waits (at most 120 s) for the process to end.
    static func runClosingAfterFirstLine(_ arguments: [String], environment: [String: String] = [:]) throws -> Ending {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Executable.path)
        process.arguments = arguments
        process.environment = Executable.environment(environment)
        let output = Pipe()
        let error = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let reader = output.fileHandleForReading.fileDescriptor
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(reader, &byte, 1) == 1, byte != UInt8(ascii: "\n") { line.append(byte) }
        try output.fileHandleForReading.close()
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let errorText = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Ending(
            firstLine: String(decoding: line, as: UTF8.self), signalled: process.terminationReason == .uncaughtSignal,
            status: process.terminationStatus, error: String(decoding: errorText, as: UTF8.self))
    }

    /// A synced book with something in every listing: customers, a family member, contacts, tasks, a complaint,
    /// products and prices, a plan, a journal note, a conflict with a second device of the same manager, history.
    func makeSyncedBook(_ server: CentralProcess) throws {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        try enrol("M001", "a.sqlite", server: server)
        try enrol("M001", "b.sqlite", server: server)
        var script = [
            "add 王芳 phone=13800138000 tier=钻石 birthday=1975-03-08 risk=C4 risk_date=today note=养老规划",
            "family 王芳 李小雨 relation=女儿 birthday=2004-09-01",
            "contact 王芳 call 问候，聊了到期资金 outcome=有意向 next=+1d",
            "task 王芳 回访 due=today",
            "complaint 王芳 理财收益与介绍不符",
            "product JX90 稳健90天持有期理财 risk=R2",
            "price JX90 1.02",
            "buy 王芳 JX90 amount=50万",
            "plan 王芳 note=到期资金",
            "journal 上午电话问候",
        ]
        for index in 1...40 {
            script.append("add 客户\(index) phone=139\(String(format: "%08d", index)) tier=金葵花 note=备注\(index)")
            script.append("task 客户\(index) 回访第\(index)位 due=+\(index % 5)d")
        }
        for round in 1...20 { script.append("set 王芳 note=第\(round)次修改") }
        script.append("sync")
        let made = try book("a.sqlite", script.joined(separator: "; "))
        #expect(made.code == 0, "\(made.error)")
        // Both devices change the phone while apart: a conflict on a.
        #expect(try book("b.sqlite", "sync; set 王芳 phone=13900139000; sync").code == 0)
        #expect(try book("a.sqlite", "set 王芳 phone=13700137000; sync").code == 0)
        let conflicts = try book("a.sqlite", "conflicts")
        #expect(conflicts.output.contains("13900139000"), "\(conflicts.output)")
    }

    /// Every listing command of `help`, in plain and JSON form where it has one.
    static let listings = [
        "find", "find 客户 --json", "show 王芳", "show 王芳 --json", "today --all", "today --json", "journal",
        "plan", "conflicts", "conflicts --json", "history 王芳", "tasks", "tasks --all", "complaints", "products",
        "status", "status --json", "settings", "check", "help", "help find",
    ]

    @Test("| head -1 after a real sync, on every listing command: killed by SIGPIPE, stderr empty")
    func everyListing() throws {
        let server = try CentralProcess(home: home.path)
        defer { server.stop() }
        try makeSyncedBook(server)
        for listing in Self.listings {
            let once = try book("a.sqlite", listing)
            #expect(once.code == 0, "\(listing): \(once.error)")
            let size = once.output.utf8.count
            try #require(size > 0, "\(listing) prints something")
            // More than the pipe can hold (64 KiB on Linux) several times over, so a write really fails; within the
            // kernel's limit on one argument (128 KiB).
            let repeats = min(100_000 / (listing.utf8.count + 2), 256 * 1024 / size + 1)
            try #require(repeats * size > 128 * 1024, "\(listing): enough output")
            let script = "sync; " + Array(repeating: listing, count: repeats).joined(separator: "; ")
            let ending = try Self.runClosingAfterFirstLine(
                ["--book", home.file("a.sqlite"), "-c", script], environment: ["FIELDBOOK_HOME": home.path])
            #expect(ending.firstLine.hasPrefix("同步完成"), "\(listing): the sync ran first: \(ending.firstLine)")
            #expect(ending.signalled && ending.status == SIGPIPE,
                "\(listing): ended by \(ending.signalled ? "signal" : "exit") \(ending.status)")
            #expect(ending.error.isEmpty, "\(listing): \(ending.error.prefix(500))")
        }
    }

    @Test("the issue's own line through a real shell: status 141, no output on stderr")
    func shellPipeline() throws {
        let server = try CentralProcess(home: home.path)
        defer { server.stop() }
        try makeSyncedBook(server)
        let script = "sync; " + Array(repeating: "show 王芳", count: 600).joined(separator: "; ")
        let statusFile = home.file("status")
        let errorFile = home.file("stderr")
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = [
            "-c", #"{ "$0" --book "$1" -c "$2" 2>"$3"; echo $? >"$4"; } | head -1 >/dev/null"#,
            Executable.path, home.file("a.sqlite"), script, errorFile, statusFile,
        ]
        shell.environment = Executable.environment(["FIELDBOOK_HOME": home.path])
        try shell.run()
        shell.waitUntilExit()
        let status = try String(contentsOfFile: statusFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status == "141")
        #expect(try String(contentsOfFile: errorFile, encoding: .utf8) == "")
    }

    @Test("standard output that cannot be written for another reason (a full device, closed): one line, exit 1")
    func unwritableOutput() throws {
        try Executable.run(["init", "--principal", "M001", "--book", home.file("a.sqlite")])
        #expect(try book("a.sqlite", "add 王芳").code == 0)
        var redirections = [">&-"]
        if FileManager.default.fileExists(atPath: "/dev/full") { redirections.append(">/dev/full") }
        for redirection in redirections {
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", #""$0" --book "$1" -c 'find; find' "# + redirection, Executable.path, home.file("a.sqlite")]
            shell.environment = Executable.environment()
            let error = Pipe()
            shell.standardError = error
            try shell.run()
            let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            shell.waitUntilExit()
            #expect(shell.terminationStatus == 1, "\(redirection)")
            #expect(text.hasPrefix("fieldbook：无法写入标准输出") && text.split(separator: "\n").count == 1, "\(redirection): \(text)")
        }
        // Nothing the process opened took the closed descriptor's place: the book is intact.
        #expect(try book("a.sqlite", "check").code == 0)
    }

    @Test("a crash prints one line, no backtrace and no source path; the process still dies of its signal")
    func crashes() throws {
        for (number, name) in [(SIGSEGV, "SIGSEGV"), (SIGILL, "SIGILL"), (SIGBUS, "SIGBUS"), (SIGABRT, "SIGABRT")] {
            // A central node is a process that stays up; its handlers are in place once it prints its port.
            // `ulimit -c 0` and a scratch folder: no core file anywhere.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = [
                "-c", #"ulimit -c 0; cd "$1" && exec "$0" serve --host 127.0.0.1 --port 0"#, Executable.path, home.path,
            ]
            process.environment = Executable.environment(["FIELDBOOK_HOME": home.path, "FIELDBOOK_LOG": "error"])
            let output = Pipe()
            let error = Pipe()
            process.standardOutput = output
            process.standardError = error
            try process.run()
            let text = Executable.firstLine(of: output)
            #expect(text.hasPrefix("listening on"), "\(text)")
            kill(process.processIdentifier, number)
            let said = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == number, "\(name)")
            #expect(said == "fieldbook：内部错误，进程已终止（信号 \(number)，\(name)）\n", "\(name): \(said.prefix(800))")
        }
    }
}
