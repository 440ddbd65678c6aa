import FieldbookSimulation
import Foundation
import Synchronization

/// `fieldbook-simulate`: runs issue 21's simulated network for a range of seeds, in parallel on every core, each
/// seed on its own in-memory world (see ``Simulation``). `tools/simulate` builds it in release and runs it.
@main
struct Simulate {
    static func main() {
        let options: SimulateOptions
        do {
            options = try SimulateOptions(Array(CommandLine.arguments.dropFirst()), cores: ProcessInfo.processInfo.activeProcessorCount)
        } catch {
            if let message = error.message { standardError("simulate: \(message)\n") }
            standardError(SimulateOptions.usage + "\n")
            exit(error.message == nil ? 0 : 2)
        }
        let total = options.count
        standardError(
            "simulate: seeds \(options.first)-\(options.last), \(options.devices) devices, \(options.steps) steps, "
                + "\(options.faults) % faults, scenario \(options.scenario), "
                + (options.ignored.isEmpty ? "" : "ignoring \(options.ignored.map(\.rawValue).sorted().joined(separator: ",")), ")
                + "\(options.jobs) jobs\n")

        let next = Atomic<UInt64>(0)
        let progress = Mutex(Progress())
        let started = ContinuousClock.now
        let trace: (@Sendable (String) -> Void)? =
            options.trace ? { @Sendable line in FileHandle.standardError.write(Data((line + "\n").utf8)) } : nil
        DispatchQueue.concurrentPerform(iterations: options.trace ? 1 : options.jobs) { _ in
            while true {
                let offset = next.add(1, ordering: .relaxed).oldValue
                guard offset < total else { return }
                let simulation = options.simulation(options.first + offset)
                let result = simulation.run(trace: trace)
                progress.withLock { progress in
                    progress.record(result)
                    if let divergence = result.divergence {
                        standardOutput(
                            "DIVERGED \(divergence)\n  replay: tools/simulate \(simulation.replayArguments)\n")
                    }
                    let elapsed = started.duration(to: .now)
                    if elapsed - progress.reported >= .seconds(10) {
                        progress.reported = elapsed
                        standardError(
                            "simulate: \(progress.done)/\(total) seeds, \(progress.diverged) diverged, "
                                + String(format: "%.1f seeds/s", rate(progress.done, elapsed)) + "\n")
                    }
                }
            }
        }
        let elapsed = started.duration(to: .now)
        let final = progress.withLock { $0 }
        let s = final.statistics
        standardError(
            "simulate: \(final.done) seeds in " + String(format: "%.1f s, %.1f seeds/s", seconds(elapsed), rate(final.done, elapsed))
                + "; sessions \(s.sessionsCompleted) completed, \(s.sessionsBroken) broken; \(s.quietRounds) quiet rounds, "
                + "\(s.centreRestarts) centre restarts, \(s.reenrolments) re-enrolments, \(s.coverageChurns) coverage churns, "
                + "\(s.coverageChanges) single coverage changes; \(s.opsAuthored) ops authored, "
                + "\(s.opsDroppedWithDevice) dropped unpushed with a replaced device\n")
        if !final.byInvariant.isEmpty {
            let counts = final.byInvariant.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key) \($0.value)" }
            standardError("simulate: first invariant broken: \(counts.joined(separator: ", "))\n")
        }
        standardOutput("\(final.done) seeds, \(final.diverged) diverged\n")
        exit(final.diverged > 0 ? 1 : 0)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func rate(_ count: UInt64, _ duration: Duration) -> Double {
        let elapsed = seconds(duration)
        return elapsed > 0 ? Double(count) / elapsed : 0
    }

    /// Writes to stdout unbuffered (lines from several threads are written whole, under the progress lock).
    static func standardOutput(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
