/// The first invariant a ``Simulation`` found broken, and where.
public struct SimulationDivergence: Sendable, Hashable, CustomStringConvertible {
    /// The seed of the run.
    public var seed: UInt64
    /// How many steps had run when the quiet round that found it started (the run's length for the final round).
    public var step: Int
    /// The first invariant broken, in ``SimulationInvariant``'s order.
    public var invariant: SimulationInvariant
    /// What was wrong: devices by index and principal, customers and ops by ID (no customer data).
    public var detail: String
    /// The other invariants broken in the same quiet round, in order.
    public var alsoBroken: [SimulationInvariant]

    /// Makes a divergence.
    public init(seed: UInt64, step: Int, invariant: SimulationInvariant, detail: String, alsoBroken: [SimulationInvariant] = []) {
        self.seed = seed
        self.step = step
        self.invariant = invariant
        self.detail = detail
        self.alsoBroken = alsoBroken
    }

    /// One line: `seed 28, step 150: scope-hashes: …`.
    public var description: String {
        let others = alsoBroken.isEmpty ? "" : " (also broken: \(alsoBroken.map(\.rawValue).joined(separator: ", ")))"
        return "seed \(seed), step \(step): \(invariant): \(detail)\(others)"
    }
}
