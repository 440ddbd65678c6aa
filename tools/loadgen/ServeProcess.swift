import BenchSupport
import Foundation

/// A `fieldbook serve` child process on loopback.
///
/// Every server flag the load generator depends on is here, in one place. `serve` speaks TLS by default; the load
/// generator enrols its devices straight through `CentralDatabase` with tokens that carry no fingerprint, so it runs
/// the server with `--insecure` and measures the sync protocol and the central database, not TLS handshakes.
final class ServeProcess: @unchecked Sendable {
    // @unchecked because `port` is set once in `init`, `recordedPeak` is only touched under `lock`, and `stop()` may
    // run from the watchdog and from `defer`: terminating a process twice is harmless.
    /// Flags added to every `fieldbook serve` the load generator starts. Its devices all connect from 127.0.0.1, where
    /// a branch's would come from many addresses: the per-address cap on unauthenticated connections (16 by default,
    /// against floods from one address) is raised to the run's size so that it measures the store, not that cap.
    static let extraArguments: [String] = [
        "--insecure", "--max-unauthenticated-per-address", "5000", "--max-unauthenticated", "5000",
    ]

    let process = Process()
    private(set) var port = 0

    /// Starts the server on `database` and waits for its "listening on HOST:PORT" line.
    init(binary: String, database: String, extraArguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--db", database, "--host", "127.0.0.1", "--port", "0"] + Self.extraArguments + extraArguments
        var environment = ProcessInfo.processInfo.environment
        environment["FIELDBOOK_LOG"] = "warning"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            guard !chunk.isEmpty else { throw LoadError("fieldbook serve exited before listening") }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on "), let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw LoadError("unexpected first line from fieldbook serve: \(text.prefix(80))") }
        self.port = port
    }

    /// The server's peak resident set so far, in bytes (Linux `VmHWM`); after `stop()`, the last reading before it.
    var peakRSS: Int {
        lock.withLock { max(recordedPeak, Measure.peakRSS(pid: process.processIdentifier)) }
    }

    private let lock = NSLock()
    private var recordedPeak = 0

    /// Kills the server at once (SIGKILL: no session ends cleanly, nothing is flushed) and waits for it; returns its
    /// CPU time up to then, in seconds.
    @discardableResult
    func killAtOnce() -> Double {
        guard process.isRunning else { return 0 }
        let used = Measure.cpuSeconds(pid: process.processIdentifier)
        lock.withLock { recordedPeak = max(recordedPeak, Measure.peakRSS(pid: process.processIdentifier)) }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return used
    }

    /// Stops the server (SIGTERM: it lets running sessions end) and waits; SIGKILL after 10 s.
    func stop() {
        guard process.isRunning else { return }
        // Read before the process goes: the watchdog stops it while the sessions are still being counted.
        lock.withLock { recordedPeak = max(recordedPeak, Measure.peakRSS(pid: process.processIdentifier)) }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A load generator failure.
struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
