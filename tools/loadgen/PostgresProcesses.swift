import Foundation

/// The processes of one PostgreSQL cluster on this machine, for the CPU time the centre's database spends.
///
/// The cluster is found by its port: its postmaster is the `postgres` process whose parent is not one, and whose data
/// directory (its working directory) holds a `postmaster.pid` naming that port (line 4). Its CPU time is the
/// postmaster's own, that of its children that have exited and been waited for (`cutime`/`cstime`: the backends of
/// connections closed meanwhile, such as a killed server's), and that of its children still running (the backends,
/// the WAL writer, the checkpointer, autovacuum). Linux only; reading another user's `/proc/PID/cwd` needs root.
struct PostgresProcesses {
    /// The postmaster's process ID.
    let postmaster: Int32

    /// Finds the cluster listening on `port`, or `nil` when none can be found.
    init?(port: Int) {
        let postmasters = Self.all().filter { process in
            process.command == "postgres" && Self.stat(of: process.parent)?.command != "postgres"
        }
        for process in postmasters {
            let pidFile = "/proc/\(process.pid)/cwd/postmaster.pid"
            guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.count > 3, Int(lines[3].trimmingCharacters(in: .whitespaces)) == port {
                postmaster = process.pid
                return
            }
        }
        return nil
    }

    /// The cluster's CPU time so far, user and system, in seconds (see the type's comment).
    func cpuSeconds() -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var total = 0.0
        for process in Self.all() where process.pid == postmaster || process.parent == postmaster {
            total += process.ownTicks + (process.pid == postmaster ? process.childTicks : 0)
        }
        return total / ticks
    }

    /// One `/proc/PID/stat`.
    struct Stat {
        var pid: Int32
        var command: String
        var parent: Int32
        /// utime + stime, in clock ticks.
        var ownTicks: Double
        /// cutime + cstime (children waited for), in clock ticks.
        var childTicks: Double
    }

    /// Every process's stat.
    static func all() -> [Stat] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return names.compactMap { Int32($0) }.compactMap { stat(of: $0) }
    }

    /// One process's stat, or `nil` when it is gone.
    static func stat(of pid: Int32) -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")")
        else { return nil }
        let command = String(text[text.index(after: open)..<close])
        // After the command: state, ppid, …, utime (14th field of the line, index 11 here), stime, cutime, cstime.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 14, let parent = Int32(fields[1]), let user = Double(fields[11]), let system = Double(fields[12]),
            let childUser = Double(fields[13]), let childSystem = Double(fields[14])
        else { return nil }
        return Stat(pid: pid, command: command, parent: parent, ownTicks: user + system, childTicks: childUser + childSystem)
    }
}
