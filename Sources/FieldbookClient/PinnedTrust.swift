import Crypto
import NIOCore
import NIOSSL
import Synchronization

/// Accepts the central node's TLS certificate only if its SHA-256 fingerprint is the one the enrolment token
/// carried (certificate pinning; SECURITY.md).
///
/// The pin replaces the usual checks: there is no certificate authority, and host names and expiry are not
/// checked, because a certificate with this exact fingerprint can only be presented by whoever holds its private
/// key, whatever name or date it bears. The check runs inside the TLS handshake, so a device talking to an impostor
/// sends nothing, not even its HELLO.
///
/// ```swift
/// let trust = PinnedTrust(expected: token.fingerprint!)
/// let handler = try NIOSSLClientHandler(context: context, serverHostname: nil, customVerificationCallback: trust.verify)
/// ```
final class PinnedTrust: Sendable {
    /// What the handshake found so far.
    enum Outcome: Sendable, Equatable {
        /// The server has not presented a certificate (yet): the handshake did not get that far.
        case pending
        /// The server presented the pinned certificate.
        case verified
        /// The server presented another certificate, with this fingerprint.
        case mismatch(presented: [UInt8])
    }

    /// The pinned fingerprint.
    let expected: [UInt8]
    private let state = Mutex(Outcome.pending)

    init(expected: [UInt8]) {
        self.expected = expected
    }

    /// What the handshake found.
    var outcome: Outcome { state.withLock { $0 } }

    /// NIOSSL's verification callback: succeeds only for the pinned leaf certificate.
    func verify(_ certificates: [NIOSSLCertificate], _ promise: EventLoopPromise<NIOSSLVerificationResult>) {
        guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else {
            state.withLock { $0 = .mismatch(presented: []) }
            promise.succeed(.failed)
            return
        }
        let presented = Array(SHA256.hash(data: der))
        let matches = presented == expected
        state.withLock { $0 = matches ? .verified : .mismatch(presented: presented) }
        promise.succeed(matches ? .certificateVerified : .failed)
    }

    /// The device side TLS configuration: TLS 1.2 or later, verification left to ``verify(_:_:)``.
    static var configuration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        // Not `.none`: NIOSSL only calls a custom verification callback when verification is on. The callback
        // replaces the default chain and name checks.
        configuration.certificateVerification = .noHostnameVerification
        configuration.minimumTLSVersion = .tlsv12
        // A session ends with the device closing; do not wait long for the server's close_notify.
        configuration.shutdownTimeout = .seconds(2)
        return configuration
    }
}
