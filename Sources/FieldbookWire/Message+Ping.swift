// Message+Ping.swift: PING and PONG, the keep-alive (protocol/SPEC.md §8.13).
import FieldbookModel
import NIOCore

extension Message {
    /// The payload of PING (`0x30`) and PONG (`0x31`), either direction (SPEC §8.13).
    ///
    /// ```
    /// ┌───────────────┐
    /// │ nonce uvarint │   [W-8.13.1]
    /// └───────────────┘
    /// ```
    ///
    /// ```swift
    /// case .ping(let ping): send(.pong(ping))
    /// ```
    public struct Ping: Hashable, Sendable {
        /// Any number the sender chooses; the PONG echoes it.
        public var nonce: UInt64

        /// Makes a PING or PONG payload.
        ///
        /// - Parameter nonce: The number to echo.
        public init(nonce: UInt64) {
            self.nonce = nonce
        }
    }
}

extension Message.Ping {
    func encodePayload(into buffer: inout ByteBuffer) {
        buffer.writeUVarint(self.nonce)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.nonce = try r.uvarint("nonce")
    }
}
