import BenchSupport
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import Foundation
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
                    try tx.add(id, Schema.F.tags, index % 2 == 0 ? "理财沙龙" : "VIP")
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
                    customer = EntityID.make(milliseconds: 1_795_000_000_000 + counter, using: &random)
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
