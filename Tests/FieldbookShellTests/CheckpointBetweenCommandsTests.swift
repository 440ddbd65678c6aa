import FieldbookModel
import FieldbookShell
import FieldbookStore
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

/// The shell's loop checkpoints the book's WAL between commands, after each command's output (issue 20).
@Suite("The shell checkpoints between commands")
struct CheckpointBetweenCommandsTests {
    @Test("Over many commands the WAL stays near the threshold, every checkpoint falls after a command's output, commits stay FULL")
    func walStaysBounded() throws {
        let directory = TemporaryDirectory()
        let threshold = 40
        var options = BookOptions.fixed(milliseconds: 1_795_395_600_000)
        options.checkpoints = .betweenCommands(threshold: threshold, ceiling: 100_000)
        let book = try Book.create(at: directory.file("book.sqlite"), principal: "M001", options: options)
        // Start from an empty -wal file, so that its size measures what the commands below made of it.
        _ = try book.database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        // Each line printed is stamped with the checkpoints run so far: a checkpoint inside a command would show up
        // between its lines.
        let printed = Stamps()
        let session = Session(book: book, output: ShellOutput(
            line: { _ in printed.append(book.walActivity!.checkpointsBetween) }, error: { _ in printed.append(-1) }))
        let runner = BatchRunner(session: session)
        func command(_ n: Int) -> String {
            switch n % 3 {
            case 0: "add 客户\(n) tier=钻石 note=第\(n)位"
            case 1: "contact 客户\(n - 1) 电话 到期提醒，第\(n)次 outcome=有意向"
            default: "set 客户\(n - 2) note=回访\(n)"
            }
        }
        // One command at a time, as the interactive shell runs them.
        for n in 0..<150 {
            let before = book.walActivity!.checkpointsBetween
            printed.clear()
            #expect(runner.run(script: command(n), numberLines: false) == 0)
            // While the command ran and printed, no checkpoint ran; after it, the WAL is below the threshold again.
            #expect(!printed.all.isEmpty)
            #expect(printed.all.allSatisfy { $0 == before })
            #expect(book.walActivity!.frames < threshold)
            // The search index catches up between commands too: never 64 customers waiting after a command.
            let pending = try book.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM customer_fts_pending") ?? 0 }
            #expect(pending < Book.searchIndexThreshold)
        }
        #expect(try book.find(text: "回访149").map(\.name) == ["客户147"])
        let afterSingles = book.walActivity!.checkpointsBetween
        #expect(afterSingles >= 5)
        // Then one script of many commands, as batch mode and `-c` run them: checkpoints keep falling between them.
        #expect(runner.run(script: (150..<300).map(command).joined(separator: "\n"), numberLines: true) == 0)
        #expect(book.walActivity!.checkpointsBetween >= afterSingles + 5)
        #expect(book.walActivity!.frames < threshold)
        let activity = book.walActivity!
        #expect(activity.checkpointsBetween < 300)
        #expect(activity.checkpointsInCommit == 0)
        // The -wal file is as large as the log ever was: under the threshold plus one command's pages (a command here
        // writes under 30), not 300 commands' worth.
        let (page, synchronous) = try book.database.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096, try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        let walBytes = ((try FileManager.default.attributesOfItem(atPath: book.path + "-wal"))[.size] as? NSNumber)?.intValue ?? 0
        #expect(walBytes <= 32 + (threshold + 40) * (page + 24))
        // Durability unchanged: every command's commit was synced (FULL), checkpointed or not.
        #expect(synchronous == 2)
        #expect(try book.find(limit: 1_000).count == 100)
    }

    @Test("A book opened with SQLite's automatic checkpoint is left to it: the loop runs no checkpoint of its own")
    func automaticLeftAlone() throws {
        let directory = TemporaryDirectory()
        let book = try Book.create(at: directory.file("book.sqlite"), principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000))
        let session = Session(book: book, output: Collector().output)
        #expect(BatchRunner(session: session).run(script: "add 王芳 tier=钻石; find 王", numberLines: false) == 0)
        #expect(book.walActivity == nil)
        #expect(try book.checkpointIfDue() == false)
    }
}

/// What a test's output closure saw, from any thread.
final class Stamps: @unchecked Sendable {
    // @unchecked because `values` is only touched under `lock`.
    private let lock = NSLock()
    private var values: [Int] = []

    var all: [Int] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }

    func append(_ value: Int) {
        lock.lock()
        values.append(value)
        lock.unlock()
    }

    func clear() {
        lock.lock()
        values.removeAll()
        lock.unlock()
    }
}
