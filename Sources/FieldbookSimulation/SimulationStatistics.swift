/// What a ``Simulation`` run exercised: a run that never broke a session, or never completed one, proves little.
public struct SimulationStatistics: Sendable, Hashable {
    /// Steps run (fewer than asked when a quiet round found a divergence).
    public var steps = 0
    /// Sessions with faults that broke before the device finished.
    public var sessionsBroken = 0
    /// Sessions with faults that finished.
    public var sessionsCompleted = 0
    /// Quiet rounds run, the final one included.
    public var quietRounds = 0
    /// Times the centre was closed and reopened.
    public var centreRestarts = 0
    /// Devices replaced by a fresh book.
    public var reenrolments = 0
    /// Runs of several coverage changes in a row on one customer.
    public var coverageChurns = 0
    /// Single coverage changes by the centre (the original scenario's).
    public var coverageChanges = 0
    /// Ops devices authored.
    public var opsAuthored = 0
    /// Ops authored by a device dropped for a fresh book before the centre stored them: legitimately lost.
    public var opsDroppedWithDevice = 0

    /// No runs yet.
    public init() {}
}
