/// How `serve` last ran, as the centre records it, so that `admin device add` (another process) can put the right
/// certificate fingerprint in a new token.
public enum TransportRecord: Sendable, Hashable {
    /// `serve` has not run yet.
    case unknown
    /// Plain TCP (`serve --insecure`): tokens pin nothing.
    case plain
    /// TLS with the certificate of this SHA-256 fingerprint (lowercase hex).
    case tls(fingerprint: String)
}
