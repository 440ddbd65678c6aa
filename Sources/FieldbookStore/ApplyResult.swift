/// What applying a batch of remote ops did.
public struct ApplyResult: Sendable, Hashable {
    /// Ops that were new and are now in the log.
    public var applied: Int
    /// Ops the log already held (duplicates are harmless).
    public var duplicates: Int
    /// Ops not applied because a value breaks the rules (``Operation/valueProblem``): never stored nor shown.
    public var invalid = 0

    /// Makes a result.
    public init(applied: Int = 0, duplicates: Int = 0) {
        self.applied = applied
        self.duplicates = duplicates
    }
}
