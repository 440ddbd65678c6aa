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

    /// Starts the proxy in front of `target` injecting `mode` on every connection, and waits for its port (read from
    /// its stats file, which it writes once listening).
    init(target: String, mode: String, stallSeconds: Double = 1) throws {
        let stats = FileManager.default.temporaryDirectory.appendingPathComponent("faultproxy-\(UUID().uuidString).json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.script, "--target", target, "--mode", mode, "--seed", "9",
            "--stall-seconds", String(stallSeconds), "--stats", stats,
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        defer { try? FileManager.default.removeItem(atPath: stats) }
        let deadline = Date().addingTimeInterval(20)
        var port: Int?
        while port == nil, Date() < deadline, process.isRunning {
            if let data = FileManager.default.contents(atPath: stats),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            {
                port = json["port"] as? Int
            }
            if port == nil { usleep(50_000) }
        }
        guard let port else {
            process.terminate()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "faultproxy did not start"])
        }
        self.port = port
    }

    var address: String { "127.0.0.1:\(port)" }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
