import ArgumentParser
import FieldbookShell
import FieldbookStore
import Foundation

/// Opens the book: interactive on a terminal, batch mode from a pipe or file, or `-c 'CMD; CMD'`.
struct ShellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell", abstract: "打开账本（不带子命令时的默认操作）。")

    @Option(help: ArgumentHelp("账本文件（默认 $FIELDBOOK_HOME/book.sqlite）。", valueName: "路径"))
    var book: String?

    @Option(name: .customShort("c"), help: ArgumentHelp("执行这些命令（用 ; 分隔）后退出。", valueName: "命令"))
    var commands: String?

    @Flag(help: "批处理和 -c 模式下，命令失败后继续执行后面的命令（退出码仍会报告失败）。")
    var keepGoing = false

    func run() throws {
        let path = book ?? Paths.defaultBook
        let opened: Book
        do {
            // The session checkpoints the WAL between commands, not inside a command's commit (Session.execute).
            var options = try Environment.bookOptions()
            options.checkpoints = .betweenCommands()
            opened = try Book.open(at: path, options: options)
        } catch let error as StoreError {
            StandardStreams.output.error(error.message)
            throw ExitCode(1)
        }
        var output = StandardStreams.output
        // Colours only on a terminal, and never in batch mode (a script's output stays plain even on a terminal).
        let batch = commands == nil && isatty(STDIN_FILENO) == 0
        output.styled = !batch && Style.wanted(
            isTerminal: isatty(STDOUT_FILENO) == 1, environment: ProcessInfo.processInfo.environment)
        let session = Session(book: opened, output: output)
        let historyPath = HistoryFile.path(forBook: opened.path)
        if let historyPath {
            session.forgetInHistory = { customers in
                LineEditor.forget(customers, inFile: historyPath) { line in
                    HistoryFile.redact(line) { try? opened.resolveCustomer($0) }
                }
            }
        }
        let runner = BatchRunner(session: session, keepGoing: keepGoing)
        if let commands {
            let code = runner.run(script: commands, numberLines: false)
            if code != 0 { throw ExitCode(code) }
            return
        }
        if isatty(STDIN_FILENO) == 0 {
            guard let data = StandardStreams.readInput() else {
                StandardStreams.output.error("无法读取标准输入")
                throw ExitCode(2)
            }
            guard let script = String(data: data, encoding: .utf8) else {
                StandardStreams.output.error("输入不是 UTF-8 文本")
                throw ExitCode(2)
            }
            let code = runner.run(script: script, numberLines: true)
            if code != 0 { throw ExitCode(code) }
            return
        }
        Prompt(session: session).run()
        if session.exitCode != 0 { throw ExitCode(session.exitCode) }
    }
}

/// The interactive loop on libedit: one line at a time, errors shown and the session going on.
///
/// The prompt shows the principal and, when there are any, the ops not yet synced (`M001 (3 未同步)> `).
/// Ctrl-C cancels the line being typed; Ctrl-D on an empty line (or `quit`) leaves.
struct Prompt {
    let session: Session

    func run() {
        let book = session.book
        // The history file (``HistoryFile``): beside the book, owner-only, redacted; purged customers leave it.
        LineEditor.start(
            completer: Completer(source: BookCompletionSource(book: book)),
            historyPath: HistoryFile.path(forBook: book.path),
            redact: { line in HistoryFile.redact(line) { try? book.resolveCustomer($0) } })
        session.forgetInHistory = { customers in LineEditor.forget(customers) }
        session.say("Fieldbook：\(session.book.principal) 的客户簿。输入 help 查看命令，Tab 补全，quit 退出。")
        session.confirm = { question in
            guard case .line(let answer) = LineEditor.read(prompt: question + "（y/N）") else { return false }
            return ["y", "yes", "是", "确认"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
        }
        while !session.quitRequested {
            let unsynced = (try? session.book.unsyncedOpCount()) ?? 0
            let prompt = unsynced > 0 ? "\(session.book.principal) (\(unsynced) 未同步)> " : "\(session.book.principal)> "
            let line: String
            switch LineEditor.read(prompt: prompt) {
            case .cancelled: continue
            case .end:
                session.say("")
                return
            case .line(let text): line = text
            }
            LineEditor.remember(line)
            do {
                for command in try Tokenizer.split(line) {
                    try session.execute(command)
                    if session.quitRequested { return }
                }
            } catch {
                session.output.error(Style(enabled: session.output.styled).red(error.message))
            }
        }
    }
}
