import FieldbookModel
import FieldbookWire

/// What `fieldbook admin device add` prints once and `fieldbook init --token` reads: where the central node is (one
/// or several servers sharing its database and TLS identity), which device this is, the device's secret, and how to
/// recognise the central node (the SHA-256 fingerprint of its TLS certificate, or none when it runs plain TCP with
/// `--insecure`).
///
/// The text form is `fb2:` followed by Crockford base32 of
///
/// ```
/// ┌─────────────┬─────────────┬──────────┬────────────────────────────┬──────────────────────────────┬─────────────────┐
/// │ device (16) │ secret (32) │ flags u8 │ fingerprint (32, if bit 0) │ u8 n + principal (if bit 1)  │ addresses UTF-8 │
/// └─────────────┴─────────────┴──────────┴────────────────────────────┴──────────────────────────────┴─────────────────┘
/// ```
///
/// so it survives copying through chat and e-mail and has no characters a shell would interpret. Flag bit 0 means
/// "TLS, pinned to this fingerprint"; bit 1 "issued for this principal" (`init --principal` must name it); the other
/// bits are reserved and must be 0. The older `fb1:` form (no flags, no
/// fingerprint: `device | secret | address`) still reads, as a token of a plain-TCP server with ``isLegacy`` set,
/// so `init` can refuse it with a clear message unless the user asked for `--insecure` (protocol/SPEC.md §14).
///
/// The addresses are `HOST:PORT`, separated by commas when the centre runs several servers (issue 17): a token of one
/// server is the same bytes as before the list existed, so every older token still reads. All servers share the one
/// pinned fingerprint. (A Fieldbook older than the list reads a token of several servers as one address it cannot
/// reach: hand such devices a token of one server.)
///
/// ```swift
/// let token = EnrolmentToken(address: "10.0.0.5:7420", device: id, secret: secret, fingerprint: sha256OfCertificate)
/// EnrolmentToken(text: token.text) == token   // true
/// ```
public struct EnrolmentToken: Sendable, Hashable {
    /// The central node's servers, `HOST:PORT` each, in the order a device tries them.
    public var addresses: [String]
    /// The enrolled device.
    public var device: DeviceID
    /// The 32-byte secret the device authenticates with; it never travels on the sync connection.
    public var secret: [UInt8]
    /// The SHA-256 of the DER form of the central node's TLS certificate, which the device pins; `nil` when the
    /// central node runs plain TCP (`serve --insecure`).
    public var fingerprint: [UInt8]?
    /// The employee code the token was issued for; `nil` in tokens made before tokens named it.
    public var principal: String?
    /// Whether the token was read from the `fb1:` form, made before the central node spoke TLS.
    public private(set) var isLegacy = false

    /// The prefix of the current text form.
    public static let prefix = "fb2:"
    /// The prefix of the form before TLS (issue 9), still read.
    public static let legacyPrefix = "fb1:"

    /// The servers in the list form `HOST:PORT[,HOST:PORT…]` (as `--server` takes them and the token carries them);
    /// setting it splits the list at its commas.
    public var address: String {
        get { addresses.joined(separator: ",") }
        set { addresses = Self.split(newValue) }
    }

    /// Makes a token.
    ///
    /// - Parameters:
    ///   - address: `HOST:PORT` of the central node, or several separated by commas (`HOST:PORT[,HOST:PORT…]`).
    ///   - device: The enrolled device.
    ///   - secret: The device's 32-byte secret.
    ///   - fingerprint: The SHA-256 of the server certificate (32 bytes), or `nil` for a plain-TCP server.
    ///   - principal: The employee code the device was enrolled for (at most 64 bytes).
    public init(address: String, device: DeviceID, secret: [UInt8], fingerprint: [UInt8]? = nil, principal: String? = nil) {
        self.addresses = Self.split(address)
        self.device = device
        self.secret = secret
        self.fingerprint = fingerprint
        self.principal = principal
    }

    /// The text to hand to the device's user.
    public var text: String {
        var bytes = device.bytes + secret
        let named = principal.map { Array($0.utf8.prefix(64)) }
        bytes.append((fingerprint == nil ? 0 : 1) | (named == nil ? 0 : 2))
        if let fingerprint { bytes += fingerprint }
        if let named { bytes += [UInt8(named.count)] + named }
        return Self.prefix + Base32.encode(bytes + Array(address.utf8))
    }

    /// Parses a token, or returns `nil` when it is not one (damaged or truncated in copying, or an unknown flag).
    public init?(text: String) {
        let trimmed = text.trimmingSpaces()
        let legacy = trimmed.hasPrefix(Self.legacyPrefix)
        guard legacy || trimmed.hasPrefix(Self.prefix) else { return nil }
        let body = trimmed.dropFirst(4)
        let byteCount = body.count * 5 / 8
        guard byteCount > 48, let bytes = Base32.decode(body, byteCount: byteCount),
            let device = DeviceID(bytes: bytes[0..<16])
        else { return nil }
        var start = 48
        var fingerprint: [UInt8]?
        var principal: String?
        if !legacy {
            let flags = bytes[48]
            start = 49
            guard flags & ~3 == 0 else { return nil }
            if flags & 1 == 1 {
                guard bytes.count > 49 + 32 else { return nil }
                fingerprint = Array(bytes[49..<81])
                start = 81
            }
            if flags & 2 == 2 {
                guard start < bytes.count else { return nil }
                let end = start + 1 + Int(bytes[start])
                guard bytes[start] > 0, end < bytes.count, let code = String(validating: bytes[(start + 1)..<end], as: UTF8.self)
                else { return nil }
                principal = code
                start = end
            }
        }
        guard start < bytes.count, let address = String(validating: bytes[start...], as: UTF8.self),
            Self.split(address).allSatisfy({ ServerAddress($0) != nil })
        else { return nil }
        self.init(address: address, device: device, secret: Array(bytes[16..<48]), fingerprint: fingerprint, principal: principal)
        self.isLegacy = legacy
    }

    /// The addresses of a list `HOST:PORT[,HOST:PORT…]`, each trimmed.
    static func split(_ list: String) -> [String] {
        list.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
    }
}
