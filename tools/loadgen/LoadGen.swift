import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import Foundation

/// `fieldbook-loadgen`: drives N devices, each on its own loopback connection, against a real `fieldbook serve`
/// process, and reports throughput, p50/p99 session time and the server's peak memory (issue 8, workload 5).
///
/// For each N it makes a fresh central database with N managers and one enrolled device each, starts
/// `fieldbook serve` on it, gives every device a first sync (its customers; not measured), writes each device's day
/// (`--ops` edits over its customers) and then starts all N syncs at once, each pushing its day and pulling.
/// Bounded in count (`--devices`) and in time (`--time-limit` seconds per N: sessions still running then are
/// reported as unfinished and the server is stopped).
///
/// Output: `RESULT {json}` lines on stdout like `fieldbook-bench` (see tools/bench/report.py), progress on stderr.
@main
struct LoadGen {
    static let usage = """
        usage: fieldbook-loadgen --fieldbook BIN [--devices 10,100,1000] [--ops 500] [--customers 30] [--time-limit 60]
                                 [--hold N]   (N authenticated idle sessions held at once, then one sync; 0 = skip)
        """

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        func value(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        guard let binary = value("--fieldbook"), !arguments.contains("--help") else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(2)
        }
        let devices = (value("--devices") ?? "10,100,1000").split(separator: ",").compactMap { Int($0) }
        let ops = value("--ops").flatMap(Int.init) ?? 500
        let customers = value("--customers").flatMap(Int.init) ?? 30
        let limit = value("--time-limit").flatMap(Double.init) ?? 60
        guard !devices.isEmpty, devices.allSatisfy({ $0 > 0 && $0 <= 5_000 }), ops > 0, customers > 0, limit > 0 else {
            FileHandle.standardError.write(Data("fieldbook-loadgen: --devices must be 1…5000 each; --ops, --customers and --time-limit positive\n".utf8))
            exit(2)
        }
        let hold = value("--hold").flatMap(Int.init) ?? 0
        guard hold >= 0, hold <= 20_000 else {
            FileHandle.standardError.write(Data("fieldbook-loadgen: --hold must be 0…20000\n".utf8))
            exit(2)
        }
        do {
            for count in devices {
                try await LoadRun(binary: binary, devices: count, ops: ops, customers: customers, timeLimit: limit).run()
            }
            if hold > 0 { try await HoldRun(binary: binary, connections: hold).run() }
        } catch {
            FileHandle.standardError.write(Data("fieldbook-loadgen: \(error)\n".utf8))
            exit(1)
        }
    }
}
