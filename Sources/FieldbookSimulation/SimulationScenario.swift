/// Which extensions of issue 21's scenario a ``Simulation`` runs, on top of the original: random edits, sessions
/// with faults, coverage changes by the centre, and one final quiet round.
///
/// Each extension draws from the simulation's one random stream, so a seed replays exactly under the same scenario;
/// with none of them (``original``) a seed draws exactly what `SimulatedNetworkTests` drew when issue 21 was filed,
/// so the seed numbers of that issue keep their meaning.
///
/// ```swift
/// let issue21 = Simulation(seed: 28, scenario: .original)
/// let full = Simulation(seed: 28)  // scenario: .extended
/// ```
public struct SimulationScenario: OptionSet, Sendable, Hashable, CustomStringConvertible {
    /// The bits.
    public let rawValue: UInt8

    /// Makes a scenario from its bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Quiet rounds (every device syncs twice without faults, then every invariant is checked) at a few random
    /// points of the run, not only at its end.
    public static let quietRounds = SimulationScenario(rawValue: 1 << 0)
    /// The centre closed and reopened from its file between steps (its database lives in a temporary folder).
    public static let centreRestarts = SimulationScenario(rawValue: 1 << 1)
    /// A device replaced by a fresh book enrolled with a new token for the same principal; the old device is revoked
    /// (sometimes after a last clean sync, sometimes with unpushed work, which is then legitimately lost).
    public static let reenrolment = SimulationScenario(rawValue: 1 << 2)
    /// An admin reassigning, co-covering and uncovering the same customer several times in a row while a device that
    /// holds it keeps editing it offline.
    public static let coverageChurn = SimulationScenario(rawValue: 1 << 3)

    /// Issue 21's scenario as filed: none of the extensions.
    public static let original: SimulationScenario = []
    /// Every extension: the default of `tools/simulate` and of the main simulated-network test.
    public static let extended: SimulationScenario = [.quietRounds, .centreRestarts, .reenrolment, .coverageChurn]

    /// The names `tools/simulate --scenario` takes, in order.
    public static let names: [(name: String, scenario: SimulationScenario)] = [
        ("quiet", .quietRounds), ("restart", .centreRestarts), ("reenrol", .reenrolment), ("churn", .coverageChurn),
    ]

    /// Parses `original`, `extended`, or a comma-separated list of ``names``; `nil` for anything else.
    public init?(names text: String) {
        switch text {
        case "original", "none": self = .original
        case "extended", "all": self = .extended
        default:
            var scenario: SimulationScenario = []
            for part in text.split(separator: ",") {
                guard let match = Self.names.first(where: { $0.name == part }) else { return nil }
                scenario.insert(match.scenario)
            }
            self = scenario
        }
    }

    /// `original`, `extended`, or the list of names: what ``init(names:)`` reads back.
    public var description: String {
        if self == .original { return "original" }
        if self == .extended { return "extended" }
        return Self.names.filter { contains($0.scenario) }.map(\.name).joined(separator: ",")
    }
}
