import FieldbookModel
import FieldbookStore

/// A shell session on one book: runs commands and writes their output.
///
/// Batch mode, `-c`, the interactive prompt and the transcript tests all go through ``execute(_:)``.
///
/// ```swift
/// let session = Session(book: book, output: output)
/// try session.execute(["add", "王芳", "tier=钻石"])
/// ```
public final class Session: @unchecked Sendable {
    // @unchecked because a session is used by one thread at a time (the shell loop); `quitRequested` is its only
    // mutable state.

    /// The book.
    public let book: Book
    /// Where output goes.
    public let output: ShellOutput
    /// Set by `quit`.
    public private(set) var quitRequested = false
    /// Asks the user a yes/no question (the interactive shell sets it); `nil` in batch mode, where a command that
    /// needs confirmation needs `--confirm` instead.
    public var confirm: (@Sendable (String) -> Bool)?

    /// Makes a session.
    public init(book: Book, output: ShellOutput) {
        self.book = book
        self.output = output
    }

    /// Runs one command.
    ///
    /// - Parameter tokens: The command name and its arguments (see ``Tokenizer``).
    /// - Throws: ``ShellError``; a failing command has changed nothing.
    public func execute(_ tokens: [String]) throws(ShellError) {
        guard let name = tokens.first else { return }
        guard let command = Commands.find(name) else {
            throw .usage(Commands.unknownMessage(name))
        }
        var arguments = Arguments(Array(tokens.dropFirst()), allowEdits: command.takesEdits)
        do {
            try command.run(self, &arguments)
        } catch let error as ShellError {
            throw error
        } catch let error as StoreError {
            throw .user(error.message)
        } catch let error as ModelError {
            throw .user(error.message)
        } catch {
            throw .user("意外错误：\(type(of: error))")
        }
    }

    /// Marks the session as finished.
    func quit() { quitRequested = true }

    /// Writes one line to standard output.
    public func say(_ text: String) { output.line(text) }

    /// Writes a JSON document to standard output.
    func say(_ json: JSON) { output.line(json.render()) }

    /// Today in the book's time zone.
    var today: Day { book.today }

    /// Emphasis for this session's output: plain unless it goes to a terminal that wants colours.
    var style: Style { Style(enabled: output.styled) }

    /// The last line of a listing: the count, and how many rows were left out and how to see them.
    func sayCount(_ total: Int, shown: Int, unit: String, noun: String, hint: String = "用 --limit N 或 --all 查看更多") {
        if total > shown {
            say("共 \(total) \(unit)\(noun)，只显示前 \(shown) \(unit)（\(hint)）")
        } else {
            say("共 \(total) \(unit)\(noun)")
        }
    }

    /// The value of `--limit N` (or `limit=N`), or `fallback`.
    func limit(_ arguments: inout Arguments, usage: String, fallback: Int = 50) throws(ShellError) -> Int {
        guard let text = arguments.take("limit") ?? arguments.take("--limit") else { return fallback }
        guard let n = Int(text), n > 0 else { throw .usage("limit 应为正整数；用法：\(usage)") }
        return n
    }

    /// The entities of a kind: of one customer when a reference is given, else of the whole book.
    func entities(_ kind: EntityKind, of reference: String?) throws -> [EntitySnapshot] {
        guard let reference else { return try book.entities(kind: kind) }
        return try book.entities(in: .customer(try book.resolveCustomer(reference)), kind: kind)
    }

    /// A customer's name and short ID for messages on standard output: `王芳 [czp8ws]`.
    func label(customer id: EntityID) throws -> String {
        let name = try book.snapshot(of: id)?.text(Schema.F.name) ?? ""
        return "\(name) [\(id.short)]"
    }

    /// The local date and time of a clock reading: `2026-11-23 10:05`.
    func time(_ hlc: HLC) -> String {
        let offset = book.options.utcOffsetSeconds
        let day = Day(milliseconds: hlc.milliseconds, offsetSeconds: offset)
        let seconds = (Int64(hlc.milliseconds / 1000) + Int64(offset)) % 86_400
        let minutes = (seconds + 86_400) % 86_400 / 60
        let hh = minutes / 60
        let mm = minutes % 60
        return "\(day.iso) \(hh < 10 ? "0" : "")\(hh):\(mm < 10 ? "0" : "")\(mm)"
    }

    /// Parses `key=value` assignments for an entity kind.
    func fieldValues(_ assignments: [(key: String, value: String)], kind: EntityKind) throws -> [FieldAssignment] {
        var result: [FieldAssignment] = []
        for (key, text) in assignments {
            let spec = try Schema.field(named: key, for: kind)
            if spec.isSet { throw ShellError.user("\(spec.name) 是集合字段，请用 tag 命令修改") }
            let value = try spec.parse(text, today: today)
            result.removeAll { $0.field == spec.id }
            result.append(FieldAssignment(spec.id, value))
        }
        return result
    }
}
