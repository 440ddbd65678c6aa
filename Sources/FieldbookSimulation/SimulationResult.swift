/// The outcome of one ``Simulation``: success, or the first invariant broken.
public struct SimulationResult: Sendable, Hashable, CustomStringConvertible {
    /// The seed of the run.
    public var seed: UInt64
    /// The first divergence found, or `nil` when every quiet round kept every invariant.
    public var divergence: SimulationDivergence?
    /// What the run exercised.
    public var statistics: SimulationStatistics

    /// Makes a result.
    public init(seed: UInt64, divergence: SimulationDivergence?, statistics: SimulationStatistics) {
        self.seed = seed
        self.divergence = divergence
        self.statistics = statistics
    }

    /// Whether every invariant held.
    public var converged: Bool { divergence == nil }

    /// `seed 28: converged` or the divergence's line.
    public var description: String { divergence?.description ?? "seed \(seed): converged" }
}
