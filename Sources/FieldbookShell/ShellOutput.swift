/// Where a session writes: standard output for results, standard error for errors.
///
/// Tests collect both into strings; the executable writes to the file descriptors.
public struct ShellOutput: Sendable {
    /// Writes one line (without its newline) to standard output.
    public var line: @Sendable (String) -> Void
    /// Writes one line (without its newline) to standard error.
    public var error: @Sendable (String) -> Void
    /// Whether output may carry colours and bold: only on a terminal, and only when `NO_COLOR` is unset. Batch
    /// mode, pipes and transcripts stay plain.
    public var styled: Bool

    /// Makes an output.
    public init(
        line: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void, styled: Bool = false
    ) {
        self.line = line
        self.error = error
        self.styled = styled
    }
}
