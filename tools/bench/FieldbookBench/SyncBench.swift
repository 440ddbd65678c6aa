import BenchSupport
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import Foundation
import GRDB
import Logging

/// Sync figures: a 2,000-customer book with a year of history synced from scratch, and a day's 500-op delta
/// against a central node holding a million ops, both end to end over loopback with a real `SyncServer`.
struct SyncBench {
    let customers: Int
    /// The central node's sizes, ascending: the day's delta is measured at each (workload 7 scales it).
    let centralOps: [Int]
    let runs: Int
    let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("fieldbook-bench-\(UUID().uuidString)")
    var random = SplitMix64(seed: 2026)
    /// Other managers' devices made so far by `loadCentral`.
    var loadedDevices = 0
    /// Where to write the year's content as a library-neutral workload (`--out`), for the peers' full update: the
    /// initial pull's bytes are compared with Loro's and Yrs's full document update of the same content.
    var workloadOut: String?
    /// The year's content in library-neutral terms, filled by `fillYear`.
    var year = Workload(seed: 0)
    /// The `fieldbook` executable (`--fieldbook`): when given, a new device also pulls the book in a process of its own,
    /// whose peak RSS is the device's alone (issue 20: at most twice the resulting book file).
    var fieldbook: String?
    /// Where to keep a copy of the pulled book (`--book-out`), to study its layout.
    var bookOut: String?

    func path(_ name: String) -> String { (folder as NSString).appendingPathComponent(name) }

    /// A central node with the manager M001, served on a loopback port (plain TCP: the bench measures sync, not TLS).
    func startServer() async throws -> (central: CentralDatabase, server: SyncServer, address: String, serving: Task<Void, any Error>) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let central = try CentralDatabase.open(at: path("central.sqlite"))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        let server = SyncServer(store: SQLiteCentralStore(central), logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let port = PortBox()
        let serving = Task { try await server.run(host: "127.0.0.1", port: 0) { port.set($0) } }
        while port.value == 0 { try await Task.sleep(for: .milliseconds(10)) }
        return (central, server, "127.0.0.1:\(port.value)", serving)
    }

    /// Allocations of sync (run under the interposer, untimed): a new device's initial pull and a day's 500-op delta,
    /// both ends in this process, per op.
    mutating func countAllocations() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (central, server, address, serving) = try await startServer()
        let manager = try Book.create(at: path("m001.sqlite"), principal: "M001")
        try SyncClient.enrol(manager, token: try central.addDevice(for: "M001", address: address))
        let generated = try fillYear(manager, customers: customers)
        _ = try await SyncClient(book: manager).sync()
        let fresh = try Book.create(at: path("fresh.sqlite"), principal: "M001")
        try SyncClient.enrol(fresh, token: try central.addDevice(for: "M001", address: address))
        let pull = try await Measure.allocations { _ = try await SyncClient(book: fresh).sync() }
        try loadCentral(central, ops: max(0, (centralOps.first ?? 0) - generated))
        try editDay(manager, ops: 500)
        let day = try await Measure.allocations { _ = try await SyncClient(book: manager).sync() }
        server.shutdown()
        _ = try await serving.value
        guard let pull, let day else { throw BenchError("allocation counts need the interposer (LD_PRELOAD)") }
        Measure.emitAllocations(
            "alloc.sync.pull", "initial sync: pull a \(customers)-customer book, both ends", pull, per: generated, unit: "op")
        Measure.emitAllocations("alloc.sync.day", "sync a day's 500-op delta, both ends", day, per: 500, unit: "op")
    }

    mutating func run() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (central, server, address, serving) = try await startServer()

        // 1. A manager's book with a year of history, pushed from scratch, then pulled by a fresh second device.
        let manager = try Book.create(at: path("m001.sqlite"), principal: "M001")
        try SyncClient.enrol(manager, token: try central.addDevice(for: "M001", address: address))
        let generated = try fillYear(manager, customers: customers)
        var clock = ContinuousClock.now
        let push = try await SyncClient(book: manager).sync()
        let pushTime = ContinuousClock.now - clock
        Measure.emit(
            "sync.initial.push", "initial sync: push a \(customers)-customer book (\(generated) ops)", unit: "ms",
            values: [Measure.seconds(pushTime) * 1000], extra: ["bytes": push.bytesSent + push.bytesReceived, "ops": generated])
        var pullTimes: [Duration] = []
        var pullBytes = 0
        for index in 0..<runs {
            let fresh = try Book.create(at: path("fresh\(index).sqlite"), principal: "M001")
            try SyncClient.enrol(fresh, token: try central.addDevice(for: "M001", address: address))
            clock = ContinuousClock.now
            let pulled = try await SyncClient(book: fresh).sync()
            pullTimes.append(ContinuousClock.now - clock)
            pullBytes = pulled.bytesSent + pulled.bytesReceived
            precondition(pulled.verified && pulled.opsReceived == generated, "pull must bring every op and verify")
        }
        Measure.emit(
            "sync.initial.pull", "initial sync: pull a \(customers)-customer book (\(generated) ops) to a new device",
            unit: "ms", values: pullTimes.map { Measure.seconds($0) * 1000 }, extra: ["bytes": pullBytes, "ops": generated])
        // Both directions of the whole session (HELLO to DONE), its op batches compressed as on every sync.
        Measure.emit(
            "sync.initial.pull.bytes", "initial sync: bytes of the pull of a \(customers)-customer book, both directions",
            unit: "B", values: [Double(pullBytes)])
        // The pulled book on disk, its WAL folded in first (issue 20: at most 3x Loro's snapshot of the same content).
        let bookBytes = try Self.bookSize(path("fresh0.sqlite"))
        let layout = try Self.bookLayout(path("fresh0.sqlite"))
        Measure.emit(
            "sync.book.bytes", "the pulled \(customers)-customer book on disk (\(generated) ops, WAL checkpointed)",
            unit: "B", values: [bookBytes], extra: ["tables": layout.tables, "free_bytes": layout.freeBytes])
        // The floor: the same ops in raw SQLite with only what an append-only log needs (issue 20).
        let logBytes = try Self.opLogFloor(from: path("fresh0.sqlite"), into: path("oplog.sqlite"))
        Measure.emit(
            "sync.book.oplog.bytes", "floor: the pulled book's \(generated) ops alone in a raw SQLite op log",
            unit: "B", values: [logBytes])
        // And the floor of the whole layout ARCHITECTURE §4 decides: the log, the live values and tags, the search index.
        let floorBytes = try Self.storageFloor(from: path("fresh0.sqlite"), into: path("floor.sqlite"))
        Measure.emit(
            "sync.book.floor.bytes", "floor: the rows ARCHITECTURE §4 requires of the pulled book, in raw SQLite",
            unit: "B", values: [floorBytes])
        if let bookOut {
            try? FileManager.default.removeItem(atPath: bookOut)
            try FileManager.default.copyItem(atPath: path("fresh0.sqlite"), toPath: bookOut)
        }
        if let fieldbook {
            let rss = try pullInChildProcess(fieldbook, central: central, address: address)
            Measure.emit(
                "sync.device.rss", "peak RSS of `fieldbook sync` pulling the \(customers)-customer book (its own process)",
                unit: "MiB", values: [rss.megabytes], extra: ["book_bytes": rss.bookBytes])
            Measure.emit(
                "sync.device.rss.ratio", "that peak RSS ÷ the book file it made", unit: "×",
                values: [rss.megabytes * 1_048_576 / max(rss.bookBytes, 1)])
            Measure.emit(
                "sync.device.rss.floor", "floor: peak RSS of `fieldbook -c status` on the empty book before the pull",
                unit: "MiB", values: [rss.floor])
            Measure.emit(
                "sync.device.rss.growth", "the pull's peak RSS above that floor ÷ the book file", unit: "×",
                values: [(rss.megabytes - rss.floor) * 1_048_576 / max(rss.bookBytes, 1)])
        }
        if let workloadOut { try year.json().write(to: URL(fileURLWithPath: workloadOut)) }

        // 2. The central node grows to each size with other managers' history, then the manager's day.
        var held = generated
        for size in centralOps {
            let loadClock = ContinuousClock.now
            try loadCentral(central, ops: size - held)
            let loadTime = ContinuousClock.now - loadClock
            if size > held {
                Measure.emit(
                    "sync.load@\(size)", "load the central node from \(held) to \(size) ops by push", unit: "ops/s",
                    values: [Double(size - held) / Measure.seconds(loadTime)])
            }
            held = max(held, size)
            var dayTimes: [Duration] = []
            var dayBytes = 0
            for _ in 0..<runs {
                try editDay(manager, ops: 500)
                clock = ContinuousClock.now
                let day = try await SyncClient(book: manager).sync()
                dayTimes.append(ContinuousClock.now - clock)
                dayBytes = day.bytesSent + day.bytesReceived
                precondition(day.verified && day.opsSent == 500, "the day's delta must push and verify")
                held += 500
            }
            Measure.emit(
                "sync.day@\(size)", "sync a day's 500-op delta against a central node of \(size) ops", unit: "ms",
                values: dayTimes.map { Measure.seconds($0) * 1000 }, extra: ["bytes": dayBytes, "central_ops": size])
        }
        Measure.emit("sync.rss", "sync: peak RSS of the bench process (server and devices)", unit: "MiB",
                     values: [Double(Measure.peakRSS()) / 1_048_576])
        server.shutdown()
        _ = try await serving.value
    }

    /// Enrols a new device with the real executable and runs its first `sync` in a child process: that child's peak
    /// RSS, the peak RSS of `status` on the empty book before it (the process's floor), and the size of the book the
    /// pull made.
    func pullInChildProcess(
        _ binary: String, central: CentralDatabase, address: String
    ) throws -> (megabytes: Double, floor: Double, bookBytes: Double) {
        let token = path("rss.token")
        let book = path("rss.sqlite")
        guard FileManager.default.createFile(
            atPath: token, contents: Data(try central.addDevice(for: "M001", address: address).text.utf8),
            attributes: [.posixPermissions: 0o600])
        else { throw BenchError("cannot write the token file") }
        /// Runs the executable and returns its own peak RSS in MiB: `VmHWM` of /proc/PID/status, read every 5 ms while
        /// it runs. (`getrusage(RUSAGE_CHILDREN)` cannot tell it: a child's `ru_maxrss` starts from the bench
        /// process's own size at fork, before the exec.) The last 5 ms before it exits may be missed.
        func run(_ arguments: [String]) throws -> Double {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = arguments
            process.environment = ["FIELDBOOK_HOME": folder, "PATH": "/usr/bin:/bin"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var peak = 0.0
            let status = "/proc/\(process.processIdentifier)/status"
            while process.isRunning {
                if let text = try? String(contentsOfFile: status, encoding: .utf8),
                    let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                    let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
                {
                    peak = max(peak, kilobytes / 1024)
                }
                usleep(5_000)
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw BenchError("fieldbook \(arguments[0]) exited \(process.terminationStatus)") }
            return peak
        }
        _ = try run(["init", "--principal", "M001", "--token-file", token, "--insecure", "--book", book])
        // The floor: the same executable on the same, still empty, book (the runtime, Foundation, NIO, SQLite).
        let floor = try run(["--book", book, "-c", "status"])
        let peak = try run(["--book", book, "-c", "sync"])
        return (peak, floor, try Self.bookSize(book))
    }

    /// A book file's size in bytes once its WAL is folded into it.
    static func bookSize(_ file: String) throws -> Double {
        let folded = try DatabaseQueue(path: file)
        try folded.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try folded.close()
        return (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.doubleValue ?? 0
    }

    /// Where a book's bytes go (SQLite's `dbstat`): each table's and index's pages in bytes, and the free pages'.
    static func bookLayout(_ file: String) throws -> (tables: [String: Int], freeBytes: Int) {
        let queue = try DatabaseQueue(path: file)
        defer { try? queue.close() }
        return try queue.read { db in
            var tables: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name") {
                tables[row[0]] = row[1]
            }
            let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            let page = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            return (tables, free * page)
        }
    }

    /// The floor of a book's size: its ops copied into a fresh raw-SQLite file holding only what an append-only log
    /// needs (each op's columns as the book's `op` table has them, keyed by its ID, no other index), compacted.
    static func opLogFloor(from book: String, into file: String) throws -> Double {
        try rawCopy(of: book, into: file, sql: floorLogSQL)
    }

    /// Runs `sql` in a fresh raw-SQLite file with the book attached as `book`, then compacts the file: its size.
    private static func rawCopy(of book: String, into file: String, sql: String) throws -> Double {
        try? FileManager.default.removeItem(atPath: file)
        let queue = try DatabaseQueue(path: file)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ATTACH DATABASE ? AS book", arguments: [book])
            try db.execute(sql: sql)
            try db.execute(sql: "DETACH DATABASE book; VACUUM")
        }
        try queue.close()
        return (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.doubleValue ?? 0
    }

    /// The floor's op log: each op of the book's log as its row has it (actor and scope as the book's numbers), keyed
    /// by its ID, no other index, the table clustered on that key.
    static let floorLogSQL = """
        CREATE TABLE op (
            actor INTEGER NOT NULL, counter INTEGER NOT NULL, hlc INTEGER NOT NULL, scope INTEGER NOT NULL,
            principal TEXT NOT NULL, schema INTEGER NOT NULL, body BLOB NOT NULL,
            PRIMARY KEY (actor, counter)) WITHOUT ROWID;
        INSERT INTO op SELECT actor, counter, hlc, scope, principal, schema, body FROM book.op ORDER BY actor, counter;
        """

    /// The floor of a book as ARCHITECTURE §4 lays it out, whatever the keys and indexes: the rows it requires, copied
    /// from the pulled book into a fresh raw-SQLite file and compacted. They are the op log (``floorLogSQL``), the
    /// live register values with their conflict siblings and the live set tags (one row each, every key an integer,
    /// no hlc, no other index), and an FTS5 trigram index of the customers' search text that keeps no copy of it.
    /// No entity table, no listing row, no scope hash, no index to find a scope's ops: what any book on this design
    /// pays before it answers a command or a sync.
    static func storageFloor(from book: String, into file: String) throws -> Double {
        try rawCopy(
            of: book, into: file,
            sql: """
                \(floorLogSQL)
                CREATE TEMP TABLE entity_no AS SELECT id, row_number() OVER (ORDER BY id) AS no FROM book.entity;
                CREATE TABLE value (
                    entity INTEGER NOT NULL, field INTEGER NOT NULL, actor INTEGER NOT NULL, counter INTEGER NOT NULL,
                    value BLOB NOT NULL, PRIMARY KEY (entity, field, actor, counter)) WITHOUT ROWID;
                INSERT INTO value SELECT n.no, r.field, r.actor, r.counter, r.value
                    FROM book.reg_value r JOIN entity_no n ON n.id = r.entity ORDER BY 1, 2, 3, 4;
                CREATE TABLE tag (
                    entity INTEGER NOT NULL, field INTEGER NOT NULL, element TEXT NOT NULL, actor INTEGER NOT NULL,
                    counter INTEGER NOT NULL, PRIMARY KEY (entity, field, element, actor, counter)) WITHOUT ROWID;
                INSERT INTO tag SELECT n.no, s.field, s.element, s.actor, s.counter
                    FROM book.set_add s JOIN entity_no n ON n.id = s.entity ORDER BY 1, 2, 3, 4, 5;
                CREATE VIRTUAL TABLE search_index USING fts5 (search, content = '', tokenize = 'trigram');
                INSERT INTO search_index (rowid, search) SELECT rowid, search FROM book.customer;
                DROP TABLE entity_no;
                """)
    }

    /// A year of a manager's work: each customer created with a profile, edited, tagged, contacted, with family.
    mutating func fillYear(_ book: Book, customers: Int) throws -> Int {
        var total = 0
        let names = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"]
        for start in stride(from: 0, to: customers, by: 100) {
            total += try book.write { tx in
                for index in start..<min(customers, start + 100) {
                    let id = try tx.create(
                        .customer, scope: nil,
                        fields: [
                            FieldAssignment(Schema.F.name, .text(names[index % names.count] + "客户\(index)")),
                            FieldAssignment(Schema.F.phone, .text("138\(10_000_000 + index)")),
                            FieldAssignment(Schema.F.tier, .text(["普通", "金葵花", "钻石"][index % 3])),
                            FieldAssignment(Schema.F.birthday, .date(Day(number: Int32(-3_000 + index % 9_000)))),
                        ])
                    try tx.set(id, Schema.F.note, .text("年初电话回访，关注理财"))
                    try tx.set(id, Schema.F.note, .text("年中上门拜访，家里老人身体不好"))
                    let tag = index % 2 == 0 ? "理财沙龙" : "VIP"
                    try tx.add(id, Schema.F.tags, tag)
                    try tx.create(.family, scope: .customer(id), fields: [
                        FieldAssignment(Schema.F.name, .text("家人\(index)")), FieldAssignment(Schema.F.relation, .text("配偶")),
                    ])
                    for month in 0..<4 {
                        try tx.create(.contact, scope: .customer(id), fields: [
                            FieldAssignment(Schema.F.channel, .text("call")),
                            FieldAssignment(Schema.F.text, .text("第\(month + 1)季度电话回访，聊了定投")),
                            FieldAssignment(Schema.F.date, .date(Day(number: Int32(20_000 + month * 90)))),
                        ])
                    }
                    // The same content for the peers: a map per customer, the tag in its set, the family member
                    // and the contacts as events.
                    year.customers.append(id)
                    let c = year.customers.count - 1
                    year.base.append(.customer(c, [
                        ("name", .text(names[index % names.count] + "客户\(index)")), ("phone", .text("138\(10_000_000 + index)")),
                        ("tier", .text(["普通", "金葵花", "钻石"][index % 3])), ("birthday", .int(Int64(-3_000 + index % 9_000))),
                    ]))
                    year.base.append(.set(c, "note", .text("年初电话回访，关注理财")))
                    year.base.append(.set(c, "note", .text("年中上门拜访，家里老人身体不好")))
                    year.base.append(.tag(c, tag))
                    year.base.append(.event(c, "family", [("name", .text("家人\(index)")), ("relation", .text("配偶"))]))
                    for month in 0..<4 {
                        year.base.append(.event(c, "contact", [
                            ("channel", .text("call")), ("text", .text("第\(month + 1)季度电话回访，聊了定投")),
                            ("date", .int(Int64(20_000 + month * 90))),
                        ]))
                    }
                }
                return tx.appended.count
            }
        }
        return total
    }

    /// Other managers' history, pushed through the same validation path as real devices.
    mutating func loadCentral(_ central: CentralDatabase, ops: Int) throws {
        guard ops > 0 else { return }
        let perDevice = 2_000
        var made = 0
        while made < ops {
            let deviceIndex = loadedDevices
            let code = "L\(deviceIndex)"
            try central.addPrincipal(code, name: "经理\(deviceIndex)", role: .manager)
            let token = try central.addDevice(for: code, address: "x:1")
            let actor = ActorID.random(using: &random)
            try central.bind(token.device, actor: actor)
            let account = DeviceAccount(device: token.device, principal: code, actor: actor)
            var batch: [Op] = []
            var customer = EntityID.make(milliseconds: 1_795_000_000_000, using: &random)
            for counter in 1...UInt64(min(perDevice, ops - made)) {
                let body: Op.Body
                if counter % 10 == 1 {
                    customer = EntityID.derived(actor: actor, counter: counter)  // as a device names it (version 3)
                    body = .create(kind: .customer, entity: customer, fields: [
                        FieldAssignment(Schema.F.name, .text("客户\(counter)")), FieldAssignment(Schema.F.owner, .text(code)),
                    ])
                } else {
                    body = .set(entity: customer, field: Schema.F.note, value: .text("第\(counter)次记录"), pred: [])
                }
                batch.append(Op(
                    id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: 1_795_000_000_000 + counter, logical: 0),
                    scope: .customer(customer), principal: code, body: body))
            }
            _ = try central.push(batch, from: account)
            made += batch.count
            loadedDevices += 1
        }
    }

    /// A day's edits: field changes, tags and contacts over 300 customers.
    mutating func editDay(_ book: Book, ops: Int) throws {
        let customers = try book.find(limit: 300).map(\.id)
        try book.write { tx in
            var made = 0
            var index = 0
            while made < ops {
                let id = customers[index % customers.count]
                switch index % 4 {
                case 0: if try tx.set(id, Schema.F.note, .text("今天电话回访 \(index)")) != nil { made += 1 }
                case 1: if try tx.add(id, Schema.F.tags, "回访\(index)") != nil { made += 1 }
                case 2:
                    try tx.create(.contact, scope: .customer(id), fields: [
                        FieldAssignment(Schema.F.channel, .text("call")), FieldAssignment(Schema.F.text, .text("电话：到期提醒")),
                    ])
                    made += 1
                default: if try tx.set(id, Schema.F.phone, .text("139\(10_000_000 + index)")) != nil { made += 1 }
                }
                index += 1
            }
        }
    }
}

/// The bound port, set from the server's callback.
final class PortBox: @unchecked Sendable {
    // @unchecked because `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored = 0
    var value: Int { lock.withLock { stored } }
    func set(_ port: Int) { lock.withLock { stored = port } }
}
