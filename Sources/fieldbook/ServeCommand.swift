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

    @Option(help: "PEM certificate chain to present (default: a self-signed one kept beside the database).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(help: "Serve plain TCP without TLS: only on a network you trust. Devices must be enrolled with init --insecure.")
    var insecure = false

    @Option(help: "Seconds any one connection may stay open, however busy (a slow client never holds it forever).")
    var sessionDeadline: Int64 = 900

    @Option(help: "The most device sessions (authenticated connections) at once; more are told the server is busy.")
    var maxConnections: Int = 1_024

    @Option(help: "Seconds a new connection has to authenticate before it is closed.")
    var authDeadline: Double = 10

    @Option(help: "The most connections not yet authenticated at once; one more closes the oldest.")
    var maxUnauthenticated: Int = 64

    @Option(help: "The most connections not yet authenticated from one address at once; one more closes its oldest.")
    var maxUnauthenticatedPerAddress: Int = 16

    func validate() throws {
        if insecure, tlsCert != nil || tlsKey != nil { throw ValidationError("--insecure 不能和 --tls-cert/--tls-key 一起用") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert 和 --tls-key 要一起给") }
        guard sessionDeadline > 0 else { throw ValidationError("--session-deadline 应为正的秒数") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections 应为正整数") }
        guard authDeadline >= 0.1, authDeadline <= 3_600 else { throw ValidationError("--auth-deadline 应为 0.1 到 3600 之间的秒数") }
        guard maxUnauthenticated > 0 else { throw ValidationError("--max-unauthenticated 应为正整数") }
        guard maxUnauthenticatedPerAddress > 0 else { throw ValidationError("--max-unauthenticated-per-address 应为正整数") }
    }

    func run() async throws {
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
            StandardStreams.err("无法打开中心数据库：\(error)")
            throw ExitCode(1)
        }
        let transport: SyncServer.Transport
        do {
            if insecure {
                transport = .plain
                logger.warning("Serving plain TCP without TLS (--insecure): use only on a trusted network")
            } else if let tlsCert, let tlsKey {
                transport = .tls(try ServerIdentity.load(certificate: tlsCert, key: tlsKey))
            } else {
                transport = .tls(try ServerIdentity.loadOrCreate(at: ServerIdentity.defaultPath(beside: path)))
            }
            // `admin device add` reads this to put the right fingerprint in new tokens.
            try central.recordTransport(transport)
        } catch {
            StandardStreams.err("无法准备 TLS：\(error)")
            throw ExitCode(1)
        }
        let server = SyncServer(
            database: central, logger: logger, idleTimeout: .seconds(idleTimeout), transport: transport,
            limits: ConnectionLimits(
                sessionDeadline: .seconds(sessionDeadline), maxConnections: maxConnections,
                authDeadline: .milliseconds(Int64(authDeadline * 1_000)), maxUnauthenticated: maxUnauthenticated,
                maxUnauthenticatedPerAddress: maxUnauthenticatedPerAddress))
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
            StandardStreams.out("listening on \(host):\(bound)")
        }
        signals.forEach { $0.cancel() }
    }
}
