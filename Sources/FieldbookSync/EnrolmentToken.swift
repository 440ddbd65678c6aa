import FieldbookModel
import FieldbookWire

/// What `fieldbook admin device add` prints once and `fieldbook init --token` reads: where the central node is,
/// which device this is, and the device's secret.
///
/// The text form is `fb1:` followed by Crockford base32 of `device (16) | secret (32) | address (UTF-8)`, so it
/// survives copying through chat and e-mail and has no characters a shell would interpret.
///
/// ```swift
/// let token = EnrolmentToken(address: "10.0.0.5:7420", device: id, secret: secret)
/// EnrolmentToken(text: token.text) == token   // true
/// ```
public struct EnrolmentToken: Sendable, Hashable {
    /// `HOST:PORT` of the central node.
    public var address: String
    /// The enrolled device.
    public var device: DeviceID
    /// The 32-byte secret the device authenticates with; it never travels on the sync connection.
    public var secret: [UInt8]

    /// Makes a token.
    public init(address: String, device: DeviceID, secret: [UInt8]) {
        self.address = address
        self.device = device
        self.secret = secret
    }

    /// The text to hand to the device's user.
    public var text: String { "fb1:" + Base32.encode(device.bytes + secret + Array(address.utf8)) }

    /// Parses a token, or returns `nil` when it is not one (damaged or truncated in copying).
    public init?(text: String) {
        let trimmed = text.trimmingSpaces()
        guard trimmed.hasPrefix("fb1:") else { return nil }
        let body = trimmed.dropFirst(4)
        let byteCount = body.count * 5 / 8
        guard byteCount > 48, let bytes = Base32.decode(body, byteCount: byteCount),
            let device = DeviceID(bytes: bytes[0..<16]),
            let address = String(validating: bytes[48...], as: UTF8.self), address.contains(":")
        else { return nil }
        self.init(address: address, device: device, secret: Array(bytes[16..<48]))
    }
}
