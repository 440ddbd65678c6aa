/// One command of the book shell: its names, help text and what it does.
public struct CommandSpec: Sendable {
    /// The name typed (`add`).
    public var name: String
    /// Other names (`添加`).
    public var aliases: [String]
    /// The usage line (`add 姓名 [字段=值 …]`).
    public var usage: String
    /// One sentence on what it does.
    public var summary: String
    /// A typical line.
    public var example: String
    /// Whether `+T`/`-T` arguments are edits rather than words.
    public var takesEdits: Bool
    /// Runs the command.
    public var run: @Sendable (Session, inout Arguments) throws -> Void

    /// Makes a command.
    public init(
        _ name: String, aliases: [String] = [], usage: String, summary: String, example: String,
        takesEdits: Bool = false, run: @escaping @Sendable (Session, inout Arguments) throws -> Void
    ) {
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.example = example
        self.takesEdits = takesEdits
        self.run = run
    }

    /// A usage error that shows this command's usage line.
    public func usageError(_ problem: String) -> ShellError {
        .usage("\(problem)；用法：\(usage)")
    }
}
