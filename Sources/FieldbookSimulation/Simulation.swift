import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore

/// Issue 21's scenario, outside XCTest: a central node and a few devices, random edits between syncs, coverage
/// changes by the centre, and sessions that drop, duplicate or reorder messages; after every quiet round (each device
/// syncs twice without faults) every ``SimulationInvariant`` is checked. Everything runs in memory (the centre on a
/// file in a temporary folder when it is restarted), on one thread, from one seeded random stream, so a seed replays
/// exactly.
///
/// For example:
///
/// ```swift
/// let result = Simulation(seed: 28, scenario: .original).run()
/// if let divergence = result.divergence {
///     print(divergence)   // seed 28, step 150: sync-verified: device 2 (M002) …
/// }
/// ```
///
/// Devices belong to principals in the order M001, M001, M002, W001, then M001, M002, W001 again; the admin assigns
/// customers to M001 and M002 and co-covers them with the advisor W001.
///
/// ## Topics
/// - ``run()``, ``SimulationResult``, ``SimulationDivergence``, ``SimulationInvariant``
/// - ``SimulationScenario``, ``replayArguments``
public struct Simulation: Sendable, Hashable {
    /// The seed of the random stream: every choice of the run comes from it.
    public var seed: UInt64
    /// How many devices sync with the centre (at least 1).
    public var devices: Int
    /// How many steps run before the final quiet round.
    public var steps: Int
    /// The chance, in percent, that a message of a faulty session is dropped, duplicated or swapped with the next.
    public var faultPercent: UInt64
    /// The extensions of the original scenario that run.
    public var scenario: SimulationScenario
    /// Invariants not checked (for instance ``SimulationInvariant/noFieldWorkLost`` while the centre still refuses
    /// offline work on a customer reassigned meanwhile, issue 14). Empty by default.
    public var ignored: Set<SimulationInvariant>

    /// Makes a simulation; the defaults are issue 21's scenario sizes, with every extension.
    ///
    /// - Parameters:
    ///   - seed: The seed.
    ///   - devices: How many devices (at least 1).
    ///   - steps: How many steps before the final quiet round.
    ///   - faultPercent: The chance of a fault per message, 0…100.
    ///   - scenario: The extensions; ``SimulationScenario/original`` replays issue 21's seeds.
    ///   - ignored: Invariants not checked.
    public init(
        seed: UInt64, devices: Int = 4, steps: Int = 150, faultPercent: UInt64 = 8, scenario: SimulationScenario = .extended,
        ignoring ignored: Set<SimulationInvariant> = []
    ) {
        self.seed = seed
        self.devices = max(1, devices)
        self.steps = max(0, steps)
        self.faultPercent = min(faultPercent, 100)
        self.scenario = scenario
        self.ignored = ignored
    }

    /// The principals: two managers and an advisor.
    static let principals: [(code: String, name: String, role: PrincipalRole)] = [
        ("M001", "张经理", .manager), ("M002", "李经理", .manager), ("W001", "王投顾", .advisor),
    ]

    /// The principal of the device at an index: M001, M001, M002, W001, then M001, M002, W001 again.
    static func principal(ofDevice index: Int) -> String {
        index < 4 ? ["M001", "M001", "M002", "W001"][index] : ["M001", "M002", "W001"][(index - 4) % 3]
    }

    /// The arguments of `tools/simulate` that replay this simulation alone.
    public var replayArguments: String {
        var arguments = "--seeds \(seed)-\(seed) --devices \(devices) --steps \(steps) --faults \(faultPercent)"
        if scenario != .extended { arguments += " --scenario \(scenario)" }
        if !ignored.isEmpty { arguments += " --ignore " + ignored.map(\.rawValue).sorted().joined(separator: ",") }
        return arguments
    }

    /// Runs the scenario and checks the invariants after every quiet round, stopping at the first round that finds
    /// one broken.
    ///
    /// - Parameter trace: Called with each line of a trace of the run (every step, message, fault and coverage
    ///   change), or `nil` (the default) for none.
    /// - Returns: Success, or the first divergence with the step it was found at.
    public func run(trace: ((String) -> Void)? = nil) -> SimulationResult {
        var world: SimulatedWorld?
        do {
            let created = try SimulatedWorld(self, trace: trace)
            world = created
            for step in 0..<steps {
                created.statistics.steps = step
                if let divergence = try created.step(step) {
                    return SimulationResult(seed: seed, divergence: divergence, statistics: created.statistics)
                }
            }
            created.statistics.steps = steps
            created.log("final quiet round")
            let divergence = try created.quietRound(step: steps)
            return SimulationResult(seed: seed, divergence: divergence, statistics: created.statistics)
        } catch {
            let statistics = world?.statistics ?? SimulationStatistics()
            return SimulationResult(
                seed: seed,
                divergence: SimulationDivergence(seed: seed, step: statistics.steps, invariant: .noError, detail: "\(error)"),
                statistics: statistics)
        }
    }
}
