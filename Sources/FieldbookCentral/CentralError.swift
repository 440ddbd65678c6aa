/// An administration or central-database failure, as the administrator sees it: one line, no customer data.
public struct CentralError: Error, Sendable, CustomStringConvertible {
    /// The line to show.
    public var message: String

    /// Makes an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
