import ArgumentParser
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation
import Logging
import NIOCore

/// `fieldbook serve`: runs the central node.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the central node that devices sync with.")

    @Option(help: "The central database (default: $FIELDBOOK_HOME/central.sqlite).")
    var db: String?

    @Option(help: "The port to listen on (0 picks a free one).")
    var port: Int = 7420

    @Option(help: "The address to listen on.")
    var host: String = "0.0.0.0"

    @Option(help: ArgumentHelp("Seconds a silent connection is kept open.", visibility: .hidden))
    var idleTimeout: Int64 = 120

    @Option(help: "Seconds any one connection may stay open, however busy (a slow client never holds it forever).")
    var sessionDeadline: Int64 = 900

    @Option(help: "The most connections served at once; more are told the server is busy.")
    var maxConnections: Int = 1_024

    func validate() throws {
        guard sessionDeadline > 0 else { throw ValidationError("--session-deadline 应为正的秒数") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections 应为正整数") }
    }

    func run() async throws {
        ConnectionLimits.current = ConnectionLimits(
            sessionDeadline: .seconds(sessionDeadline), maxConnections: maxConnections)
        let path = db ?? Paths.defaultCentral
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["FIELDBOOK_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .info
            return handler
        }
        let logger = Logger(label: "fieldbook.serve")
        let central: CentralDatabase
        do {
            central = try CentralDatabase.open(at: path)
        } catch {
            FileHandle.standardError.write(Data("无法打开中心数据库：\(error)\n".utf8))
            throw ExitCode(1)
        }
        let server = SyncServer(database: central, logger: logger, idleTimeout: .seconds(idleTimeout))
        // SIGINT and SIGTERM stop accepting, let running sessions end, and exit 0.
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { server.shutdown() }
            source.resume()
            return source
        }
        let host = self.host
        try await server.run(host: host, port: port) { bound in
            let advertised = (host == "0.0.0.0" || host == "::") ? "127.0.0.1:\(bound)" : "\(host):\(bound)"
            try? central.book.setMeta("address", advertised)
            // One line on stdout, flushed, so scripts and tests can read the port.
            FileHandle.standardOutput.write(Data("listening on \(host):\(bound)\n".utf8))
        }
        signals.forEach { $0.cancel() }
    }
}
