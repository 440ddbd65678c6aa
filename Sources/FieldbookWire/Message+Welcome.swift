// Message+Welcome.swift: WELCOME, the server's answer to a valid AUTH (protocol/SPEC.md §8.4).
import FieldbookModel
import NIOCore

extension Message {
    /// WELCOME (`0x04`, server → device): the session is open (SPEC §8.4).
    ///
    /// ```
    /// ┌──────────────┬───────────┬──────────────────┬────────────┐
    /// │ held uvarint │ time u64  │ principal string │ proof 32B  │   [W-8.4.1]
    /// └──────────────┴───────────┴──────────────────┴────────────┘
    /// ```
    ///
    /// ```swift
    /// let welcome = Message.Welcome(held: 41, time: clock.last, principal: "M001", proof: serverMAC)
    /// ```
    public struct Welcome: Hashable, Sendable {
        /// The highest counter `n` such that the server holds every op `1…n` of the HELLO's actor (0 for none).
        public var held: UInt64
        /// The server's hybrid logical clock reading, which the device observes.
        public var time: HLC
        /// The employee code of the principal the device is enrolled for (at most 64 bytes).
        public var principal: String
        /// HMAC-SHA256 of the transcript with the label `"fieldbook-welcome-v1"` (SPEC `[W-8.4.3]`).
        public var proof: [UInt8]

        /// Makes a WELCOME.
        ///
        /// - Parameters:
        ///   - held: The highest contiguous counter held of the device's actor.
        ///   - time: The server's clock reading.
        ///   - principal: The device's principal code.
        ///   - proof: The server's 32-byte MAC.
        public init(held: UInt64, time: HLC, principal: String, proof: [UInt8]) {
            self.held = held
            self.time = time
            self.principal = principal
            self.proof = proof
        }
    }
}

extension Message.Welcome: PayloadCodable {
    static var messageType: MessageType { .welcome }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        try requireLength(self.principal, max: WireLimits.maxPrincipalLength, "WELCOME principal")
        try requireCount(self.proof, 32, "WELCOME proof")
        buffer.writeUVarint(self.held)
        buffer.writeInteger(self.time.rawValue, endianness: .big)
        buffer.writeLengthPrefixedString(self.principal)
        buffer.writeBytes(self.proof)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.held = try r.uvarint("held")
        self.time = HLC(rawValue: try r.hlc("server time"))
        self.principal = try r.string("principal", maxLength: WireLimits.maxPrincipalLength)
        self.proof = try r.fixed(32, "server proof")
    }
}
