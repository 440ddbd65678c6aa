import BenchSupport
import FieldbookModel
import FieldbookStore
import FieldbookWire
import Foundation
import GRDB
import NIOCore

/// Workload 2 (and the apply half of 7): `N` remote ops into an empty replica.
///
/// - in memory: decoding the OPS frames and applying them to `Replica`, against Loro import and Yrs apply of the same
///   edits (the peers time their own import in-process);
/// - persisted: `Book.applyRemote` in sync-sized batches (2,000 ops, one transaction each, WAL, `synchronous=FULL`),
///   against raw SQLite inserting the same op rows with the same settings and batching.
enum ApplyBench {
    static let batch = 2_000

    static func generate(_ total: Int, seed: UInt64) -> (Workload, [Op]) {
        let actor = ActorID(high: 0x5eed_0000_0000_0002, low: 7)
        var workload = Workload(seed: seed, author: actor)
        let customers = max(1, total / 10)
        workload.addCustomers(customers, into: \.base)
        workload.addWork(total - customers, over: 0..<customers, into: \.edits)
        var author = OpAuthor(actor: actor)
        let ops = author.ops(workload.base + workload.edits, customers: workload.customers)
        return (workload, ops)
    }

    /// The chunks as compressed OPS frames, and their total size.
    static func encode(_ chunks: [[Op]]) throws -> (frames: [ByteBuffer], bytes: Int) {
        var frames: [ByteBuffer] = []
        var wireBytes = 0
        for chunk in chunks {
            var buffer = ByteBufferAllocator().buffer(capacity: 128 * 1024)
            wireBytes += try buffer.writeMessage(.ops(Message.Ops(seq: 1, operations: chunk, compressed: true)))
            frames.append(buffer)
        }
        return (frames, wireBytes)
    }

    /// The in-memory apply: decodes each frame and applies its ops to `replica`.
    static func decode(_ frames: [ByteBuffer], into replica: inout Replica) throws {
        for frame in frames {
            var buffer = frame
            guard case .ops(let message)? = try buffer.readMessage() else { throw BenchError("not an OPS frame") }
            for op in message.operations { replica.apply(op) }
        }
    }

    /// The ops in sync-sized batches.
    static func chunks(_ ops: [Op]) -> [[Op]] {
        stride(from: 0, to: ops.count, by: batch).map { Array(ops[$0..<min(ops.count, $0 + batch)]) }
    }

    static func run(_ options: Options) throws {
        let total = options.int("--ops", 100_000)
        let runs = options.int("--runs", 5)
        let modes = Set((options.string("--modes") ?? "memory,persisted,sqlite,rows").split(separator: ",").map(String.init))
        let tag = options.string("--tag") ?? "apply"
        let (workload, ops) = generate(total, seed: UInt64(options.int("--seed", 2026)))
        if let out = options.string("--out") { try workload.json().write(to: URL(fileURLWithPath: out)) }
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("fieldbook-apply-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let chunks = chunks(ops)

        /// Times `runs` runs of `run` (given the run's number, returning milliseconds) and emits them as ops/s.
        func rate(_ id: String, _ label: String, extra: [String: Int] = [:], _ run: (Int) throws -> Double) throws {
            var times: [Double] = []
            for number in 0..<runs { times.append(try run(number)) }
            Measure.emit(
                "\(tag).\(id)", label, unit: "ops/s", values: times.map { Double(ops.count) / $0 * 1000 },
                extra: extra.merging(["ops": ops.count]) { first, _ in first })
        }
        func file(_ name: String, _ run: Int) -> String { (folder as NSString).appendingPathComponent("\(name)\(run).sqlite") }

        if modes.contains("memory") {
            let (frames, wireBytes) = try encode(chunks)
            try rate("memory", "apply \(ops.count) ops in memory (decode + Replica)", extra: ["wire_bytes": wireBytes]) { _ in
                var replica = Replica()
                let time = try Measure.milliseconds { try decode(frames, into: &replica) }
                precondition(replica.log.count == ops.count)
                return time
            }
        }
        if modes.contains("persisted") {
            try rate("persisted", "apply \(ops.count) ops into the SQLite book") { run in
                let book = try Book.create(at: file("book", run), principal: "M001")
                let time = try Measure.milliseconds {
                    for chunk in chunks { try book.applyRemote(chunk) }
                }
                let held = try book.opCount()
                precondition(held == ops.count, "the book holds \(held) ops, not \(ops.count)")
                return time
            }
        }
        if modes.contains("sqlite") {
            try rate("sqlite", "raw SQLite: insert the same \(ops.count) op rows") { run in
                try RawSQLite.insert(chunks, path: file("raw", run))
            }
        }
        if modes.contains("rows") {
            // Raw SQLite writing the rows the book must write (RawProjectedRows): the persisted apply's floor.
            try rate("sqlite.rows", "raw SQLite: write the rows the book writes for the same \(ops.count) ops") { run in
                try RawProjectedRows.insert(chunks, path: file("rows", run))
            }
        }
        Measure.emit("\(tag).rss", "apply of \(ops.count) ops (\(modes.sorted().joined(separator: ", "))): bench process", unit: "MiB",
                     values: [Double(Measure.peakRSS()) / 1_048_576])
    }
}

/// The raw-SQLite peer of the persisted apply: the same op rows (the book's `op` table and its indexes), the same
/// durability (WAL, `synchronous=FULL`) and the same batching (one transaction per 2,000 ops), through one prepared
/// statement, with no projections.
enum RawSQLite {
    /// The op table and its indexes as the book has them: what every raw-SQLite baseline writes into.
    static let opTable = """
        CREATE TABLE op (
            actor BLOB NOT NULL, counter INTEGER NOT NULL, hlc INTEGER NOT NULL, scope TEXT NOT NULL,
            principal TEXT NOT NULL, schema INTEGER NOT NULL, body BLOB NOT NULL,
            PRIMARY KEY (actor, counter));
        CREATE INDEX op_scope ON op (scope);
        """

    static func insert(_ chunks: [[Op]], path: String) throws -> Double {
        try Measure.milliseconds(try writes(chunks, path: path))
    }

    /// Makes the op table in a new file at `path` and returns the inserts of `chunks` into it, for the caller to time
    /// or to count.
    static func writes(_ chunks: [[Op]], path: String) throws -> () throws -> Void {
        var configuration = Configuration()
        configuration.journalMode = .wal
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        // After opening, as the book does: GRDB's WAL set-up leaves `synchronous=NORMAL`.
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        try queue.write { db in try db.execute(sql: opTable) }
        return {
            for chunk in chunks {
                try queue.write { db in
                    let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO op VALUES (?, ?, ?, ?, ?, ?, ?)")
                    for op in chunk {
                        try statement.execute(arguments: [
                            Data(op.id.actor.bytes), Int64(op.id.counter), Int64(bitPattern: op.hlc.rawValue), op.scope.key,
                            op.principal, Int(op.schemaVersion), Data(op.body.encoded),
                        ])
                    }
                }
            }
        }
    }
}
