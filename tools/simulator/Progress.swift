import FieldbookSimulation

/// The running totals of a `fieldbook-simulate` run.
struct Progress: Sendable {
    /// Seeds finished.
    var done: UInt64 = 0
    /// Seeds that diverged.
    var diverged: UInt64 = 0
    /// How many seeds broke each invariant first.
    var byInvariant: [SimulationInvariant: Int] = [:]
    /// The sums of every seed's statistics (`steps` counts steps run).
    var statistics = SimulationStatistics()
    /// When progress was last printed, since the start.
    var reported: Duration = .zero

    /// Counts one seed's result.
    mutating func record(_ result: SimulationResult) {
        done += 1
        if let divergence = result.divergence {
            diverged += 1
            byInvariant[divergence.invariant, default: 0] += 1
        }
        let s = result.statistics
        statistics.steps += s.steps
        statistics.sessionsBroken += s.sessionsBroken
        statistics.sessionsCompleted += s.sessionsCompleted
        statistics.quietRounds += s.quietRounds
        statistics.centreRestarts += s.centreRestarts
        statistics.reenrolments += s.reenrolments
        statistics.coverageChurns += s.coverageChurns
        statistics.coverageChanges += s.coverageChanges
        statistics.opsAuthored += s.opsAuthored
        statistics.opsDroppedWithDevice += s.opsDroppedWithDevice
    }
}
