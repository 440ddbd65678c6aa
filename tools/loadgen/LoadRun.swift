import BenchSupport
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import Foundation

/// One load run: N devices against a fresh `fieldbook serve`.
struct LoadRun {
    let binary: String
    let devices: Int
    let ops: Int
    let customers: Int
    let timeLimit: Double

    func log(_ line: String) { FileHandle.standardError.write(Data("  [loadgen N=\(devices)] \(line)\n".utf8)) }

    func run() async throws {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("fieldbook-loadgen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = (folder as NSString).appendingPathComponent("central.sqlite")
        let tokens = try enrol(database: database)
        let server = try ServeProcess(binary: binary, database: database)
        defer { server.stop() }
        let address = "127.0.0.1:\(server.port)"

        // Every device: its book, enrolment and customers, and a first sync (not measured).
        var books: [Book] = []
        for (index, token) in tokens.enumerated() {
            let book = try ClusterRun.book(index, token: token, customers: customers)
            books.append(book)
        }
        let setupClock = ContinuousClock.now
        try await forEach(books, concurrency: 32) { book in _ = try await SyncClient(book: book).sync(server: address) }
        log(String(format: "first syncs done in %.1f s", Measure.seconds(ContinuousClock.now - setupClock)))
        for book in books { try writeDay(book) }

        // All N sessions at once, each on its own connection, under the time limit.
        let serverCPU = Measure.cpuSeconds(pid: server.process.processIdentifier)
        let ownCPU = Measure.cpuSeconds()
        let start = ContinuousClock.now
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeLimit))
            server.stop()
        }
        var finishedAt: [Double] = []
        let sessions: [Double?] = await withTaskGroup(of: Double?.self) { group in
            for book in books {
                group.addTask {
                    let begun = ContinuousClock.now
                    do {
                        let summary = try await SyncClient(book: book).sync(server: address)
                        guard summary.opsSent == ops, summary.verified else { return nil }
                        return Measure.seconds(ContinuousClock.now - begun) * 1000
                    } catch {
                        return nil
                    }
                }
            }
            var times: [Double?] = []
            for await time in group {
                times.append(time)
                if time != nil { finishedAt.append(Measure.seconds(ContinuousClock.now - start)) }
            }
            return times
        }
        let wall = Measure.seconds(ContinuousClock.now - start)
        let serverCPUUsed = Measure.cpuSeconds(pid: server.process.processIdentifier) - serverCPU
        let ownCPUUsed = Measure.cpuSeconds() - ownCPU
        let peak = server.peakRSS
        watchdog.cancel()
        let done = sessions.compactMap { $0 }
        log(String(format: "%d of %d sessions finished in %.2f s", done.count, devices, wall))
        let extra: [String: Any] = [
            "devices": devices, "finished": done.count, "ops_per_device": ops, "wall_s": wall,
            "time_limit_s": timeLimit,
        ]
        Measure.emit("load.\(devices).wall", "central load: \(devices) devices push and pull a day (\(ops) ops each)",
                     unit: "s", values: [wall], extra: extra)
        Measure.emit("load.\(devices).throughput", "central load, N=\(devices): sessions per second", unit: "sessions/s",
                     values: [Double(done.count) / wall], extra: extra.merging(["ops_per_s": Double(done.count * ops) / wall]) { $1 })
        if !done.isEmpty {
            Measure.emit("load.\(devices).p50", "central load, N=\(devices): session time p50", unit: "ms",
                         values: [Measure.quantile(done, 0.5)], extra: extra)
            Measure.emit("load.\(devices).p99", "central load, N=\(devices): session time p99", unit: "ms",
                         values: [Measure.quantile(done, 0.99)], extra: extra)
        }
        if !done.isEmpty {
            // No collapse: sessions finish steadily from the start (a tenth of them early, half near the middle).
            for share in [10, 50, 90] {
                Measure.emit(
                    "load.\(devices).finish\(share)", "central load, N=\(devices): time by which \(share) % of sessions finished",
                    unit: "s", values: [Measure.quantile(finishedAt, Double(share) / 100)], extra: extra)
            }
            // CPU per session beside the wall times: the server and the load generator share the cores.
            Measure.emit(
                "load.\(devices).cpu.server", "central load, N=\(devices): server CPU per session", unit: "ms",
                values: [serverCPUUsed / Double(done.count) * 1000], extra: extra)
            Measure.emit(
                "load.\(devices).cpu.loadgen", "central load, N=\(devices): load generator CPU per session", unit: "ms",
                values: [ownCPUUsed / Double(done.count) * 1000], extra: extra)
        }
        Measure.emit("load.\(devices).rss", "central load, N=\(devices): server peak RSS", unit: "MiB",
                     values: [Double(peak) / 1_048_576], extra: extra)
    }

    static func principal(_ index: Int) -> String { "M\(10_000 + index)" }

    /// A fresh central database with one manager and one device per simulated device.
    func enrol(database: String) throws -> [EnrolmentToken] {
        let central = try CentralDatabase.open(at: database)
        return try (0..<devices).map { index in
            try central.addPrincipal(Self.principal(index), name: "经理\(index)", role: .manager)
            return try central.addDevice(for: Self.principal(index), address: "127.0.0.1:0")
        }
    }

    /// A day's edits over the device's customers: notes, tags and contacts.
    func writeDay(_ book: Book) throws {
        let ids = try book.find(limit: customers).map(\.id)
        try book.write { tx in
            var made = 0
            var index = 0
            while made < ops {
                let id = ids[index % ids.count]
                switch index % 3 {
                case 0: if try tx.set(id, Schema.F.note, .text("回访 \(index)")) != nil { made += 1 }
                case 1: if try tx.add(id, Schema.F.tags, "标签\(index)") != nil { made += 1 }
                default:
                    _ = try tx.create(.contact, scope: .customer(id), fields: [
                        FieldAssignment(Schema.F.channel, .text(ContactChannel.call.rawValue)), FieldAssignment(Schema.F.text, .text("到期提醒")),
                    ])
                    made += 1
                }
                index += 1
            }
        }
    }

    /// Runs `body` on every element, at most `concurrency` at a time.
    func forEach<T: Sendable>(
        _ items: [T], concurrency: Int, _ body: @escaping @Sendable (T) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(concurrency, items.count) {
                let item = items[next]
                group.addTask { try await body(item) }
                next += 1
            }
            while try await group.next() != nil {
                if next < items.count {
                    let item = items[next]
                    group.addTask { try await body(item) }
                    next += 1
                }
            }
        }
    }
}
