import FieldbookModel

/// One server of a central node, `HOST:PORT`, and the list form `HOST:PORT[,HOST:PORT…]` in which `init --server`,
/// `sync --server`, `admin device add --server` and enrolment tokens name every server of one centre (issue 17).
///
/// All servers of one centre share its database and its TLS identity, so one pinned fingerprint covers the whole
/// list; a device tries the servers in the order given (``SyncClient`` in FieldbookClient).
///
/// ```swift
/// ServerAddress.list("10.0.0.5:7420, 10.0.0.6:7420")   // two addresses
/// ServerAddress("[::1]:7420")?.host                    // "::1"
/// ServerAddress.list("10.0.0.5")                       // nil: no port
/// ```
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address (an IPv6 address without its brackets).
    public let host: String
    /// The TCP port, 1 to 65535.
    public let port: Int

    /// Parses `HOST:PORT` (`[IPv6]:PORT`, or an IPv6 address whose last `:` part is the port), or returns `nil`.
    public init?(_ text: String) {
        let trimmed = text.trimmingSpaces()
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = Substring(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, !host.contains(where: { $0 == "," || $0 == "[" || $0 == "]" || $0.isWhitespace }) else {
            return nil
        }
        self.host = String(host)
        self.port = port
    }

    /// `HOST:PORT`, with an IPv6 host in brackets.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `HOST:PORT[,HOST:PORT…]` (spaces after the commas allowed; an address given twice counts once), or
    /// returns `nil` when the list is empty or any address is not `HOST:PORT`.
    public static func list(_ text: String) -> [ServerAddress]? {
        var addresses: [ServerAddress] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let address = ServerAddress(String(part)) else { return nil }
            if !addresses.contains(address) { addresses.append(address) }
        }
        return addresses.isEmpty ? nil : addresses
    }

    /// The list form of `addresses`, as ``list(_:)`` reads it.
    public static func text(_ addresses: [ServerAddress]) -> String {
        addresses.map(\.description).joined(separator: ",")
    }
}
