import Foundation

/// Runs the built `fieldbook` executable, which SwiftPM puts beside the test bundle.
struct Executable {
    /// What a finished run printed and returned.
    struct Result {
        var code: Int32
        var output: String
        var error: String
    }

    static let path: String = {
        let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var folder = (bundle as NSString).deletingLastPathComponent
        // On Linux the runner is `.build/debug/FieldbookPackageTests.xctest`; elsewhere it is inside a bundle.
        while !folder.isEmpty, folder != "/" {
            let candidate = (folder as NSString).appendingPathComponent("fieldbook")
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            folder = (folder as NSString).deletingLastPathComponent
        }
        return "fieldbook"
    }()

    /// Reads a pipe until its first line is complete (or it ends): a server's `listening on …`.
    static func firstLine(of pipe: Pipe) -> String {
        var text = ""
        while !text.contains("\n") {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        return text
    }

    /// The environment every run gets: no inherited FIELDBOOK_* settings, a fixed time zone.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("FIELDBOOK_") }
        environment["TZ"] = "Asia/Shanghai"
        environment["LANG"] = "C.UTF-8"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Starts the executable with standard input, output and error on pipes.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = Self.environment(environment)
        let input = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, input, output, error)
    }

    /// Runs to completion with `stdin` as standard input.
    @discardableResult
    static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:]) throws -> Result {
        let (process, input, output, error) = try start(arguments, environment: environment)
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            code: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }
}
