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
/// With `--servers N` (and `--db postgres://…`, `--kill-busiest-at F`) it runs ``ClusterRun`` instead: N servers on
/// one centre, a SQLite file or a fresh database on a PostgreSQL cluster, with the lost-op count, resyncs after a
/// kill, and CPU per session of every component (issue 17).
///
/// Output: `RESULT {json}` lines on stdout like `fieldbook-bench` (see tools/bench/report.py), progress on stderr.
@main
struct LoadGen {
    static let usage = """
        usage: fieldbook-loadgen --fieldbook BIN [--devices 10,100,1000] [--ops 500] [--customers 30] [--time-limit 60]
                                 [--hold N]   (N authenticated idle sessions held at once, then one sync; 0 = skip)
               fieldbook-loadgen --fieldbook BIN --servers N [--db postgres://USER@HOST:PORT/DB] [--kill-busiest-at F]
                                 [--tag NAME] [--devices …] [--ops …] [--customers …] [--time-limit …]
                     (N servers on one centre: a SQLite file, or a fresh database on that PostgreSQL cluster, made
                      with psql and dropped after; with --kill-busiest-at, the busiest server is killed once F of the
                      devices have finished; results cluster.NAME.DEVICES.…)
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
        let postgres = value("--db")
        let servers = value("--servers").flatMap(Int.init)
        let killAt = value("--kill-busiest-at").flatMap(Double.init)
        if postgres != nil || servers != nil || killAt != nil {
            guard let servers, (1...16).contains(servers), hold == 0,
                postgres.map({ $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") }) ?? true,
                killAt.map({ $0 > 0 && $0 < 1 && servers > 1 }) ?? true
            else {
                FileHandle.standardError.write(Data("fieldbook-loadgen: --servers must be 1…16 (2 or more with --kill-busiest-at, which is a share 0…1); --db must be postgres://…; no --hold with them\n".utf8))
                exit(2)
            }
            let tag = value("--tag") ?? "\(postgres == nil ? "sqlite" : "postgres")\(servers)\(killAt == nil ? "" : "kill")"
            do {
                for count in devices {
                    try await ClusterRun(
                        binary: binary, postgres: postgres, servers: servers, devices: count, ops: ops, customers: customers,
                        timeLimit: limit, killAt: killAt, tag: tag
                    ).run()
                }
            } catch {
                FileHandle.standardError.write(Data("fieldbook-loadgen: \(error)\n".utf8))
                exit(1)
            }
            return
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
