import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import Foundation
import Logging

/// `fieldbook-bench`: measures Fieldbook's own workloads (issue 8 adds the peers and the full table).
///
/// Usage: `fieldbook-bench sync [--central-ops N] [--customers N] [--runs N]`
///
/// Prints one line per figure: name, median, min, max, and bytes where the figure is a sync.
@main
struct Bench {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == "sync" else {
            print("usage: fieldbook-bench sync [--central-ops N] [--customers N] [--runs N]")
            exit(2)
        }
        arguments = arguments.dropFirst()
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.endIndex else { return fallback }
            return Int(arguments[index + 1]) ?? fallback
        }
        var bench = SyncBench(
            customers: option("--customers", 2_000), centralOps: option("--central-ops", 1_000_000), runs: option("--runs", 5))
        try await bench.run()
    }
}
