import Foundation
import NIOCore
import NIOSSL
import PostgresNIO

/// A `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]` URL, as `--db` gives it
/// (SHELL.md), turned into a client configuration.
///
/// ```swift
/// let location = try PostgresLocation("postgres://fieldbook@127.0.0.1:5432/central")
/// ```
public struct PostgresLocation: Sendable, CustomStringConvertible {
    /// The server's host name or address.
    public let host: String
    /// The server's port (5432 when the URL names none).
    public let port: Int
    /// The role to connect as.
    public let user: String
    /// The role's password, if the URL carries one (prefer a `.pgpass`-free trust or peer setup on a private network).
    let password: String?
    /// The database.
    public let database: String
    /// Whether to speak TLS to the server: `disable` (the default, for a database on the same private network),
    /// `prefer` or `require`.
    public let sslMode: String

    /// Parses a URL.
    ///
    /// - Throws: ``PostgresStoreError`` naming what is missing; the password never appears in the message.
    public init(_ text: String) throws {
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"), let url = URLComponents(string: text)
        else { throw PostgresStoreError("数据库地址应写成 postgres://用户@主机:端口/数据库") }
        guard let host = url.host, !host.isEmpty else { throw PostgresStoreError("数据库地址缺少主机：postgres://用户@主机:端口/数据库") }
        guard let user = url.user, !user.isEmpty else { throw PostgresStoreError("数据库地址缺少用户：postgres://用户@主机:端口/数据库") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError("数据库地址缺少数据库名：postgres://用户@主机:端口/数据库")
        }
        let mode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        guard ["disable", "prefer", "require"].contains(mode) else {
            throw PostgresStoreError("sslmode 只能是 disable、prefer 或 require")
        }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user
        self.password = url.password
        self.database = database
        self.sslMode = mode
    }

    /// The URL without its password: what logs and messages may show.
    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// A single connection's configuration, for the probe that fails fast (``PostgresCentralStore/open(_:keyFile:connections:logger:)``).
    func connectionConfiguration(timeout: TimeAmount) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            sslMode == "disable"
            ? .disable
            : sslMode == "prefer"
                ? .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                : .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = timeout
        return configuration
    }

    /// The client configuration for this location.
    func configuration(maximumConnections: Int) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database,
            tls: sslMode == "disable"
                ? .disable : sslMode == "prefer" ? .prefer(.makeClientConfiguration()) : .require(.makeClientConfiguration()))
        configuration.options.maximumConnections = max(maximumConnections, 1)
        configuration.options.minimumConnections = 0
        return configuration
    }
}
