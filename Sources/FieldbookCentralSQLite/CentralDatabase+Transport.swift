import FieldbookCentral
import FieldbookStore

extension CentralDatabase {
    /// The central meta keys of ``TransportRecord`` and of the address devices reach.
    enum TransportKey {
        /// `tls` or `plain`.
        static let transport = "transport"
        /// The hex SHA-256 of the certificate `serve` presents.
        static let fingerprint = "tls_fingerprint"
        /// The HOST:PORT `serve` last listened on, as devices should reach it.
        static let address = "address"
    }

    /// Records how the central node serves (called by `serve` at start).
    public func recordTransport(_ record: TransportRecord) throws {
        switch record {
        case .unknown:
            break
        case .plain:
            try book.setMeta(TransportKey.transport, "plain")
        case .tls(let fingerprint):
            try book.setMeta(TransportKey.transport, "tls")
            try book.setMeta(TransportKey.fingerprint, fingerprint)
        }
    }

    /// How `serve` last ran.
    public func recordedTransport() throws -> TransportRecord {
        switch try book.meta(TransportKey.transport) {
        case "plain": return .plain
        case "tls": return try book.meta(TransportKey.fingerprint).map { .tls(fingerprint: $0) } ?? .unknown
        default: return .unknown
        }
    }

    /// Records the address `serve` listens on, as devices should reach it.
    public func recordAddress(_ address: String) throws {
        try book.setMeta(TransportKey.address, address)
    }

    /// The address `serve` last recorded, if any.
    public func recordedAddress() throws -> String? {
        try book.meta(TransportKey.address)
    }
}
