import Foundation

/// A `fieldbook serve` child process on a loopback port, for end-to-end tests.
final class CentralProcess {
    let process: Process
    let port: Int
    let log: Pipe

    /// Starts the server and waits (up to 20 s) for its "listening on" line.
    init(home: String, port: Int = 0, extra: [String] = []) throws {
        let (process, _, output, error) = try Executable.start(
            ["serve", "--host", "127.0.0.1", "--port", String(port)] + extra, environment: ["FIELDBOOK_HOME": home])
        self.process = process
        self.log = error
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("\n"), Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let colon = text.split(separator: "\n").first?.split(separator: ":").last, let bound = Int(colon) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "serve did not start: \(text)"])
        }
        self.port = bound
    }

    var address: String { "127.0.0.1:\(port)" }

    /// Stops with SIGTERM and waits; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills with SIGKILL and waits.
    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Everything the server logged so far (only after it exited).
    func logText() -> String { String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
}
