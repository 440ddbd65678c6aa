import FieldbookModel
import FieldbookShell
import FieldbookStore
import FieldbookTestSupport
import Foundation

/// Runs a transcript: a whole shell session with its exact expected output.
///
/// ```
/// # comment lines are kept as they are
/// $ add 王芳 tier=钻石          ← a command, run on M001's book
/// 已添加客户 王芳 [mkkfrb]      ← its standard output
/// $ set 王芳 tir=钻石
/// ! 未知字段 "tir"，是否要输入 "tier"？   ← standard error
/// ? 1                           ← the exit code, when not 0
/// $ @W001 find 王               ← a command on another principal's book (a second device)
/// $ @exchange                   ← every book receives every other book's ops, as a sync would
/// $ @file 客户.csv               ← writes the `> ` lines that follow into a file in the transcript's folder
/// > name,phone
/// > 王芳,13800138000
/// $ import csv $TMP/客户.csv     ← `$TMP` is that folder, in commands and in output
/// $ @cat 客户.csv                ← prints a file of that folder (a UTF-8 byte-order mark shows as `[BOM]`)
/// $ @demo 120                   ← first line only: M001's book is the demo book (seed 1, 2026-11-23, 120 customers)
/// $ @offline 25                 ← M001's book is enrolled and last reached the central node 25 days ago
/// ```
///
/// Every book has a fixed clock (2026-11-23 09:00 in UTC+8, one millisecond per reading) and seed, so IDs and
/// times are the same on every run. A failing command must leave its book's op count unchanged; the runner checks it.
final class TranscriptRunner {
    private var books: [String: Book] = [:]
    /// The folder `$TMP` stands for; removed when the runner goes.
    private let folder = TemporaryDirectory()
    private let start: UInt64 = 1_795_395_600_000  // 2026-11-23T01:00:00Z = 09:00 (Monday) in Shanghai

    private func book(_ principal: String) throws -> Book {
        if let book = books[principal] { return book }
        let seed = UInt64(books.count + 1)
        let book = try Book.inMemory(
            principal: principal, actor: ActorID(high: 0x1234_5678_9abc_def0 &* seed, low: seed),
            options: .fixed(milliseconds: start + seed * 1_000, seed: seed))
        books[principal] = book
        return book
    }

    /// Runs every command of a transcript and returns the transcript as it should read with the actual output.
    func run(_ text: String) throws -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // `@demo N` makes M001's book the demo book (``DemoBook``, seed 1, made for 2026-11-23 with N customers and a
        // fixed actor), before any other book exists.
        if let first = lines.first(where: { $0.hasPrefix("$ ") }), first.hasPrefix("$ @demo ") {
            let count = Int(first.dropFirst("$ @demo ".count)) ?? 0
            let configuration = DemoBook.Configuration(seed: 1, today: Day(year: 2026, month: 11, day: 23)!, customers: count)
            books["M001"] = try DemoBook.inMemory(configuration, actor: ActorID(high: 0x1234_5678_9abc_def0, low: 1)).0
        }
        // Every device exists from the start, so an early `@exchange` reaches all of them.
        _ = try book("M001")
        for line in lines where line.hasPrefix("$ @") && !Self.directives.contains(where: { line.hasPrefix("$ @" + $0) }) {
            _ = try book(String(line.dropFirst(3).prefix { $0 != " " }))
        }
        var output: [String] = []
        var writing: (name: String, lines: [String])?
        func flush() throws {
            guard let file = writing else { return }
            try (file.lines.joined(separator: "\n") + "\n").write(
                toFile: folder.path + "/" + file.name, atomically: true, encoding: .utf8)
            writing = nil
        }
        for line in lines {
            if writing != nil, line.hasPrefix("> ") || line == ">" {
                output.append(line)
                writing!.lines.append(String(line.dropFirst(2)))
                continue
            }
            try flush()
            guard line.hasPrefix("$ ") else {
                // Expected output is regenerated; comments and blank lines between commands are kept.
                if line.hasPrefix("#") || line.isEmpty { output.append(line) }
                continue
            }
            output.append(line)
            var command = String(line.dropFirst(2))
            var principal = "M001"
            if command.hasPrefix("@file ") {
                writing = (String(command.dropFirst("@file ".count)), [])
                continue
            }
            if command.hasPrefix("@cat ") {
                let data = try Data(contentsOf: URL(fileURLWithPath: folder.path + "/" + command.dropFirst("@cat ".count)))
                var text = String(decoding: data, as: UTF8.self)
                if text.hasPrefix("\u{FEFF}") { text = "[BOM]" + text.dropFirst() }
                if text.hasSuffix("\n") { text.removeLast() }
                output += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                continue
            }
            if command.hasPrefix("@demo ") { continue }
            if command.hasPrefix("@offline ") {
                // M001's book is enrolled (a device ID, no server) and last reached the centre DAYS days ago.
                let days = UInt64(command.dropFirst("@offline ".count)) ?? 0
                let book = try book("M001")
                try book.setMeta(Book.SyncKey.device, "00112233445566778899aabbccddeeff")
                try book.setMeta(Book.SyncKey.lastSync, String(book.options.now() - days * 86_400_000))
                continue
            }
            command = command.replacingOccurrences(of: "$TMP", with: folder.path)
            if command == "@exchange" {
                let all = try books.values.flatMap { try $0.allOps() }
                for book in books.values { try book.applyRemote(all) }
                continue
            }
            if command.hasPrefix("@"), let space = command.firstIndex(of: " ") {
                principal = String(command[command.index(after: command.startIndex)..<space])
                command = String(command[command.index(after: space)...])
            }
            let book = try book(principal)
            let collector = Collector()
            let session = Session(book: book, output: collector.output)
            let before = try book.opCount()
            let code = BatchRunner(session: session).run(script: command, numberLines: false)
            output += collector.lines.map { $0.replacingOccurrences(of: folder.path, with: "$TMP") }
            if code != 0 {
                output.append("? \(code)")
                if try book.opCount() != before { output.append("!! 失败的命令改动了账本") }
            }
        }
        try flush()
        // Drop the blank lines the loop kept after the last command, then end with one newline.
        while output.last == "" { output.removeLast() }
        return output.joined(separator: "\n") + "\n"
    }
}

extension TranscriptRunner {
    /// The `$ @…` lines that are not a second device's command.
    static let directives = ["exchange", "file ", "cat ", "demo ", "offline "]
}

/// Collects a session's output in order, standard error marked with `! `.
final class Collector: @unchecked Sendable {
    // @unchecked because `storage` is only touched under `lock`.
    private let lock = NSLock()
    private var storage: [String] = []

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    var output: ShellOutput {
        ShellOutput(
            line: { [self] text in append(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)) },
            error: { [self] text in append(["! " + text]) })
    }

    private func append(_ lines: [String]) {
        lock.lock()
        storage += lines
        lock.unlock()
    }
}
