// Message+Error.swift: ERROR, either side's report of a failure (protocol/SPEC.md §8.12).
import FieldbookModel
import NIOCore

extension Message {
    /// ERROR (`0x7F`, either direction): what went wrong, and whether the session ends (SPEC §8.12).
    ///
    /// ```
    /// ┌──────────────┬──────────┬────────────────┐
    /// │ code uvarint │ flags u8 │ message string │   [W-8.12.1]   flags: bit 0 = fatal, bits 1–7 reserved (0)
    /// └──────────────┴──────────┴────────────────┘
    /// ```
    ///
    /// The message is for logs, at most 1024 bytes, and never holds customer data (SPEC `[W-8.12.2]`).
    ///
    /// ```swift
    /// let error = Message.ErrorMessage(code: .counterGap, fatal: false, message: "expected counter 42")
    /// ```
    public struct ErrorMessage: Hashable, Sendable {
        /// What went wrong.
        public var code: ErrorCode
        /// Whether the sender closes the connection after this frame.
        public var fatal: Bool
        /// One line for logs; no customer data.
        public var message: String

        /// Makes an ERROR.
        ///
        /// - Parameters:
        ///   - code: What went wrong.
        ///   - fatal: Whether the session ends; defaults to the code's class.
        ///   - message: One line without customer data.
        public init(code: ErrorCode, fatal: Bool? = nil, message: String) {
            self.code = code
            self.fatal = fatal ?? code.isFatal
            self.message = message
        }
    }
}

extension Message.ErrorMessage: PayloadCodable {
    static var messageType: MessageType { .error }

    func encodePayload(into buffer: inout ByteBuffer) throws(WireError) {
        try requireLength(self.message, max: WireLimits.maxErrorMessageLength, "ERROR message")
        buffer.writeUVarint(UInt64(self.code.rawValue))
        buffer.writeInteger(UInt8(self.fatal ? 1 : 0))
        buffer.writeLengthPrefixedString(self.message)
    }

    init(payload r: inout PayloadReader) throws(WireError) {
        self.code = ErrorCode(rawValue: try r.uint16("code"))
        let flags = try r.u8("flags")
        guard flags & 0xFE == 0 else { throw WireError(.reservedBits, "ERROR flags has reserved bits set") }
        self.fatal = flags & 1 != 0
        self.message = try r.string("message", maxLength: WireLimits.maxErrorMessageLength)
    }
}
