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
    /// Where output goes: the output given to ``init(book:output:)``, guarded by ``TerminalText``, so every line
    /// written through it (``say(_:)``, JSON, sync progress, the error lines of the batch runner and the prompt) has
    /// its control characters escaped and its style marks applied or dropped.
    public let output: ShellOutput
    /// Set by `quit`.
    public private(set) var quitRequested = false
    /// Whether this session said that the offline lease runs out soon (once is enough).
    private var leaseWarned = false
    /// Asks the user a yes/no question (the interactive shell sets it); `nil` in batch mode, where a command that
    /// needs confirmation needs `--confirm` instead.
    public var confirm: (@Sendable (String) -> Bool)?
    /// Removes saved history lines that name customers a sync purged (``HistoryFile``). The executable sets it in
    /// every mode (the interactive shell also drops the lines it holds in memory); `nil` in tests without a history.
    public var forgetInHistory: (@Sendable ([EntityID]) -> Void)?

    /// The commands of this session that changed the book, oldest first: what `undo` reverts, newest first.
    var undoStack: [UndoCommand.Entry] = []

    /// The customers of the last listing of this session (`find`), in its order: what `@` names.
    public internal(set) var lastListing: [EntityID]?

    /// Makes a session.
    ///
    /// - Parameter output: The raw streams; the session escapes what it writes to them (``TerminalText/guarding(_:)``).
    public init(book: Book, output: ShellOutput) {
        self.book = book
        self.output = TerminalText.guarding(output)
    }

    /// Runs one command, then catches up the search index and checkpoints the book's WAL if they are due
    /// (``Book/catchUpSearchIndexIfDue()``, ``Book/checkpointIfDue()``).
    ///
    /// Every mode runs its commands through here, so the checkpoint falls between commands, after the command's output
    /// is written, where the user is reading, never inside a command's commit (docs/DECISIONS.md, "Command latency:
    /// checkpoints between commands"). It does something only for a book opened with
    /// ``CheckpointPolicy/betweenCommands(threshold:ceiling:)``, as the executable opens the shell's book.
    ///
    /// - Parameter tokens: The command name and its arguments (see ``Tokenizer``).
    /// - Throws: ``ShellError``; a failing command has changed nothing.
    public func execute(_ tokens: [String]) throws(ShellError) {
        guard let name = tokens.first else { return }
        // A failed checkpoint loses nothing (the WAL keeps the frames; the next command's checkpoint retries them) and
        // is not the command's failure, so it is not reported; nor is a failed catch-up of the search index (the
        // customers stay pending, and `find` scans them).
        defer {
            _ = try? book.catchUpSearchIndexIfDue()
            _ = try? book.checkpointIfDue()
        }
        guard let command = Commands.find(name) else {
            throw .usage(Commands.unknownMessage(name))
        }
        var arguments = try Arguments(Array(tokens.dropFirst()), command: command)
        do {
            try checkLease(command.name)
            // `undo` remembers the own ops of each command that wrote some (issue 18); its own are not remembered, so
            // each `undo` goes one command further back. What only records a reveal of ID numbers (the audit trail)
            // is never undone.
            let mark = UndoCommand.notRemembered.contains(command.name) ? nil : try? book.ownOpCounter()
            try command.run(self, &arguments)
            if let mark, let now = try? book.ownOpCounter(), now > mark {
                undoStack.append(UndoCommand.Entry(line: tokens.joined(separator: " "), after: mark, through: now))
            }
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

    /// Refuses every command but ``OfflineLease/allowedWhenLocked`` in a book whose offline lease ran out, and
    /// warns once per session when fewer than a week is left.
    private func checkLease(_ command: String) throws {
        let lease = try OfflineLease(book: book)
        // A book that is not enrolled has no lease; the clock is not read for it (a reading moves a test clock).
        guard lease.since != nil else { return }
        switch lease.state(now: book.options.now()) {
        case .none:
            return
        case .locked(let days):
            if !OfflineLease.allowedWhenLocked.contains(command) { throw ShellError(.network, lease.lockedMessage(daysOffline: days)) }
        case .open(let left):
            if !leaseWarned, let warning = lease.warning(daysLeft: left) {
                leaseWarned = true
                output.error(warning)
            }
        }
    }

    /// The exit code the shell ends with after ``quitRequested`` (3 when the device was revoked and its book erased).
    public private(set) var exitCode: Int32 = 0

    /// Marks the session as finished.
    func quit(exitCode: Int32 = 0) {
        quitRequested = true
        self.exitCode = exitCode
    }

    /// Writes one line to standard output, made safe for a terminal (``TerminalText/text(_:styled:)``): control
    /// characters are shown as `\r`, `\t`, `\u{1B}`…, style marks become colours or go; a line feed in `text` stays a
    /// line break (help text, a multi-line note on a card).
    public func say(_ text: String) { output.line(text) }

    /// Writes a JSON document to standard output. ``JSON`` escapes every control character inside strings, so the
    /// document passes the terminal guard unchanged.
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
        guard let n = Int(text), n > 0 else { throw .usage("--limit 应为正整数；用法：\(usage)") }
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
            if spec.isSet { throw ShellError.user("\(spec.label)是集合字段，请用 tag 命令修改") }
            let value = try spec.parse(text, today: today)
            result.removeAll { $0.field == spec.id }
            result.append(FieldAssignment(spec.id, value))
        }
        return result
    }

    // MARK: - `@`

    /// Above this many customers, `@` asks before acting (SHELL.md).
    static let atConfirmationThreshold = 20

    /// Whether a reference is `@`: every customer of the last listing.
    static func isAt(_ reference: String) -> Bool { reference == "@" || reference == "＠" }

    /// The customers `@` names for a command that will act on them (the last listing), after the user agreed when
    /// there are more than ``atConfirmationThreshold``: interactively y/N, in batch mode `--confirm`.
    ///
    /// - Parameters:
    ///   - arguments: The command's arguments (for `--confirm`).
    ///   - action: What will be done, for the question (`加标签`).
    /// - Returns: The customers, or `nil` when the user said no (nothing is to be done).
    /// - Throws: ``ShellError`` when there is no listing yet, it was empty, or `--confirm` is missing in batch mode.
    func atCustomers(_ arguments: Arguments, action: String) throws(ShellError) -> [EntityID]? {
        guard let listing = lastListing else {
            throw .user("@ 指本次会话上一次 find 列出的客户：请先用 find 列出客户")
        }
        guard !listing.isEmpty else { throw .user("上一次 find 没有找到客户：@ 不指任何客户") }
        if listing.count > Self.atConfirmationThreshold, !arguments.flags.contains("confirm") {
            guard let confirm else {
                throw .user("@ 指 \(listing.count) 位客户（超过 \(Self.atConfirmationThreshold) 位）：批量模式下请加 --confirm")
            }
            guard confirm("@ 指 \(listing.count) 位客户，确定要\(action)吗？") else {
                say("已取消，没有改动")
                return nil
            }
        }
        return listing
    }
}
