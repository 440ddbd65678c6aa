import FieldbookStore

/// Runs a script of commands: batch mode (stdin that is not a terminal) and `-c` (SHELL.md "Invocation").
///
/// Stops at the first failing command unless `keepGoing` is set, and returns the exit code of the first failure
/// (1 user, 2 usage, 3 network) or 0. Errors go to standard error, one line each, with the line number in batch mode.
///
/// ```swift
/// let code = BatchRunner(session: session).run(script: "add 王芳\nfind 王\n", numberLines: true)
/// ```
public struct BatchRunner {
    /// The session commands run in.
    public let session: Session
    /// Whether to go on after a failure.
    public var keepGoing: Bool

    /// Makes a runner.
    public init(session: Session, keepGoing: Bool = false) {
        self.session = session
        self.keepGoing = keepGoing
    }

    /// Runs a script.
    ///
    /// - Parameters:
    ///   - script: Lines of commands; `;` also separates commands.
    ///   - numberLines: Whether error lines carry the script's line number (batch mode).
    /// - Returns: The exit code.
    public func run(script: String, numberLines: Bool) -> Int32 {
        var firstFailure: Int32 = 0
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let prefix = numberLines ? "第 \(index + 1) 行：" : ""
            let commands: [[String]]
            do {
                commands = try Tokenizer.split(String(line))
            } catch {
                session.output.error(prefix + error.message)
                if firstFailure == 0 { firstFailure = error.kind.exitCode }
                if keepGoing { continue } else { return firstFailure }
            }
            for command in commands {
                do {
                    try session.execute(command)
                } catch {
                    session.output.error(prefix + error.message)
                    if firstFailure == 0 { firstFailure = error.kind.exitCode }
                    if !keepGoing { return firstFailure }
                }
                if session.quitRequested { return firstFailure }
            }
        }
        return firstFailure
    }
}
