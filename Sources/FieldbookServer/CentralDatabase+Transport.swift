import FieldbookStore
import FieldbookWire

extension CentralDatabase {
    /// The central meta keys that say how `serve` last ran, so `admin device add` (another process) can put the
    /// right fingerprint in a token.
    public enum TransportKey {
        /// `tls` or `plain`.
        public static let transport = "transport"
        /// The hex SHA-256 of the certificate `serve` presents.
        public static let fingerprint = "tls_fingerprint"
    }

    /// Records how the central node serves (called by `serve` at start).
    public func recordTransport(_ transport: SyncServer.Transport) throws {
        switch transport {
        case .plain:
            try book.setMeta(TransportKey.transport, "plain")
        case .tls(let identity):
            try book.setMeta(TransportKey.transport, "tls")
            try book.setMeta(TransportKey.fingerprint, identity.fingerprintHex)
        }
    }

    /// The fingerprint a new enrolment token should carry: the one `serve` last presented, `nil` if it last ran
    /// `--insecure`. Before `serve` ever ran, the self-signed identity beside the database is made now (the same
    /// one `serve` will load), so tokens made first still pin the right certificate.
    public func advertisedFingerprint() throws -> [UInt8]? {
        switch try book.meta(TransportKey.transport) {
        case "plain":
            return nil
        case "tls":
            if let hex = try book.meta(TransportKey.fingerprint), let bytes = Hex.decode(hex), bytes.count == 32 {
                return bytes
            }
            fallthrough
        default:
            return try ServerIdentity.loadOrCreate(at: ServerIdentity.defaultPath(beside: book.path)).fingerprint
        }
    }
}
