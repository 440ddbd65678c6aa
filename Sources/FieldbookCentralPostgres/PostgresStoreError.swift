/// A failure of the PostgreSQL store, in words for the operator (Chinese, like the rest of `fieldbook admin`).
///
/// Never carries customer data or a password: a database error is reduced to its SQLSTATE before it reaches one.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let description: String

    /// Makes an error.
    public init(_ description: String) { self.description = description }
}
