import FieldbookSimulation
import Testing

/// [W-9.2] [W-9.7] push from held + 1 and resume after any drop; [W-9.4] every final sync verifies its state hash.
/// A seeded simulated network (`FieldbookSimulation`, also run by `tools/simulate` for many more seeds): a central
/// node and four devices of three principals (M001 has two), random edits between syncs, coverage changes by the
/// centre, and sessions that drop mid-batch, deliver a message twice or out of order; in the extended scenario also
/// centre restarts from disk, devices re-enrolled on a fresh book, and runs of coverage changes on one customer while
/// a device edits it offline. After every quiet round (every device syncs twice without faults) every device must
/// hold exactly the centre's view of its scope, devices of one principal must be equal, and every op a device
/// authored must be stored at the centre (`SimulationInvariant`).
@Suite("Simulated network")
struct SimulatedNetworkTests {
    /// Seeds 1…80 of the extended scenario: with the regressions below, a minute of the debug suite on 2 cores
    /// shared with other work (RELIABILITY.md). More seeds are `tools/simulate`'s job (`tools/test` runs 81…400).
    @Test(
        "random edits, faults, coverage changes, restarts and re-enrolments converge, verified against the centre",
        arguments: Array(UInt64(1)...UInt64(80)))
    func convergence(seed: UInt64) {
        let simulation = Simulation(seed: seed)
        let result = simulation.run()
        #expect(result.converged, "\(result); replay: tools/simulate \(simulation.replayArguments)")
        // The run really exercised both broken and completed sessions.
        #expect(
            result.statistics.sessionsBroken > 0 && result.statistics.sessionsCompleted > 0,
            "seed \(seed): \(result.statistics.sessionsBroken) broken, \(result.statistics.sessionsCompleted) completed")
    }

    /// The seeds of issue 21: the 24 of seeds 1…400 that diverged in the original scenario (4 devices, 150 steps, 8 %
    /// faults, one final quiet round) when the issue was filed. They run that scenario, not the extended one, so
    /// each number still names the run the issue describes.
    @Test(
        "issue 21's diverging seeds converge (original scenario)",
        arguments: [9, 10, 18, 28, 46, 57, 61, 82, 83, 88, 96, 107, 111, 162, 247, 273, 284, 290, 340, 362, 366, 380, 394, 399]
            as [UInt64])
    func regressions(seed: UInt64) {
        let simulation = Simulation(seed: seed, scenario: .original)
        let result = simulation.run()
        #expect(result.converged, "\(result); replay: tools/simulate \(simulation.replayArguments)")
    }
}
