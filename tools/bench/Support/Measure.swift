import Foundation

/// Timing and reporting shared by `fieldbook-bench` and `fieldbook-loadgen`.
///
/// Each figure is printed as one line `RESULT {json}` on stdout, which `tools/bench/report.py` collects:
/// `{"id", "label", "unit", "values", "bytes"?, "note"?}`. Times are in milliseconds; `values` holds every repetition
/// so the report can take the median, min and max.
public enum Measure {
    /// Seconds in a duration.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Milliseconds spent in `body`.
    public static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return seconds(ContinuousClock.now - start) * 1000
    }

    /// Milliseconds spent in an async `body`.
    public static func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        return seconds(ContinuousClock.now - start) * 1000
    }

    /// The value at quantile `q` (0…1) of `values`, nearest rank.
    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[max(0, min(sorted.count - 1, rank))]
    }

    /// This process's peak resident set, in bytes (Linux `VmHWM`).
    public static func peakRSS(pid: Int32? = nil) -> Int {
        let path = pid.map { "/proc/\($0)/status" } ?? "/proc/self/status"
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return digits * 1024
        }
        return 0
    }

    /// The CPU time (user + system) a process has used so far, in seconds: `/proc/PID/stat` for another process,
    /// `getrusage` for this one. For per-session CPU figures beside wall times, since the server, the load generator
    /// and anything else share the machine's cores.
    public static func cpuSeconds(pid: Int32? = nil) -> Double {
        guard let pid else {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Prints one figure for the report.
    public static func emit(
        _ id: String, _ label: String, unit: String, values: [Double], extra: [String: Any] = [:]
    ) {
        var object: [String: Any] = ["id": id, "label": label, "unit": unit, "values": values]
        for (key, value) in extra { object[key] = value }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print("RESULT " + String(decoding: data, as: UTF8.self))
        let shown = values.count == 1
            ? String(format: "%.3f", values[0])
            : String(format: "median %.3f (min %.3f, max %.3f, n=%d)", quantile(values, 0.5), values.min()!, values.max()!,
                     values.count)
        FileHandle.standardError.write(Data("  \(label): \(shown) \(unit)\n".utf8))
    }

    /// What `body` allocated: `malloc` calls (with `calloc` and `realloc`) and bytes, on every thread, counted by
    /// ordo-one's malloc-interposer. `nil` unless the interposer is preloaded:
    /// `LD_PRELOAD=.build-release/release/libMallocInterposerSwift.so` (tools/bench/run builds it and preloads it for the
    /// `allocations` workload only). Its functions are looked up at run time rather than linked, because a linked
    /// interposer replaces `malloc` for the whole process and would slow the timed workloads.
    public static func allocations(_ body: () throws -> Void) rethrows -> (count: Int, bytes: Int)? {
        guard let interposer = Interposer.shared else { return nil }
        interposer.start()
        try body()
        return interposer.stop()
    }

    /// What an async `body` allocated, on every thread (see ``allocations(_:)``).
    public static func allocations(_ body: () async throws -> Void) async rethrows -> (count: Int, bytes: Int)? {
        guard let interposer = Interposer.shared else { return nil }
        interposer.start()
        try await body()
        return interposer.stop()
    }

    /// Prints an allocation count (see ``allocations(_:)``) divided over `count` units: allocations and bytes per unit.
    public static func emitAllocations(
        _ id: String, _ label: String, _ counted: (count: Int, bytes: Int), per count: Int, unit: String
    ) {
        emit(id, label, unit: "allocs/\(unit)", values: [Double(counted.count) / Double(max(1, count))],
             extra: ["bytes_per_unit": Double(counted.bytes) / Double(max(1, count)), "per": count])
    }
}

/// The counting functions of a preloaded malloc-interposer (its C API, `interposer.h`), found with `dlsym`.
private struct Interposer: @unchecked Sendable {
    // @unchecked: C function pointers, immutable after lookup.
    typealias Toggle = @convention(c) () -> Void
    typealias Statistics = @convention(c) (
        UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>,
        UnsafeMutablePointer<Int64>, UnsafeMutablePointer<Int64>
    ) -> Void
    let reset: Toggle
    let enable: Toggle
    let disable: Toggle
    let statistics: Statistics

    static let shared: Interposer? = {
        let process = dlopen(nil, RTLD_NOW)
        func symbol<T>(_ name: String, as type: T.Type) -> T? {
            dlsym(process, name).map { unsafeBitCast($0, to: type) }
        }
        guard let reset = symbol("malloc_interposer_reset", as: Toggle.self),
            let enable = symbol("malloc_interposer_enable", as: Toggle.self),
            let disable = symbol("malloc_interposer_disable", as: Toggle.self),
            let statistics = symbol("malloc_interposer_get_stats", as: Statistics.self)
        else { return nil }
        return Interposer(reset: reset, enable: enable, disable: disable, statistics: statistics)
    }()

    func start() {
        reset()
        enable()
    }

    func stop() -> (count: Int, bytes: Int) {
        disable()
        var count: Int64 = 0, bytes: Int64 = 0, small: Int64 = 0, large: Int64 = 0, frees: Int64 = 0, freed: Int64 = 0
        statistics(&count, &bytes, &small, &large, &frees, &freed)
        return (Int(count), Int(bytes))
    }
}
