import BenchSupport
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB

/// Allocations (issue 8: "allocations and peak memory reported"): what each unit of work allocates, `malloc` calls
/// and bytes, counted by malloc-interposer in a process of its own (tools/bench/run preloads the interposer for this
/// workload only, so the timed workloads run on the plain allocator). Nothing here is timed.
///
/// Counted: applying remote ops in memory and into the book (per op), beside the floors (raw SQLite writing the book's
/// rows for the same ops, and inserting the op rows alone), `set`, `contact` and `find` on the latency
/// book (per command), and sync (per op, both ends in this process). `--parts apply,commands,sync` (the default: all
/// three) picks some, for measuring one change quickly; `set`, `contact` or `find` picks one command. `--unmeasured`
/// runs the same work without the interposer and prints nothing, for a heap profiler (`heaptrack`) to count instead.
enum AllocationBench {
    static func run(_ options: Options) async throws {
        let total = options.int("--ops", 20_000)
        let samples = options.int("--samples", 100)
        let customers = options.int("--customers", 1_000)
        let parts = Set((options.string("--parts") ?? "apply,commands,sync").split(separator: ",").map(String.init))
        guard let path = options.string("--book") else { throw BenchError("allocations needs --book PATH") }
        let unmeasured = options.arguments.contains("--unmeasured")
        guard unmeasured || Measure.allocations({ _ = [UInt8](repeating: 1, count: 64) }) != nil else {
            throw BenchError("allocation counts need the interposer: LD_PRELOAD=.build-release/release/libMallocInterposerSwift.so")
        }

        if parts.contains("apply") { try apply(total) }
        let commands = parts.contains("commands") ? ["set", "contact", "find"] : ["set", "contact", "find"].filter(parts.contains)
        if !commands.isEmpty { try Self.commands(Set(commands), path: path, customers: customers, samples: samples) }
        if parts.contains("sync") {
            // Sync, both ends in this process.
            var sync = SyncBench(
                customers: options.int("--sync-customers", 200), centralOps: [options.int("--central-ops", 10_000)], runs: 1)
            try await sync.countAllocations()
        }
    }

    /// What `body` allocated; without the interposer (`--unmeasured`), `body` runs all the same and this is `nil`.
    private static func counted(_ body: () throws -> Void) rethrows -> (count: Int, bytes: Int)? {
        if let counted = try Measure.allocations(body) { return counted }
        try body()
        return nil
    }

    /// Applying remote ops (workload 2's generator, smaller), in memory and into a new book.
    private static func apply(_ total: Int) throws {
        let (_, ops) = ApplyBench.generate(total, seed: 2026)
        let chunks = ApplyBench.chunks(ops)
        let (frames, _) = try ApplyBench.encode(chunks)
        var replica = Replica()
        if let memory = try counted({ try ApplyBench.decode(frames, into: &replica) }) {
            Measure.emitAllocations("alloc.apply.memory", "apply in memory (decode + Replica)", memory, per: ops.count, unit: "op")
        }
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("fieldbook-allocs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let book = try Book.create(at: (folder as NSString).appendingPathComponent("apply.sqlite"), principal: "M001")
        if let persisted = try counted({ for chunk in chunks { try book.applyRemote(chunk) } }) {
            Measure.emitAllocations("alloc.apply.persisted", "apply into the SQLite book", persisted, per: ops.count, unit: "op")
        }
        // The floors, over the same ops and batches (only the writes are counted, not making the files): raw SQLite
        // writing the rows the book writes (`RawProjectedRows`), and inserting the op rows alone (`RawSQLite`).
        let rows = try RawProjectedRows.writes(chunks, path: (folder as NSString).appendingPathComponent("rows.sqlite"))
        if let floor = try counted(rows) {
            Measure.emitAllocations(
                "alloc.apply.rows", "floor: raw SQLite writing the book's rows for the same ops", floor, per: ops.count, unit: "op")
        }
        let opRows = try RawSQLite.writes(chunks, path: (folder as NSString).appendingPathComponent("raw.sqlite"))
        if let floor = try counted(opRows) {
            Measure.emitAllocations(
                "alloc.apply.sqlite", "raw SQLite (through GRDB) inserting the same op rows alone", floor, per: ops.count, unit: "op")
        }
    }

    /// Local commands (workload 3's book and commands).
    private static func commands(_ which: Set<String>, path: String, customers: Int, samples: Int) throws {
        let latencyBook = try LatencyBench.prepare(at: path, customers: customers)
        let ids = try latencyBook.find(limit: customers).map(\.id)
        var random = SplitMix64(seed: 11)
        // A command as the shell runs it, one after another on an open book: counted after a few uncounted ones (the
        // connection's statement cache then holds the command's statements, prepared once per process), over whole
        // rounds of the search index's catch-up (one per 64 commands that change a customer's text) from an index with
        // nothing pending. Otherwise the figure depends on how many customers the book left pending, one catch-up more
        // or less in the window (about 20 allocations per `set` at 100 samples), and on the first command's statement
        // preparations spread over the window (about 30).
        let threshold = Book.searchIndexThreshold
        let samples = max(1, (samples + threshold - 1) / threshold) * threshold
        func perCommand(_ id: String, _ label: String, _ body: (EntityID, Int) throws -> Void) throws {
            for index in 0..<8 { try body(ids[Int(random.next() % UInt64(ids.count))], -1 - index) }
            try latencyBook.database.write { db in try Book.catchUpSearchIndex(db) }
            // Counted with each command: the search index's catch-up that the shell runs after it when due (one in
            // about 64 `set`s of distinct customers), so that its cost is in the figure, spread over the commands.
            let counted = try counted {
                for index in 0..<samples {
                    try body(ids[Int(random.next() % UInt64(ids.count))], index)
                    try latencyBook.catchUpSearchIndexIfDue()
                }
            }
            if let counted { Measure.emitAllocations(id, label, counted, per: samples, unit: "command") }
        }
        if which.contains("set") {
            try perCommand("alloc.set", "`set` note") { id, index in try LatencyBench.setNote(latencyBook, id, index) }
        }
        if which.contains("contact") {
            try perCommand("alloc.contact", "`contact`") { id, index in try LatencyBench.addContact(latencyBook, id, index) }
        }
        if which.contains("find") {
            try perCommand("alloc.find1", "`find 王` (1 character)") { _, _ in _ = try latencyBook.find(text: "王") }
            try perCommand("alloc.find3", "`find 王秀英` (3 characters)") { _, _ in _ = try latencyBook.find(text: "王秀英") }
        }
    }
}
