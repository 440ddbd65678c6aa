import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire

/// The state of one running ``Simulation``: the centre, the devices, the random stream, and what must hold.
///
/// The step and the original scenario's parts (`randomEdit`, `randomCoverageChange`, `chaoticSync`) draw from
/// ``random`` exactly as `SimulatedNetworkTests` did when issue 21 was filed; each extension draws only when its
/// ``SimulationScenario`` option is on.
final class SimulatedWorld {
    /// The parameters.
    let simulation: Simulation
    /// Every choice of the run.
    var random: SplitMix64
    /// Session nonces: a stream of their own, as the test harness had.
    var nonces = SplitMix64(seed: 99)
    /// The devices, by index.
    var devices: [SimulatedDevice] = []
    /// What the run exercised.
    var statistics = SimulationStatistics()
    /// Ops of devices replaced by a fresh book that the centre had already received: they must stay stored.
    var inheritedWork: [(label: String, op: OpID)] = []
    /// How many fresh books have replaced a device.
    var generation: UInt64 = 0
    /// Who each actor is, for reports.
    var authors: [ActorID: String] = [:]
    /// Where the trace goes, if the run is traced.
    let trace: ((String) -> Void)?

    /// The centre; only ``restartCentre()`` lets go of it (to close its database before reopening it).
    var centreStorage: CentralDatabase?
    /// The centre's clock, randomness and time zone, kept across restarts so its clock goes on.
    let centreOptions: BookOptions
    /// The folder of the centre's file when it is restarted; `nil` when it lives in memory.
    let scratch: ScratchDirectory?

    /// The base of every book's fixed clock (2026-11-22).
    static let epoch: UInt64 = 1_795_395_600_000

    /// Sets up the centre, its principals, and the devices with their enrolments.
    init(_ simulation: Simulation, trace: ((String) -> Void)? = nil) throws {
        self.simulation = simulation
        self.trace = trace
        random = SplitMix64(seed: simulation.seed)
        centreOptions = .fixed(milliseconds: Self.epoch, seed: 77)
        if simulation.scenario.contains(.centreRestarts) {
            let scratch = try ScratchDirectory()
            self.scratch = scratch
            centreStorage = try CentralDatabase.open(at: scratch.file("central.sqlite"), options: centreOptions)
        } else {
            scratch = nil
            centreStorage = try CentralDatabase.inMemory(options: centreOptions)
        }
        authors[central.book.actor] = "the centre"
        for principal in Simulation.principals {
            try central.addPrincipal(principal.code, name: principal.name, role: principal.role)
        }
        for index in 0..<simulation.devices {
            devices.append(try enrol(index: index, principal: Simulation.principal(ofDevice: index)))
        }
    }

    /// The centre.
    var central: CentralDatabase { centreStorage! }

    /// A new book and a new enrolment for the device at an index. The first four devices of the first generation
    /// get the clocks and seeds the original test gave them; a fresh book replacing a device starts its clock at the
    /// centre's time, as a new phone set up that day would.
    func enrol(index: Int, principal: String) throws -> SimulatedDevice {
        let seed =
            generation == 0 && index < 4
            ? simulation.seed &* 10 &+ UInt64(index)
            // Never the centre's seed (77) nor another device's: the centre refuses an actor it knows already.
            : (simulation.seed &* 0x9E37_79B9_7F4A_7C15 ^ (UInt64(index) << 32 | generation)) | 1 << 63
        let start = generation == 0 ? Self.epoch + UInt64(index) * 7 : try central.now().milliseconds
        let book = try Book.inMemory(principal: principal, options: .fixed(milliseconds: start, seed: seed))
        let device = SimulatedDevice(
            index: index, generation: generation, book: book, token: try central.addDevice(for: principal, address: "sim"))
        authors[book.actor] = device.label
        log("\(device.label) enrolled: actor \(book.actor.short), device \(device.token.device.hex.prefix(8))")
        return device
    }

    /// Whether the next draw falls under a percentage.
    func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

    /// One element of a list, drawn.
    func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }

    /// One step of the run: an extension's event when one is drawn, else an edit, a faulty session or a coverage
    /// change on a random device, as in the original scenario.
    ///
    /// - Returns: The divergence a mid-run quiet round found, if any.
    func step(_ index: Int) throws -> SimulationDivergence? {
        let scenario = simulation.scenario
        if scenario != .original {
            switch random.next() % 100 {
            case 0..<2 where scenario.contains(.quietRounds):
                log("step \(index): quiet round")
                return try quietRound(step: index)
            case 2..<4 where scenario.contains(.centreRestarts):
                log("step \(index): centre restarts")
                try restartCentre()
                return nil
            case 4..<6 where scenario.contains(.reenrolment):
                log("step \(index): re-enrolment")
                try reenrol()
                return nil
            case 6..<9 where scenario.contains(.coverageChurn):
                log("step \(index): coverage churn")
                try coverageChurn()
                return nil
            default:
                break
            }
        }
        let device = pick(devices)
        switch random.next() % 10 {
        case 0..<5:
            log("step \(index): \(device.label) edits")
            try randomEdit(device)
        case 5..<9:
            log("step \(index): \(device.label) syncs with faults")
            if try chaoticSync(device) == nil { statistics.sessionsBroken += 1 } else { statistics.sessionsCompleted += 1 }
        default:
            log("step \(index): coverage change")
            try randomCoverageChange()
        }
        return nil
    }
}
