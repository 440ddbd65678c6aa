import ArgumentParser
import FieldbookCentral
import FieldbookCentralSQLite
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
        commandName: "serve", abstract: "运行中心节点，供各设备同步。")

    @Option(help: ArgumentHelp(
        "中心数据库：SQLite 文件路径或 postgres://用户@主机:端口/数据库（默认 $FIELDBOOK_HOME/central.sqlite）。",
        valueName: "数据库"))
    var db: String?

    @Option(help: ArgumentHelp(
        "postgres:// 中心的设备密钥文件（默认 $FIELDBOOK_HOME/central.key，首次使用时创建，权限 0600）；同一中心的每台服务器须用同一个文件。",
        valueName: "文件"))
    var keyFile: String?

    @Option(help: ArgumentHelp("监听的端口（0 表示任选一个空闲端口）。", valueName: "端口"))
    var port: Int = 7420

    @Option(help: ArgumentHelp("监听的地址。", valueName: "地址"))
    var host: String = "0.0.0.0"

    @Option(help: ArgumentHelp("没有数据的连接保持多少秒。", visibility: .hidden))
    var idleTimeout: Int64 = 120

    @Option(help: ArgumentHelp(
        "出示的 PEM 证书链（SQLite 默认使用数据库旁的自签名证书；postgres:// 必须给，每台服务器同一对文件）。", valueName: "文件"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("--tls-cert 的 PEM 私钥。", valueName: "文件"))
    var tlsKey: String?

    @Flag(help: "不用 TLS、明文 TCP：只能在可信的网络上用。设备须用 init --insecure 登记。")
    var insecure = false

    @Option(help: ArgumentHelp("任何一个连接最多保持多少秒，无论多忙（慢客户端不能一直占着）。", valueName: "秒数"))
    var sessionDeadline: Int64 = 900

    @Option(help: ArgumentHelp("同时最多多少个设备会话（已认证的连接）；再多的会被告知服务器忙。", valueName: "个数"))
    var maxConnections: Int = 1_024

    @Option(
        help: ArgumentHelp(
            "同时读写中心数据库的会话数（默认为 CPU 核数的两倍）；其余会话按到达顺序排队，并被告知位置。", valueName: "个数"))
    var maxActive: Int?

    @Option(help: ArgumentHelp("新连接须在多少秒内完成认证，否则关闭。", valueName: "秒数"))
    var authDeadline: Double = 10

    @Option(help: ArgumentHelp("同时最多多少个未认证的连接；再多一个就关闭最早的。", valueName: "个数"))
    var maxUnauthenticated: Int = 64

    @Option(help: ArgumentHelp("同一地址同时最多多少个未认证的连接；再多一个就关闭它最早的。", valueName: "个数"))
    var maxUnauthenticatedPerAddress: Int = 16

    func validate() throws {
        if insecure, tlsCert != nil || tlsKey != nil { throw ValidationError("--insecure 不能和 --tls-cert/--tls-key 一起用") }
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert 和 --tls-key 要一起给") }
        // Several servers of one PostgreSQL centre must present one certificate, which every token pins: one made
        // beside a database file would differ on every server.
        if let db, CentralStoreLocation(db).isPostgres, tlsCert == nil, !insecure {
            throw ValidationError(
                "postgres:// 中心的每台服务器须出示同一个证书：给 --tls-cert 证书.pem --tls-key 私钥.pem（每台服务器同一对文件），或在可信网络上用 --insecure")
        }
        if keyFile != nil, db.map({ CentralStoreLocation($0).isPostgres }) != true {
            throw ValidationError("--key-file 只用于 postgres:// 数据库：SQLite 中心数据库的密钥在数据库旁（数据库路径.key）")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port 应为 0 到 65535 之间的整数") }
        guard sessionDeadline > 0 else { throw ValidationError("--session-deadline 应为正的秒数") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections 应为正整数") }
        if let maxActive, maxActive <= 0 { throw ValidationError("--max-active 应为正整数") }
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
        let store: any CentralStore
        do {
            store = try await CentralStoreLocation(path, keyFile: keyFile).open(options: .system)
        } catch {
            StandardStreams.err("\(error)")
            throw ExitCode(1)
        }
        let transport: SyncServer.Transport
        do {
            if insecure {
                transport = .plain
                logger.warning("未使用 TLS，明文 TCP（--insecure）：只能在可信的网络上使用")
            } else if let tlsCert, let tlsKey {
                transport = .tls(try ServerIdentity.load(certificate: tlsCert, key: tlsKey))
            } else {
                transport = .tls(try ServerIdentity.loadOrCreate(at: ServerIdentity.defaultPath(beside: path)))
            }
            // `admin device add` reads this to put the right fingerprint in new tokens.
            switch transport {
            case .plain: try await store.recordTransport(.plain, address: nil)
            case .tls(let identity): try await store.recordTransport(.tls(fingerprint: identity.fingerprintHex), address: nil)
            }
        } catch {
            StandardStreams.err("无法准备 TLS：\(error)")
            throw ExitCode(1)
        }
        let server = SyncServer(
            store: store, logger: logger, idleTimeout: .seconds(idleTimeout), transport: transport,
            limits: ConnectionLimits(
                sessionDeadline: .seconds(sessionDeadline), maxConnections: maxConnections,
                authDeadline: .milliseconds(Int64(authDeadline * 1_000)), maxUnauthenticated: maxUnauthenticated,
                maxUnauthenticatedPerAddress: maxUnauthenticatedPerAddress),
            admission: AdmissionGate(capacity: maxActive ?? SyncServer.defaultActiveSessions))
        // SIGINT and SIGTERM stop accepting, let running sessions end, and exit 0.
        let signals = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { server.shutdown() }
            source.resume()
            return source
        }
        let host = self.host
        let started = Started()
        do {
            try await server.run(host: host, port: port) { bound in
                started.set()
                let advertised = (host == "0.0.0.0" || host == "::") ? "127.0.0.1:\(bound)" : "\(host):\(bound)"
                // Recorded before the line that says the server listens, so a script that waits for it finds it.
                if case .tls(let identity) = transport {
                    try? await store.recordTransport(.tls(fingerprint: identity.fingerprintHex), address: advertised)
                } else {
                    try? await store.recordTransport(.plain, address: advertised)
                }
                // One line on stdout, flushed, so scripts and tests can read the port.
                StandardStreams.out("listening on \(host):\(bound)")
            }
        } catch where !started.value {
            // A startup failure is one line in the administrator's words, not `bind(...) errno 98`.
            StandardStreams.err(Self.startupFailure(error, host: host, port: port))
            throw ExitCode(1)
        }
        signals.forEach { $0.cancel() }
    }

    /// One Chinese line for an error before the server listened.
    static func startupFailure(_ error: any Error, host: String, port: Int) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case EADDRINUSE: return "端口 \(port) 已被占用：另一个 fieldbook serve 或其他程序在用它，换 --port 或先停掉它"
            case EACCES: return "没有权限监听端口 \(port)：1024 以下的端口需要系统管理员权限，换一个端口"
            case EADDRNOTAVAIL: return "本机没有地址 \(host)：--host 应为本机的一个地址，或 0.0.0.0"
            default: return "无法监听 \(host):\(port)：\(String(cString: strerror(error.errnoCode)))"
            }
        }
        if error is SocketAddressError { return "无法解析地址 \(host)：--host 应为本机的一个地址，或 0.0.0.0" }
        return "中心节点无法启动：\(error)"
    }
}

/// Whether the server got as far as listening (set from the event loop, read after `run` throws).
private final class Started: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    var value: Bool { lock.withLock { flag } }

    func set() { lock.withLock { flag = true } }
}
