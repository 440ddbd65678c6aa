/// A rule every replica must keep after a quiet round (every device synced twice without faults). A ``Simulation``
/// checks them in this order and reports the first one broken.
public enum SimulationInvariant: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Every sync of a quiet round finished and verified its state hash against the centre's ([W-9.4]).
    case syncVerified = "sync-verified"
    /// Each device holds exactly the customers its principal owns or co-covers, as the centre sees them.
    case exactScope = "exact-scope"
    /// Each customer a device holds has the same state hash on the device as at the centre.
    case scopeHashes = "scope-hashes"
    /// Every op the centre accepted is on every device whose scope covers it, and a device holds no op of a scope
    /// it does not cover (or one the centre does not have).
    case scopeOps = "scope-ops"
    /// Each device's projections equal a rebuild from its op log (checked at the final quiet round only).
    case projections = "projections"
    /// The devices of one principal have the same state hash.
    case principalConverged = "principal-converged"
    /// Every op an honest device authored is stored at the centre (except the unpushed work of a device dropped
    /// for a fresh book). Ops refused by the centre count as lost here, unlike the centre's `held` counter.
    case noFieldWorkLost = "no-field-work-lost"
    /// The scenario itself failed: a book or the centre threw where nothing should (a bug of its own kind).
    case noError = "no-error"

    /// The name printed by `tools/simulate`.
    public var description: String { rawValue }
}
