/// One command of the book shell, declared once: its names, forms, flags, help and handler. Everything else is
/// derived from this declaration: parsing and validation (``Arguments/init(_:command:)``), the usage line in errors,
/// `help` and `help CMD` (``HelpCommand``), and tab completion (``Completer``).
///
/// Adding a flag is one line in the command's `flags:`; the handler then reads `arguments.flags.contains("name")`
/// (a switch) or `arguments.take("name")` (an option's value).
///
/// ```swift
/// CommandSpec(
///     "tasks", aliases: ["待办列表"], summary: "列出未完成的待办", example: "tasks",
///     forms: [CommandForm(.argument("客户", .customer, .optional))],
///     flags: [.all, .limit, .json], run: TaskCommands.tasks)
/// ```
public struct CommandSpec: Sendable {
    /// The name typed (`add`).
    public var name: String
    /// Other names (`添加`).
    public var aliases: [String]
    /// One sentence on what it does.
    public var summary: String
    /// A typical line.
    public var example: String
    /// The ways of writing it (most commands have one).
    public var forms: [CommandForm]
    /// The flags every form takes.
    public var flags: [CommandFlag]
    /// Runs the command.
    public var run: @Sendable (Session, inout Arguments) throws -> Void

    /// Makes a command.
    public init(
        _ name: String, aliases: [String] = [], summary: String, example: String, forms: [CommandForm] = [CommandForm()],
        flags: [CommandFlag] = [], run: @escaping @Sendable (Session, inout Arguments) throws -> Void
    ) {
        self.name = name
        self.aliases = aliases
        self.summary = summary
        self.example = example
        self.forms = forms
        self.flags = flags
        self.run = run
    }

    /// The usage line: every form, separated by ` ｜ `.
    public var usage: String { usageLines.joined(separator: " ｜ ") }

    /// The usage of each form.
    public var usageLines: [String] { forms.map { $0.usage(command: name, flags: flags) } }

    /// A usage error that shows this command's usage line.
    public func usageError(_ problem: String) -> ShellError {
        .usage("\(problem)；用法：\(usage)")
    }

    /// Every flag of the command, its own and its forms', each once, in declaration order.
    public var allFlags: [CommandFlag] {
        var seen = Set<String>()
        return (forms.flatMap(\.flags) + flags).filter { seen.insert($0.name).inserted }
    }

    /// The forms a line may be: those whose keyword is its first positional word, or else those without a keyword
    /// (or, when no form fits, all of them, and the handler explains).
    func forms(firstWord: String?) -> [CommandForm] {
        if let firstWord, case let keyed = forms.filter({ $0.leadingKeyword?.contains { $0.lowercased() == firstWord.lowercased() } == true }),
            !keyed.isEmpty
        {
            return keyed
        }
        let plain = forms.filter { $0.leadingKeyword == nil }
        return plain.isEmpty ? forms : plain
    }
}
