import FieldbookSimulation

/// The command line of `fieldbook-simulate` (and of `tools/simulate`, which passes it on).
struct SimulateOptions {
    static let usage = """
        usage: tools/simulate [--seeds A-B] [--devices N] [--steps K] [--faults P] [--scenario S] [--ignore LIST] [--jobs J]
                              [--trace]

          --seeds A-B     the seeds to run, inclusive (default 1-1000; one seed: 28 or 28-28)
          --devices N     devices of the principals M001, M001, M002, W001, M001, … (default 4)
          --steps K       steps before the final quiet round (default 150)
          --faults P      percent of messages of a faulty session dropped, duplicated or reordered (default 8)
          --scenario S    extended (default), original (issue 21's seeds), or a list of quiet,restart,reenrol,churn
          --ignore LIST   invariants not checked, comma-separated: sync-verified, exact-scope, scope-hashes, scope-ops,
                          projections, principal-converged, no-field-work-lost (default: none)
          --jobs J        seeds run at once (default: every core)
          --trace         print every step, message, fault and coverage change of each seed to stderr (one job)

        Prints each divergence (seed, step, first invariant broken, replay command) as it is found, progress on
        stderr, and last `N seeds, M diverged`; exits 1 when M > 0, 2 on a bad command line.
        """

    var first: UInt64 = 1
    var last: UInt64 = 1_000
    var devices = 4
    var steps = 150
    var faults: UInt64 = 8
    var scenario: SimulationScenario = .extended
    var ignored: Set<SimulationInvariant> = []
    var jobs: Int
    var trace = false

    /// Parses the arguments (without the program's name).
    ///
    /// - Throws: A message for the user when an argument is unknown or its value is not allowed.
    init(_ arguments: [String], cores: Int) throws(UsageError) {
        jobs = max(1, cores)
        var rest = arguments[...]
        while let name = rest.popFirst() {
            if name == "-h" || name == "--help" { throw UsageError(message: nil) }
            if name == "--trace" {
                trace = true
                continue
            }
            guard let value = rest.popFirst() else { throw UsageError(message: "\(name) needs a value") }
            switch name {
            case "--seeds":
                let bounds = value.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), let a = UInt64(bounds[0]), let b = UInt64(bounds[bounds.count - 1]),
                    a <= b, b - a < 1 << 40
                else { throw UsageError(message: "--seeds takes A-B with A ≤ B, not '\(value)'") }
                first = a
                last = b
            case "--devices":
                guard let n = Int(value), (1...64).contains(n) else { throw UsageError(message: "--devices takes 1…64, not '\(value)'") }
                devices = n
            case "--steps":
                guard let n = Int(value), (0...1_000_000).contains(n) else { throw UsageError(message: "--steps takes 0…1000000, not '\(value)'") }
                steps = n
            case "--faults":
                guard let n = UInt64(value), n <= 100 else { throw UsageError(message: "--faults takes 0…100, not '\(value)'") }
                faults = n
            case "--scenario":
                guard let parsed = SimulationScenario(names: value) else {
                    throw UsageError(message: "--scenario takes extended, original, or a list of quiet,restart,reenrol,churn; not '\(value)'")
                }
                scenario = parsed
            case "--ignore":
                for name in value.split(separator: ",") {
                    guard let invariant = SimulationInvariant(rawValue: String(name)), invariant != .noError else {
                        throw UsageError(message: "--ignore takes invariant names (see --help), not '\(name)'")
                    }
                    ignored.insert(invariant)
                }
            case "--jobs":
                guard let n = Int(value), (1...1_024).contains(n) else { throw UsageError(message: "--jobs takes 1…1024, not '\(value)'") }
                jobs = n
            default:
                throw UsageError(message: "unknown option \(name)")
            }
        }
    }

    /// The simulation of one seed.
    func simulation(_ seed: UInt64) -> Simulation {
        Simulation(seed: seed, devices: devices, steps: steps, faultPercent: faults, scenario: scenario, ignoring: ignored)
    }

    /// How many seeds.
    var count: UInt64 { last - first + 1 }
}
