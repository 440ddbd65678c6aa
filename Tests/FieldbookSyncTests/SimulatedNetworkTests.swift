import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation
import Testing

/// [W-9.2] [W-9.7] push from held + 1 and resume after any drop; [W-9.4] every final sync verifies its state hash.
/// A seeded simulated network: a central node and four devices of three principals (M001 has two), random edits
/// between syncs, coverage changes by the centre, and sessions that drop mid-batch, deliver a message twice or out
/// of order. After a final quiet round every device must hold exactly the centre's view of its scope.
@Suite("Simulated network")
struct SimulatedNetworkTests {
    /// How a message may be mistreated on the way.
    enum Fault { case none, drop, duplicate, reorder }

    struct World {
        var random: SplitMix64
        let central: CentralDatabase
        var devices: [TestDevice] = []
        var harness: SyncHarness

        mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        mutating func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }

        /// One session with faults: messages pass through a queue that may drop (the connection breaks),
        /// duplicate or swap them. Returns whether the session completed.
        mutating func chaoticSync(_ device: TestDevice, faultPercent: UInt64) throws -> SyncSummary? {
            var client = ClientSession(device: device.token.device, secret: device.token.secret, replica: device.replica, nonce: harness.nonce())
            var server = ServerSession(replica: central, nonce: harness.nonce())
            var toServer: [Message] = []
            var toClient: [Message] = []
            for case .send(let m) in client.start() { toServer.append(m) }
            for _ in 0..<10_000 {
                let fault: Fault = chance(faultPercent) ? pick([.drop, .duplicate, .reorder]) : .none
                if !toServer.isEmpty {
                    if fault == .reorder, toServer.count > 1 { toServer.swapAt(0, 1) }
                    if fault == .drop { return nil }
                    let message = try SyncHarness.roundTrip(toServer.removeFirst())
                    let deliveries = fault == .duplicate ? 2 : 1
                    for _ in 0..<deliveries {
                        for action in server.receive(message) {
                            if case .send(let reply) = action { toClient.append(reply) }
                        }
                    }
                    if server.isClosed, toClient.isEmpty { return nil }
                    continue
                }
                if !toClient.isEmpty {
                    if fault == .reorder, toClient.count > 1 { toClient.swapAt(0, 1) }
                    if fault == .drop { return nil }
                    let message = try SyncHarness.roundTrip(toClient.removeFirst())
                    let deliveries = fault == .duplicate ? 2 : 1
                    for _ in 0..<deliveries {
                        guard let actions = try? client.receive(message) else { return nil }
                        for action in actions {
                            switch action {
                            case .send(let reply): toServer.append(reply)
                            case .finished(let summary): return summary
                            }
                        }
                    }
                    continue
                }
                return nil
            }
            return nil
        }

        mutating func randomEdit(_ device: TestDevice) throws {
            let customers = try device.book.find(includeArchived: true)
            let dice = random.next() % 100
            if customers.isEmpty || dice < 20 {
                let tier = pick(["普通", "金葵花", "钻石", "私人银行"])
                try device.book.write { tx in
                    try tx.create(
                        .customer, scope: nil,
                        fields: [FieldAssignment(Schema.F.name, .text(pick(HistoryNames.all))), FieldAssignment(Schema.F.tier, .text(tier))])
                }
                return
            }
            let customer = pick(customers).id
            try device.book.write { tx in
                switch dice {
                case 20..<60:
                    try tx.set(customer, pick([Schema.F.phone, Schema.F.note]), .text(pick(["13800138000", "13900139000", "退休", "爱喝茶"])))
                case 60..<80:
                    try tx.add(customer, Schema.F.tags, pick(["VIP", "沙龙", "待激活"]))
                case 80..<90:
                    try tx.remove(customer, Schema.F.tags, pick(["VIP", "沙龙", "待激活"]))
                default:
                    try tx.create(
                        .contact, scope: .customer(customer),
                        fields: [FieldAssignment(Schema.F.channel, .text("call")), FieldAssignment(Schema.F.text, .text("电话回访"))])
                }
            }
        }

        mutating func randomCoverageChange() throws {
            let all = try central.book.find(includeArchived: true)
            guard !all.isEmpty else { return }
            let customer = pick(all).id.text
            switch random.next() % 3 {
            case 0: try central.assign(customer, to: pick(["M001", "M002"]))
            case 1: try central.cocover(customer, with: "W001")
            default: try? central.uncover(customer, with: "W001")
            }
        }
    }

    @Test("random edits, faults and coverage changes converge, verified against the centre", arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func convergence(seed: UInt64) throws {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: 1_795_395_600_000, seed: 77))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        try central.addPrincipal("M002", name: "李经理", role: .manager)
        try central.addPrincipal("W001", name: "王投顾", role: .advisor)
        var world = World(random: SplitMix64(seed: seed), central: central, harness: SyncHarness(central: central))
        for (index, code) in ["M001", "M001", "M002", "W001"].enumerated() {
            world.devices.append(
                TestDevice(
                    book: try Book.inMemory(principal: code, options: .fixed(milliseconds: 1_795_395_600_000 + UInt64(index) * 7, seed: seed * 10 + UInt64(index))),
                    token: try central.addDevice(for: code, address: "sim")))
        }
        var broken = 0
        var completed = 0
        for _ in 0..<150 {
            let device = world.pick(world.devices)
            switch world.random.next() % 10 {
            case 0..<5: try world.randomEdit(device)
            case 5..<9:
                if try world.chaoticSync(device, faultPercent: 8) == nil { broken += 1 } else { completed += 1 }
            default: try world.randomCoverageChange()
            }
        }
        // The run really exercised both broken and completed sessions.
        #expect(broken > 0 && completed > 0, "seed \(seed): \(broken) broken, \(completed) completed")
        // The final quiet round, twice: the second pass carries what the first pushed to the others.
        for _ in 0..<2 {
            for device in world.devices {
                let summary = try #require(try world.harness.sync(device).summary, "seed \(seed)")
                #expect(summary.verified, "device \(device.book.principal) not verified, seed \(seed)")
            }
        }
        // Every device holds exactly its principal's scope, as the centre sees it.
        for device in world.devices {
            let principal = device.book.principal
            let customers = try world.central.book.find(includeArchived: true).map(\.id).filter { id in
                let owner = try world.central.book.snapshot(of: id)?.value(Schema.F.owner)?.text
                let shared = try world.central.book.snapshot(of: id)?.sets[Schema.F.cocoverers] ?? []
                return owner == principal || shared.contains(principal)
            }
            #expect(Set(try device.book.find(includeArchived: true).map(\.id)) == Set(customers), "seed \(seed)")
            for customer in customers {
                #expect(
                    try device.book.stateHash(scope: .customer(customer)) == world.central.book.stateHash(scope: .customer(customer)),
                    "seed \(seed)")
            }
            #expect(try device.book.verifyProjections() == [], "seed \(seed)")
        }
        // Two devices of one principal end identical.
        #expect(try world.devices[0].book.stateHash() == world.devices[1].book.stateHash(), "seed \(seed)")
        // Nothing a device wrote is lost: each of its ops is at the centre (none here writes outside its scope when
        // it writes, but a customer may have left meanwhile; those are the only ones allowed to be refused).
        for device in world.devices {
            let counter = UInt64(try device.book.meta("counter").flatMap(UInt64.init) ?? 0)
            #expect(try world.central.held(of: device.book.actor) == counter, "seed \(seed)")
        }
    }
}

/// Names for generated customers.
enum HistoryNames {
    static let all = ["王芳", "李明", "张伟", "欧阳娜娜", "陈静", "刘洋", "赵敏", "孙丽"]
}
