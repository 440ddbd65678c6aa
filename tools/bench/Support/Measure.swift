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
}
