// Message+Auth.swift: AUTH, the device's HMAC over the session transcript (protocol/SPEC.md §8.3).
import FieldbookModel
import NIOCore

extension Message {
    /// AUTH (`0x03`, device → server): HMAC-SHA256 of the session transcript, keyed with the enrolment secret
    /// (SPEC §8.3).
    ///
    /// ```
    /// ┌────────────┐
    /// │ mac 32B    │   [W-8.3.1]
    /// └────────────┘
    /// ```
    ///
    /// The MAC input is ``transcript(label:hello:challenge:)`` with the label `"fieldbook-auth-v1"`; the server
    /// proves itself in WELCOME with the label `"fieldbook-welcome-v1"` (SPEC `[W-8.3.2]`, `[W-8.4.3]`).
    ///
    /// ```swift
    /// let input = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge)
    /// let mac = HMAC<SHA256>.authenticationCode(for: input, using: secret)
    /// ```
    public struct Auth: Hashable, Sendable {
        /// The 32-byte HMAC-SHA256.
        public var mac: [UInt8]

        /// Makes an AUTH.
        ///
        /// - Parameter mac: 32 bytes of HMAC-SHA256.
        public init(mac: [UInt8]) {
            self.mac = mac
        }

        /// The label of the device's MAC in AUTH.
        public static let deviceLabel = "fieldbook-auth-v1"
        /// The label of the server's MAC in WELCOME.
        public static let serverLabel = "fieldbook-welcome-v1"

        /// The exact bytes both MACs are computed over (SPEC `[W-8.3.2]`).
        ///
        /// `label (ASCII) | 0x00 | version u8 | device 16B | actor 16B | client nonce 32B | server nonce 32B`.
        /// Binding the version, device and actor to both nonces means an AUTH can be neither replayed in another
        /// session nor moved to another actor.
        ///
        /// - Parameters:
        ///   - label: ``deviceLabel`` or ``serverLabel``.
        ///   - hello: The session's HELLO.
        ///   - challenge: The session's CHALLENGE.
        /// - Returns: The MAC input.
        public static func transcript(label: String, hello: Message.Hello, challenge: Message.Challenge) -> [UInt8] {
            var bytes = Array(label.utf8)
            bytes.append(0)
            bytes.append(hello.version)
            bytes += hello.device.bytes
            bytes += hello.actor.bytes
            bytes += hello.nonce
            bytes += challenge.nonce
            return bytes
        }
    }
}

extension Message.Auth: PayloadCodable {
    static var messageType: MessageType { .auth }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        try requireCount(self.mac, 32, "AUTH mac")
        buffer.writeBytes(self.mac)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.mac = try r.fixed(32, "mac")
    }
}
