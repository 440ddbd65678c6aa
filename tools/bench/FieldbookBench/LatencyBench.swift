import BenchSupport
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB

/// Workloads 3 and 6: local command latency through the `Book` API on a 5,000-customer book (`set`, `contact`,
/// `find` with a 1- and a 3-character Chinese query, a segment of three filters and an order), and the whole-process startup of `fieldbook -c status` on it.
///
/// The book is opened as the shell opens it: its WAL is checkpointed between commands (``Book/checkpointIfDue()``
/// after each sample, untimed, and reported as a figure of its own), not inside a command's commit.
/// `--checkpoint automatic` measures SQLite's automatic checkpoint instead, as before issue 20; `--fresh-wal yes`
/// starts from an empty WAL file, as a new shell session does. Beside `set` and
/// `contact`, a raw-SQLite commit of one op row with the same durability, interleaved with them, shows the disk's
/// floor for one durable commit in the same run.
enum LatencyBench {
    /// Makes (or reuses) the book: `customers` customers with about ten ops of history each, received from another
    /// device as a sync would bring them.
    static func prepare(at path: String, customers: Int, checkpoints: CheckpointPolicy = .automatic) throws -> Book {
        var options = BookOptions.system
        options.checkpoints = checkpoints
        if FileManager.default.fileExists(atPath: path) { return try Book.open(at: path, options: options) }
        let book = try Book.create(at: path, principal: "M001", options: options)
        let (_, ops) = ApplyBench.generate(customers * 10, seed: 5_000)
        for start in stride(from: 0, to: ops.count, by: ApplyBench.batch) {
            try book.applyRemote(Array(ops[start..<min(ops.count, start + ApplyBench.batch)]))
        }
        return book
    }

    static func run(_ options: Options) throws {
        let customers = options.int("--customers", 5_000)
        let samples = options.int("--samples", 300)
        guard let path = options.string("--book") else { throw BenchError("latency needs --book PATH") }
        let between = options.string("--checkpoint") != "automatic"
        let book = try prepare(at: path, customers: customers, checkpoints: between ? .betweenCommands() : .automatic)
        // What the shell does after the command that brought the book (a sync).
        try book.checkpointIfDue()
        var random = SplitMix64(seed: 9)
        let ids = try book.find(limit: customers).map(\.id)
        precondition(ids.count == customers, "the book holds \(ids.count) customers, not \(customers)")
        // `--fresh-wal`: start from an empty WAL file, as a shell does whose last close deleted it: its first thousand
        // pages or so of commits make the file longer, and each such commit also syncs the file's new size.
        if options.string("--fresh-wal") == "yes" {
            _ = try book.database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        }
        let raw = try RawCommit(
            path: ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("raw-commit.sqlite"),
            checkpointBetween: between)
        var rawTimes: [Double] = []
        var checkpointTimes: [Double] = []
        var catchUpTimes: [Double] = []
        /// WAL pages each sample's commit wrote (between-commands policy only).
        var pages: [Double] = []
        /// The WAL's high-water mark in frames: a commit past it makes the file longer.
        var highWater = try walFileFrames(book)
        /// Each sample's time by what its commit did to the WAL (between-commands policy only): started it over
        /// after a checkpoint, made the file longer, or neither.
        var byKind: [String: [Double]] = [:]

        /// Times `body` on random customers; after each sample, untimed, what the shell does between commands (the
        /// search index's catch-up, the checkpoint; each timed apart), and one raw commit (timed apart) when
        /// `interleaveRaw`.
        func sample(interleaveRaw: Bool = false, _ body: (EntityID, Int) throws -> Void) throws -> [Double] {
            try (0..<samples).map { index in
                let id = ids[Int(random.next() % UInt64(ids.count))]
                let framesBefore = book.walActivity?.frames ?? 0
                let time = try Measure.milliseconds { try body(id, index) }
                if let after = book.walActivity?.frames, after > framesBefore {
                    pages.append(Double(after - framesBefore))
                    let kind = framesBefore == 0 ? "restart" : after > highWater ? "growth" : "steady"
                    byKind[kind, default: []].append(time)
                    highWater = max(highWater, after)
                }
                var ran = false
                let catchUp = try Measure.milliseconds { ran = try book.catchUpSearchIndexIfDue() }
                if ran { catchUpTimes.append(catchUp) }
                let checkpoint = try Measure.milliseconds { ran = try book.checkpointIfDue() }
                if ran { checkpointTimes.append(checkpoint) }
                if interleaveRaw {
                    rawTimes.append(try Measure.milliseconds { try raw.commit(index) })
                    try raw.checkpointIfDue()
                }
                return time
            }
        }
        func emit(_ id: String, _ label: String, _ times: [Double]) {
            // Where the tail is: a slow first sample (statements compiling) reads differently from stalls spread out.
            let slowest = times.indices.sorted { times[$0] > times[$1] }.prefix(5)
                .map { "#\($0) \(String(format: "%.1f", times[$0]))" }.joined(separator: ", ")
            FileHandle.standardError.write(Data("  (\(id) slowest samples, ms: \(slowest))\n".utf8))
            Measure.emit(id + ".p50", label + ", p50", unit: "ms", values: [Measure.quantile(times, 0.5)],
                         extra: ["samples": times.count, "min": times.min()!, "max": times.max()!])
            Measure.emit(id + ".p99", label + ", p99", unit: "ms", values: [Measure.quantile(times, 0.99)],
                         extra: ["samples": times.count, "min": times.min()!, "max": times.max()!])
        }
        emit("latency.set", "`set` note on a \(customers)-customer book", try sample(interleaveRaw: true) { id, index in
            try setNote(book, id, index)
        })
        func pagesWritten(_ command: String) {
            guard !pages.isEmpty else { return }
            let kinds = byKind.keys.sorted().map { kind -> String in
                let times = byKind[kind]!
                return "\(kind) n=\(times.count) p50 \(String(format: "%.2f", Measure.quantile(times, 0.5))) max \(String(format: "%.1f", times.max()!))"
            }.joined(separator: "; ")
            FileHandle.standardError.write(Data(
                "  (\(command): \(Int(Measure.quantile(pages, 0.5))) WAL pages per commit, median; by commit: \(kinds))\n".utf8))
            pages = []
            byKind = [:]
        }
        pagesWritten("set")
        emit("latency.contact", "`contact` on a \(customers)-customer book", try sample(interleaveRaw: true) { id, index in
            try addContact(book, id, index)
        })
        pagesWritten("contact")
        emit("latency.sqlite", "raw SQLite: commit one op row (WAL, `synchronous=FULL`, same disk), between those", rawTimes)
        let policy = between ? "between commands, from 1,000 pages" : "SQLite's automatic checkpoint, inside commits"
        FileHandle.standardError.write(Data("  (checkpoints: \(policy); \(checkpointTimes.count) between the samples above)\n".utf8))
        if !checkpointTimes.isEmpty {
            Measure.emit("latency.checkpoint", "checkpoint between commands (PASSIVE, ≥ 1,000 pages; untimed in the rows above)",
                         unit: "ms", values: checkpointTimes)
        }
        if !catchUpTimes.isEmpty {
            Measure.emit("latency.catchup",
                         "search index caught up between commands (\(Book.searchIndexThreshold) customers; untimed in the rows above)",
                         unit: "ms", values: catchUpTimes)
        }
        var found = 0
        emit("latency.find1", "`find 王` (1 character)", try sample { _, _ in found = try book.find(text: "王").count })
        let one = found
        emit("latency.find3", "`find 王秀英` (3 characters)", try sample { _, _ in found = try book.find(text: "王秀英").count })
        FileHandle.standardError.write(Data("  (王 matches \(one) customers, 王秀英 \(found))\n".utf8))
        // Issue 18: a segment with three filters (an ordered choice, money, a derived day count) and an order.
        let today = book.today
        let segment = CustomerQuery(
            filters: try ["tier>=钻石", "aum>=100万", "last_contact>30d"].map { try CustomerFilter.parse($0, today: today) },
            sort: try CustomerSort.parse("-aum"))
        emit("latency.segment", "`find tier>=钻石 aum>=100万 last_contact>30d --sort -aum`", try sample { _, _ in
            found = try book.find(segment).total
        })
        FileHandle.standardError.write(Data("  (the segment matches \(found) customers)\n".utf8))
    }
}

extension LatencyBench {
    /// How many frames the book's WAL file has room for: its length, not what it holds.
    static func walFileFrames(_ book: Book) throws -> Int {
        let size = ((try? FileManager.default.attributesOfItem(atPath: book.path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
        let page = try book.database.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4_096 }
        return max(0, size - 32) / (page + 24)
    }

    /// What `set CUSTOMER note=…` does: one write transaction with one op.
    static func setNote(_ book: Book, _ id: EntityID, _ index: Int) throws {
        try book.write { tx in _ = try tx.set(id, Schema.F.note, .text("今天电话回访，第\(index)次")) }
    }

    /// What `contact CUSTOMER …` does: one write transaction creating a contact.
    static func addContact(_ book: Book, _ id: EntityID, _ index: Int) throws {
        try book.write { tx in
            _ = try tx.create(.contact, scope: .customer(id), fields: [
                FieldAssignment(Schema.F.channel, ContactChannel.call.value), FieldAssignment(Schema.F.text, .text("到期提醒 \(index)")),
                FieldAssignment(Schema.F.date, .date(Day(number: 20_454))),
            ])
        }
    }
}

/// Workload 6: the whole process of `fieldbook -c status`, started `runs` times.
enum StartupBench {
    static func run(_ options: Options) throws {
        guard let binary = options.string("--fieldbook"), let book = options.string("--book") else {
            throw BenchError("startup needs --fieldbook PATH --book PATH")
        }
        _ = try LatencyBench.prepare(at: book, customers: options.int("--customers", 5_000))
        var times: [Double] = []
        for run in 0..<(options.int("--runs", 20) + 1) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--book", book, "-c", "status"]
            process.standardOutput = FileHandle.nullDevice
            let time = try Measure.milliseconds {
                try process.run()
                process.waitUntilExit()
            }
            guard process.terminationStatus == 0 else { throw BenchError("fieldbook -c status exited \(process.terminationStatus)") }
            if run > 0 { times.append(time) }  // the first run warms the page cache
        }
        Measure.emit("startup.status", "`fieldbook -c status`, whole process", unit: "ms", values: times)
    }
}

/// A bench failure, printed and exit 1.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
