/// A failed command, as the user sees it: one line and an exit code (SHELL.md "Invocation").
///
/// ```swift
/// throw ShellError.usage("用法：add 姓名 [字段=值 …]")
/// ```
public struct ShellError: Error, Sendable, CustomStringConvertible {
    /// The class of failure, which decides the exit code.
    public struct Kind: Hashable, Sendable {
        /// The exit code for this kind: 1, 2 or 3.
        public let exitCode: Int32
        private init(_ exitCode: Int32) { self.exitCode = exitCode }

        /// Bad data or a rule broken: exit code 1.
        public static let user = Kind(1)
        /// A command typed wrongly (unknown command, missing argument): exit code 2.
        public static let usage = Kind(2)
        /// The central node could not be reached or refused the sync: exit code 3.
        public static let network = Kind(3)
    }

    /// The class of failure.
    public var kind: Kind
    /// One line, saying what was wrong and what to type instead; never customer data.
    public var message: String

    /// Makes an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A user error (exit code 1).
    public static func user(_ message: String) -> ShellError { ShellError(.user, message) }
    /// A usage error (exit code 2).
    public static func usage(_ message: String) -> ShellError { ShellError(.usage, message) }

    public var description: String { message }
}
