// WireError.swift: the one public error of the FieldbookWire codec (protocol/SPEC.md §11.1).

/// A malformed byte sequence, or a value the protocol cannot carry.
///
/// Decoders throw a `WireError` only for input that can never become valid: "not enough bytes yet" is a `nil`
/// result, never an error (SPEC `[W-6.4]`). Match on ``code``; new codes may be added, so switch with a `default`.
/// The ``message`` names the structure and the limit that was broken, never a value read from the input, so no
/// customer data can leak into a log through it (SPEC `[W-14.3]`).
///
/// ```swift
/// do {
///     _ = try buffer.readMessage()
/// } catch let error where error.code == .frameTooLarge {
///     // close the connection with ERROR limitExceeded
/// }
/// ```
public struct WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of malformation this is: a `Hashable` struct over a private enum, so adding a code never breaks
    /// a caller's `switch`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable, CaseIterable {
            case truncated, overlongVarint, varintOverflow, invalidUTF8, badMagic, unsupportedVersion
            case emptyFrame, frameTooLarge, trailingBytes, reservedBits, stringTooLong, listTooLong
            case tooManyOps, badCompression, declaredSizeTooLarge, badIndex, badBatch, badValue, badBody
            case unencodable
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A payload, column or table ended before a value was complete (SPEC `[W-6.5]`).
        public static let truncated = Code(.truncated)
        /// A varint with a redundant final zero group (SPEC `[W-4.1.2]`).
        public static let overlongVarint = Code(.overlongVarint)
        /// A varint longer than 10 bytes or past 64 bits, or a value past its field's range (SPEC `[W-4.1.3]`).
        public static let varintOverflow = Code(.varintOverflow)
        /// A string that is not valid UTF-8 (SPEC `[W-4.3.2]`).
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A preamble that does not begin with the magic bytes (SPEC `[W-5.2]`).
        public static let badMagic = Code(.badMagic)
        /// A preamble or HELLO naming a version this peer cannot speak (SPEC `[W-5.4]`).
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A frame whose length is zero: it has no type byte (SPEC `[W-6.2]`).
        public static let emptyFrame = Code(.emptyFrame)
        /// A frame whose declared length is over the limit (SPEC `[W-6.3]`).
        public static let frameTooLarge = Code(.frameTooLarge)
        /// Bytes left over at the end of a payload, column or batch (SPEC `[W-6.6]`).
        public static let trailingBytes = Code(.trailingBytes)
        /// A flag bit that is reserved and must be zero (SPEC `[W-13.3]`).
        public static let reservedBits = Code(.reservedBits)
        /// A string or byte string over its length limit (SPEC `[W-4.3.3]`).
        public static let stringTooLong = Code(.stringTooLong)
        /// A list or table with more entries than its limit allows (SPEC `[W-12.2]`).
        public static let listTooLong = Code(.listTooLong)
        /// An OPS batch with more operations than the limit (SPEC `[W-8.5.4]`).
        public static let tooManyOps = Code(.tooManyOps)
        /// A compressed batch whose zlib stream is corrupt or does not inflate to its declared size (SPEC `[W-8.5.7]`).
        public static let badCompression = Code(.badCompression)
        /// A compressed batch declaring a raw size over the limit (SPEC `[W-8.5.6]`).
        public static let declaredSizeTooLarge = Code(.declaredSizeTooLarge)
        /// A batch index that points past the end of its table (SPEC `[W-8.6.3]`).
        public static let badIndex = Code(.badIndex)
        /// A batch that is well-formed bytes but breaks a structural rule: duplicate table entries, a zero counter,
        /// a column that does not cover the ops (SPEC `[W-8.6.4]`).
        public static let badBatch = Code(.badBatch)
        /// A value with an unknown type tag, or a date past the day range (SPEC `[W-8.7.2]`).
        public static let badValue = Code(.badValue)
        /// An operation body with an unknown tag (SPEC `[W-8.7.1]`).
        public static let badBody = Code(.badBody)

        /// A value the encoder refuses to write: a fixed-size field of the wrong size (encoders only; SPEC `[W-3.4]`).
        public static let unencodable = Code(.unencodable)

        /// Every code, for tests and tools.
        public static var all: [Code] { Base.allCases.map(Code.init) }

        /// The code's name as written in the vectors (`frameTooLarge`).
        public var description: String { base.rawValue }

        /// Looks a code up by its name, as the vectors write it.
        ///
        /// - Parameter name: The name, such as `"badIndex"`.
        /// - Returns: The code, or `nil` for a name no code has.
        public init?(name: String) {
            guard let base = Base(rawValue: name) else { return nil }
            self.base = base
        }
    }

    /// What kind of malformation this is.
    public var code: Code
    /// One line naming the structure and the rule broken. Never contains bytes or text read from the input.
    public var message: String

    /// Makes an error.
    ///
    /// - Parameters:
    ///   - code: The kind of malformation.
    ///   - message: One line naming the structure and rule; MUST NOT quote the input.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
