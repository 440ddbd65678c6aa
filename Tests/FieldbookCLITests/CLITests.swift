import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

@Suite("The fieldbook executable")
struct CLITests {
    @Test("init, then add / find / status --json in one -c, as the issue's done-when says")
    func doneWhen() throws {
        let directory = TemporaryDirectory()
        let book = directory.file("b.sqlite")
        let created = try Executable.run(["init", "--principal", "M001", "--book", book])
        #expect(created.code == 0, "\(created.error)")
        let result = try Executable.run(["--book", book, "-c", "add 王芳 phone=13800138000 tier=钻石; find 王; status --json"])
        #expect(result.code == 0, "\(result.error)")
        #expect(result.error.isEmpty)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("已添加客户 王芳 ["))
        #expect(lines.contains { $0.contains("王芳") && $0.contains("钻石") && $0.contains("138****8000") })
        let json = try #require(result.output.range(of: "{")).lowerBound
        let status = try JSONSerialization.jsonObject(with: Data(result.output[json...].utf8)) as? [String: Any]
        #expect(status?["principal"] as? String == "M001")
        #expect(status?["customers"] as? Int == 1)
        #expect(status?["unsynced_ops"] as? Int == 1)
        #expect((status?["state_hash"] as? String)?.count == 64)
        #expect(status?["device"] is String)

        // The same hash as the Book API computes.
        let opened = try Book.open(at: book)
        #expect(status?["state_hash"] as? String == StateDigest.hex(try opened.stateHash()))
        // A second init on the same file is refused and changes nothing.
        let again = try Executable.run(["init", "--principal", "M002", "--book", book])
        #expect(again.code == 1)
        #expect(try Book.open(at: book).principal == "M001")
    }

    @Test("bad input: one line on stderr, exit code 1 or 2, nothing written")
    func badInput() throws {
        let directory = TemporaryDirectory()
        let book = directory.file("b.sqlite")
        try Executable.run(["init", "--principal", "M001", "--book", book])
        try Executable.run(["--book", book, "-c", "add 王芳; add 王芳; add 李明"])
        let cases: [(String, Int32, String)] = [
            ("set 李明 tir=钻石", 1, "未知字段 \"tir\"，是否要输入 \"tier\"？"),
            ("set 李明 birthday=2026-02-30", 1, "日期 2026-02-30 不存在"),
            ("set 李明 aum=12万万", 1, "金额单位重复了"),
            ("set 王芳 tier=钻石", 1, "有 2 个客户符合"),
            ("set 赵敏 tier=钻石", 1, "找不到这个客户"),
            ("sett 李明 tier=钻石", 2, "是否要输入 \"set\""),
            ("set 李明", 2, "用法：set"),
        ]
        for (command, code, message) in cases {
            let result = try Executable.run(["--book", book, "-c", command])
            #expect(result.code == code, "\(command)")
            #expect(result.error.hasPrefix(message) || result.error.contains(message), "\(command): \(result.error)")
            #expect(result.error.split(separator: "\n").count == 1, "one line: \(result.error)")
            #expect(!result.error.contains("李明") && !result.error.contains("王芳"), "no customer data in errors")
            #expect(result.output.isEmpty)
        }
        #expect(try Book.open(at: book).opCount() == 3)
    }

    @Test("batch mode stops at the first failure with its line number; --keep-going goes on")
    func batchMode() throws {
        let directory = TemporaryDirectory()
        let book = directory.file("b.sqlite")
        try Executable.run(["init", "--principal", "M001", "--book", book])
        let script = "# 早上的录入\nadd 王芳 tier=钻石\nset 王芳 tier=黄金\nadd 李明\n"
        let stopped = try Executable.run(["--book", book], stdin: script)
        #expect(stopped.code == 1)
        #expect(stopped.error == "第 3 行：层级只能是：普通 金葵花 钻石 私人银行\n")
        #expect(try Book.open(at: book).customerCount() == 1)
        let going = try Executable.run(["--book", book, "--keep-going"], stdin: script.replacingOccurrences(of: "add 王芳 tier=钻石\n", with: ""))
        #expect(going.code == 1)
        #expect(try Book.open(at: book).customerCount() == 2)
        let missing = try Executable.run(["--book", directory.file("none.sqlite"), "-c", "status"])
        #expect(missing.code == 1)
        #expect(missing.error.contains("没有找到账本"))
    }

    @Test("SIGKILL at random moments: every add that printed success survives, projections match the log")
    func crashConsistency() throws {
        let directory = TemporaryDirectory()
        let book = directory.file("b.sqlite")
        try Executable.run(["init", "--principal", "M001", "--book", book])
        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        var confirmed: [String: String] = [:]  // short ID → name
        let iterations = 24
        for iteration in 0..<iterations {
            let script = (0..<400).map { "add 客户\(iteration)号\($0) phone=138\(String(format: "%08d", iteration * 1000 + $0)) note=第\(iteration)轮" }
                .joined(separator: "\n") + "\n"
            let (process, input, output, _) = try Executable.start(["--book", book])
            input.fileHandleForWriting.write(Data(script.utf8))
            try input.fileHandleForWriting.close()
            // Let it write for a while, then kill it without warning. (It waits for the first line first: on a loaded
            // machine starting the process can take longer than the longest delay, and every kill would miss.)
            let first = output.fileHandleForReading.availableData
            usleep(UInt32(20_000 + random.next() % 400_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let printed = String(decoding: first + output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // Only whole lines count: a line cut by the kill was not a confirmation.
            for line in printed.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                guard line.hasPrefix("已添加客户 "), let open = line.lastIndex(of: "["), let close = line.lastIndex(of: "]")
                else { continue }
                let name = String(line.dropFirst("已添加客户 ".count).prefix { $0 != " " })
                confirmed[String(line[line.index(after: open)..<close])] = name
            }

            let reopened = try Book.open(at: book)
            for (short, name) in confirmed {
                let id = try reopened.resolveCustomer(short)
                #expect(try reopened.snapshot(of: id)?.text(Schema.F.name) == name, "iteration \(iteration)")
            }
            let ops = try reopened.opCount()
            #expect(ops == (try reopened.customerCount()), "each add is one op, none applied twice")
            #expect(try reopened.versionVector()[reopened.actor] ?? 0 == UInt64(ops), "own counters dense")
            #expect(try reopened.verifyProjections() == [], "iteration \(iteration)")
        }
        #expect(!confirmed.isEmpty)
        // The killed processes made real progress between them.
        #expect(try Book.open(at: book).customerCount() >= confirmed.count)
    }
}
