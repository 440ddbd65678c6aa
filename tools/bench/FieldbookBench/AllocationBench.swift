import BenchSupport
import FieldbookModel
import FieldbookStore
import Foundation

/// Allocations (issue 8: "allocations and peak memory reported"): what each unit of work allocates, `malloc` calls
/// and bytes, counted by malloc-interposer in a process of its own (tools/bench/run preloads the interposer for this
/// workload only, so the timed workloads run on the plain allocator). Nothing here is timed.
///
/// Counted: applying remote ops in memory and into the book (per op), `set`, `contact` and `find` on the latency
/// book (per command), and sync (per op, both ends in this process).
enum AllocationBench {
    static func run(_ options: Options) async throws {
        let total = options.int("--ops", 20_000)
        let samples = options.int("--samples", 100)
        let customers = options.int("--customers", 1_000)
        guard let path = options.string("--book") else { throw BenchError("allocations needs --book PATH") }
        guard Measure.allocations({ _ = [UInt8](repeating: 1, count: 64) }) != nil else {
            throw BenchError("allocation counts need the interposer: LD_PRELOAD=.build-release/release/libMallocInterposerSwift.so")
        }

        // Applying remote ops (workload 2's generator, smaller).
        let (_, ops) = ApplyBench.generate(total, seed: 2026)
        let chunks = ApplyBench.chunks(ops)
        let (frames, _) = try ApplyBench.encode(chunks)
        var replica = Replica()
        let memory = try Measure.allocations { try ApplyBench.decode(frames, into: &replica) }!
        Measure.emitAllocations("alloc.apply.memory", "apply in memory (decode + Replica)", memory, per: ops.count, unit: "op")
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("fieldbook-allocs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let book = try Book.create(at: (folder as NSString).appendingPathComponent("apply.sqlite"), principal: "M001")
        let persisted = try Measure.allocations { for chunk in chunks { try book.applyRemote(chunk) } }!
        Measure.emitAllocations("alloc.apply.persisted", "apply into the SQLite book", persisted, per: ops.count, unit: "op")

        // Local commands (workload 3's book and commands).
        let latencyBook = try LatencyBench.prepare(at: path, customers: customers)
        let ids = try latencyBook.find(limit: customers).map(\.id)
        var random = SplitMix64(seed: 11)
        func perCommand(_ id: String, _ label: String, _ body: (EntityID, Int) throws -> Void) throws {
            let counted = try Measure.allocations {
                for index in 0..<samples { try body(ids[Int(random.next() % UInt64(ids.count))], index) }
            }!
            Measure.emitAllocations(id, label, counted, per: samples, unit: "command")
        }
        try perCommand("alloc.set", "`set` note") { id, index in try LatencyBench.setNote(latencyBook, id, index) }
        try perCommand("alloc.contact", "`contact`") { id, index in try LatencyBench.addContact(latencyBook, id, index) }
        try perCommand("alloc.find1", "`find 王` (1 character)") { _, _ in _ = try latencyBook.find(text: "王") }
        try perCommand("alloc.find3", "`find 王秀英` (3 characters)") { _, _ in _ = try latencyBook.find(text: "王秀英") }

        // Sync, both ends in this process.
        var sync = SyncBench(customers: options.int("--sync-customers", 200), centralOps: [options.int("--central-ops", 10_000)], runs: 1)
        try await sync.countAllocations()
    }
}
