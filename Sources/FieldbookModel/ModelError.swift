/// A user-facing error from parsing or validating model values.
///
/// The message is one line, says what was wrong and what to type instead, and never repeats customer data: it
/// names fields and formats, not values (ARCHITECTURE §7). Match on ``code``:
///
/// ```swift
/// do { _ = try Day.parse("2026-02-30", today: today) }
/// catch let error as ModelError where error.code == .badDate { print(error.message) }
/// ```
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of error this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unknownField, badValue, badDate, badMoney, badPercent, badEnum, notWritable, badOperation
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A field name that the schema does not know for this kind of entity.
        public static let unknownField = Code(.unknownField)
        /// A value that does not fit its field's type.
        public static let badValue = Code(.badValue)
        /// A date that does not exist or cannot be read.
        public static let badDate = Code(.badDate)
        /// An amount of money that cannot be read.
        public static let badMoney = Code(.badMoney)
        /// A percentage that cannot be read.
        public static let badPercent = Code(.badPercent)
        /// A value outside a field's list of choices.
        public static let badEnum = Code(.badEnum)
        /// A field that this principal may not write.
        public static let notWritable = Code(.notWritable)
        /// An operation that is malformed (wrong scope, wrong kind of field).
        public static let badOperation = Code(.badOperation)

        public var description: String { base.rawValue }
    }

    /// What kind of error this is.
    public var code: Code
    /// One line for the user, free of customer data.
    public var message: String

    /// Makes an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
