// Message+Challenge.swift: CHALLENGE and AUTH, the two halves of the device's proof (protocol/SPEC.md §8.2, §8.3).
import FieldbookModel
import NIOCore

extension Message {
    /// CHALLENGE (`0x02`, server → device): the server's nonce (SPEC §8.2).
    ///
    /// ```
    /// ┌────────────┐
    /// │ nonce 32B  │   [W-8.2.1]
    /// └────────────┘
    /// ```
    ///
    /// ```swift
    /// let challenge = Message.Challenge(nonce: serverNonce)
    /// ```
    public struct Challenge: Hashable, Sendable {
        /// 32 random bytes from a cryptographic generator, new for every session.
        public var nonce: [UInt8]

        /// Makes a CHALLENGE.
        ///
        /// - Parameter nonce: 32 random bytes.
        public init(nonce: [UInt8]) {
            self.nonce = nonce
        }
    }
}

extension Message.Challenge: PayloadCodable {
    static var messageType: MessageType { .challenge }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        try requireCount(self.nonce, 32, "CHALLENGE nonce")
        buffer.writeBytes(self.nonce)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.nonce = try r.fixed(32, "server nonce")
    }
}
