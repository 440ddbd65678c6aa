import FieldbookModel

/// The one error type of the store: a failed open, a rejected change, a damaged database.
///
/// Messages are one line for the user and never contain customer data.
///
/// ```swift
/// do { _ = try book.resolve("王") }
/// catch let error as StoreError where error.code == .ambiguous { print(error.message) }
/// ```
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of error. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound, exists, ambiguous, unknownReference, invalid, notPermitted, database, corrupt, readOnly
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No book at the path.
        public static let notFound = Code(.notFound)
        /// A book already exists at the path.
        public static let exists = Code(.exists)
        /// A reference matches more than one entity.
        public static let ambiguous = Code(.ambiguous)
        /// A reference matches nothing.
        public static let unknownReference = Code(.unknownReference)
        /// A change that breaks a model rule (unknown field, bad value, wrong scope).
        public static let invalid = Code(.invalid)
        /// A change this principal may not make.
        public static let notPermitted = Code(.notPermitted)
        /// SQLite failed (disk full, locked, I/O).
        public static let database = Code(.database)
        /// The file is not a book, or its op log is damaged.
        public static let corrupt = Code(.corrupt)
        /// The book cannot be written.
        public static let readOnly = Code(.readOnly)

        public var description: String { base.rawValue }
    }

    /// What kind of error.
    public var code: Code
    /// One line for the user, free of customer data.
    public var message: String
    /// The underlying error, when there is one (never shown to the user verbatim).
    public var underlying: (any Error)?

    /// Makes an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    /// Wraps a model error as ``Code/invalid``.
    public init(_ error: ModelError) {
        self.init(.invalid, error.message, underlying: error)
    }

    public var description: String { message }
}
