/// The outcome of an integrity check of a book or of the central database (``Book/check()``).
///
/// Each finding is one line for the operator, naming a table, a rule and counts, never customer data.
///
/// ```swift
/// let report = try book.check()
/// if !report.isClean { report.problems.forEach { print($0) } }
/// ```
public struct IntegrityReport: Sendable, Equatable {
    /// The checks that ran, in order, for the report's header (`"sqlite integrity_check"`, …).
    public var checks: [String]
    /// What is wrong; empty when the file passed every check.
    public var problems: [String]

    /// Makes a report.
    public init(checks: [String] = [], problems: [String] = []) {
        self.checks = checks
        self.problems = problems
    }

    /// Whether every check passed.
    public var isClean: Bool { problems.isEmpty }

    /// Appends another report's checks and problems (the central node adds its own to the book's).
    public mutating func merge(_ other: IntegrityReport) {
        checks += other.checks
        problems += other.problems
    }
}
