import FieldbookTestSupport
import Foundation
import Testing

/// `fieldbook init` with the enrolment token kept off the command line (issue 15): `--token-file PATH`,
/// `--token -` (standard input), and `--token TOKEN` with a warning; refusals write nothing.
@Suite("init: the enrolment token out of argv", .serialized)
struct InitTokenTests: CentralHomeTests {
    let home = TemporaryDirectory()

    /// A fresh token for M001 from the centre.
    func token(_ server: CentralProcess) throws -> String {
        let issued = try admin("device", "add", "M001", "--server", server.address)
        #expect(issued.code == 0, "\(issued.error)")
        return issued.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes `text` to a file of the home with exactly `mode`.
    func tokenFile(_ name: String, _ text: String, mode: Int) throws -> String {
        let path = home.file(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode_t(mode)) == 0)
        return path
    }

    @Test("--token-file (0600 or 0400), --token - and --token TOKEN enrol a book that syncs; only --token warns")
    func accepted() throws {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        let server = try CentralProcess(home: home.path)
        defer { server.stop() }

        for mode in [0o600, 0o400] {
            let name = "file\(String(mode, radix: 8)).sqlite"
            let path = try tokenFile("token\(mode)", try token(server) + "\n", mode: mode)
            let created = try Executable.run(["init", "--principal", "M001", "--book", home.file(name), "--token-file", path])
            #expect(created.code == 0, "\(created.error)")
            #expect(created.error.isEmpty, "no warning for a private token file: \(created.error)")
            #expect(created.output.contains("已登记到中心节点 \(server.address)"), "\(created.output)")
            #expect(created.output.contains("可以删除令牌文件了：rm \(path)"))
            let synced = try book(name, "add 王芳; sync")
            #expect(synced.code == 0 && synced.output.contains("同步完成"), "\(synced.output)\(synced.error)")
        }

        // Standard input: one line, surrounding blanks trimmed, the rest of the input left alone.
        let piped = try Executable.run(
            ["init", "--principal", "M001", "--book", home.file("stdin.sqlite"), "--token", "-"],
            stdin: "  \(try token(server))  \nnot read\n")
        #expect(piped.code == 0, "\(piped.error)")
        #expect(piped.error.isEmpty, "\(piped.error)")
        #expect(try book("stdin.sqlite", "sync").code == 0)

        // On the command line it still works, with a warning on stderr naming the better ways.
        let typed = try Executable.run(
            ["init", "--principal", "M001", "--book", home.file("argv.sqlite"), "--token", try token(server)])
        #expect(typed.code == 0, "\(typed.error)")
        #expect(typed.error.contains("ps") && typed.error.contains("--token-file") && typed.error.contains("--token -"),
            "\(typed.error)")
        #expect(typed.error.split(separator: "\n").count == 1)
        #expect(try book("argv.sqlite", "sync").code == 0)

        // A book started offline is enrolled later the same way.
        #expect(try Executable.run(["init", "--principal", "M001", "--book", home.file("late.sqlite")]).code == 0)
        let late = try Executable.run(
            ["init", "--principal", "M001", "--book", home.file("late.sqlite"), "--token-file",
             try tokenFile("late", try token(server), mode: 0o600)])
        #expect(late.code == 0 && late.output.contains("登记到中心节点"), "\(late.error)")
        #expect(try book("late.sqlite", "sync").code == 0)
    }

    @Test("a token file others may read or write, missing, empty, a folder or not a token: exit 1, nothing written")
    func refusedFiles() throws {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        let server = try CentralProcess(home: home.path)
        defer { server.stop() }
        let good = try token(server)
        let target = home.file("new/folder/book.sqlite")

        var cases: [(file: String, says: String)] = []
        for mode in [0o644, 0o640, 0o604, 0o620, 0o602, 0o666] {
            cases.append((try tokenFile("open\(mode)", good, mode: mode), "chmod 600"))
        }
        cases.append((home.file("missing"), "无法读取令牌文件"))
        cases.append((try tokenFile("empty", " \n\n", mode: 0o600), "是空的"))
        cases.append((home.path, "文件夹"))
        cases.append((try tokenFile("garbage", "fb2:not-a-token", mode: 0o600), "令牌无效"))
        cases.append((try tokenFile("huge", String(repeating: "x", count: 100_000), mode: 0o600), "太大"))
        for (file, says) in cases {
            let refused = try Executable.run(["init", "--principal", "M001", "--book", target, "--token-file", file])
            #expect(refused.code == 1, "\(file): \(refused.code) \(refused.error)")
            #expect(refused.error.contains(says) && refused.error.contains(file), "\(file): \(refused.error)")
            #expect(refused.error.split(separator: "\n").count == 1, "one line: \(refused.error)")
            #expect(refused.output.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: home.file("new")), "nothing written for \(file)")
        }

        // Standard input without a token.
        for input in ["", "\n", "   \nfb2:second-line-is-not-read\n"] {
            let empty = try Executable.run(["init", "--principal", "M001", "--book", target, "--token", "-"], stdin: input)
            #expect(empty.code == 1 && empty.error.contains("标准输入"), "\(empty.error)")
            #expect(!FileManager.default.fileExists(atPath: home.file("new")))
        }
        // An existing book is not touched either: still unenrolled after a refused file.
        #expect(try Executable.run(["init", "--principal", "M001", "--book", home.file("old.sqlite")]).code == 0)
        let open = try tokenFile("open-again", good, mode: 0o644)
        #expect(try Executable.run(
            ["init", "--principal", "M001", "--book", home.file("old.sqlite"), "--token-file", open]).code == 1)
        let sync = try book("old.sqlite", "sync")
        #expect(sync.code != 0, "the book was not enrolled: \(sync.output)")
    }

    @Test("usage errors exit 2 and write nothing: both sources, --server or --insecure alone, a bad --token")
    func usageErrors() throws {
        let target = home.file("new/book.sqlite")
        let file = try tokenFile("token", "fb2:whatever", mode: 0o600)
        let cases: [[String]] = [
            ["--token-file", file, "--token", "-"],
            ["--token-file", file, "--token", "fb2:abc"],
            ["--server", "127.0.0.1:7420"],
            ["--insecure"],
            ["--token", "not-a-token"],
            ["--token", ""],
            ["--token-file", ""],
            ["--token-file"],
        ]
        for extra in cases {
            let result = try Executable.run(["init", "--principal", "M001", "--book", target] + extra)
            #expect(result.code == 2, "\(extra): \(result.code) \(result.error)")
            #expect(result.error.hasPrefix("错误："), "\(extra): \(result.error)")
            #expect(!result.error.contains("Fatal") && result.output.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: home.file("new")), "\(extra): nothing written")
        }
        let help = try Executable.run(["init", "--help"])
        #expect(help.code == 0)
        #expect(help.output.contains("--token-file") && help.output.contains("0600") && help.output.contains("ps"))
    }
}
