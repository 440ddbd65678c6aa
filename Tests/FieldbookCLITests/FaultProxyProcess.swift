import Foundation

/// `tools/faultproxy/faultproxy.py` as a child process in front of a server, for network-fault tests.
final class FaultProxyProcess {
    let process: Process
    let port: Int

    /// The proxy script, found from this file's place in the repository.
    static let script: String = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("tools/faultproxy/faultproxy.py").path
    }()

    /// Whether the proxy can run here (it needs python3).
    static let available: Bool = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"].contains {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Starts the proxy in front of `target` injecting `mode` on every connection, and waits for its port.
    init(target: String, mode: String, stallSeconds: Double = 1) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.script, "--target", target, "--mode", mode, "--seed", "9",
            "--stall-seconds", String(stallSeconds),
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while !text.contains("\n"), Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let last = text.split(separator: "\n").first?.split(separator: ":").last, let port = Int(last) else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "faultproxy did not start: \(text)"])
        }
        self.port = port
    }

    var address: String { "127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
