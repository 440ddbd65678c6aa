import BenchSupport
import Foundation

/// `fieldbook-bench`: Fieldbook's side of every workload of `tools/bench/run` (issue 8).
///
/// Usage: `fieldbook-bench WORKLOAD [--option value …]`, one workload per process so that each reports its own peak
/// memory. Every figure is printed as a `RESULT {json}` line on stdout (see ``Measure``); progress goes to stderr.
///
/// - `wire [--out workload.json] [--day2-out day2.json] [--frames DIR] [--customers 2000] [--ops 500] [--touched 300]`
/// - `apply [--ops 100000] [--runs 5] [--modes memory,persisted,sqlite,rows] [--tag apply] [--out workload.json]`
/// - `latency --book PATH [--customers 5000] [--samples 300] [--checkpoint between|automatic] [--fresh-wal yes]`
/// - `startup --fieldbook BIN --book PATH [--runs 20]`
/// - `sync [--customers 2000] [--central-ops 10000,100000,1000000] [--runs 5] [--out YEAR.json] [--fieldbook BIN] [--book-out PATH]`
/// - `allocations --book PATH [--ops 20000] [--customers 1000] [--samples 100]` (under the interposer's LD_PRELOAD)
@main
struct Bench {
    static let usage = """
        usage: fieldbook-bench wire|apply|latency|startup|sync|allocations [--option value …]
          wire     [--out FILE] [--day2-out FILE] [--frames DIR] [--customers 2000] [--ops 500] [--touched 300]
          apply    [--ops 100000] [--runs 5] [--modes memory,persisted,sqlite,rows] [--tag apply] [--out FILE]
          latency  --book PATH [--customers 5000] [--samples 300] [--checkpoint between|automatic] [--fresh-wal yes]
          startup  --fieldbook BIN --book PATH [--customers 5000] [--runs 20]
          sync     [--customers 2000] [--central-ops 10000,100000,1000000] [--runs 5] [--out YEAR.json]
                   [--fieldbook BIN] [--book-out PATH]
          allocations --book PATH [--ops 20000] [--customers 1000] [--samples 100]
                   (needs LD_PRELOAD=.build-release/release/libMallocInterposerSwift.so)
        """

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let options = Options(arguments: Array(arguments.dropFirst()))
        do {
            switch arguments.first {
            case "wire": try WireBench.run(options)
            case "apply": try ApplyBench.run(options)
            case "latency": try LatencyBench.run(options)
            case "startup": try StartupBench.run(options)
            case "sync":
                var bench = SyncBench(
                    customers: options.int("--customers", 2_000),
                    centralOps: options.ints("--central-ops", [1_000_000]).sorted(), runs: options.int("--runs", 5))
                bench.workloadOut = options.string("--out")
                bench.fieldbook = options.string("--fieldbook")
                bench.bookOut = options.string("--book-out")
                try await bench.run()
            case "allocations": try await AllocationBench.run(options)
            default:
                FileHandle.standardError.write(Data((usage + "\n").utf8))
                exit(2)
            }
        } catch {
            FileHandle.standardError.write(Data("fieldbook-bench: \(error)\n".utf8))
            exit(1)
        }
    }
}
