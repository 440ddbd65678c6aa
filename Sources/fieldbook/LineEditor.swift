import CEditLine
import FieldbookModel
import FieldbookShell
import CoreFoundation
import Foundation

/// The libedit glue of the interactive shell: reading a line with editing and history, and handing TAB to the
/// ``Completer`` (which lives in FieldbookShell, where it is tested without a terminal).
///
/// libedit keeps its state in C globals, so there is one line editor per process. Follow toolchain.md §4: set the
/// locale before anything else or CJK keystrokes are dropped; set C function pointers through the shim.
enum LineEditor {
    /// The result of reading one line.
    enum Input {
        /// A line (without its newline).
        case line(String)
        /// Ctrl-C: the line was cancelled.
        case cancelled
        /// Ctrl-D on an empty line, or the end of input.
        case end
    }

    // libedit calls back into these from the same thread that called `readline`; there is no concurrency.
    nonisolated(unsafe) private static var completer: Completer?
    nonisolated(unsafe) private static var matches: [String] = []
    nonisolated(unsafe) private static var nextMatch = 0
    nonisolated(unsafe) private static var historyPath: String?
    nonisolated(unsafe) private static var lastEntry: String?
    /// The lines of the history file, in the form ``HistoryFile/redact(_:customer:)`` gives (libedit's own list
    /// holds this session's lines as typed, in memory only).
    nonisolated(unsafe) private static var savedLines: [String] = []
    /// Makes the saved form of a line (``HistoryFile/redact(_:customer:)`` with the book's customers).
    nonisolated(unsafe) private static var redact: (String) -> String? = { _ in nil }
    /// How many lines the history keeps.
    private static let historySize = 1_000

    /// The thread reading a line, or 0.
    nonisolated(unsafe) private static var reader: pthread_t = 0

    /// Set by the SIGINT handler, read after `readline` returns.
    nonisolated(unsafe) private static var interrupted: sig_atomic_t = 0

    /// Prepares libedit: locale, completion, history and Ctrl-C.
    ///
    /// - Parameters:
    ///   - completer: What TAB offers.
    ///   - historyPath: The history file (created owner-only), or `nil` for none.
    ///   - redact: The form in which a typed line is saved (``HistoryFile``), `nil` for not at all.
    static func start(completer: Completer, historyPath: String?, redact: @escaping (String) -> String?) {
        self.redact = redact
        fb_setlocale_utf8()
        // Before anything that initialises libedit (using_history does): it reads this once.
        fb_set_catch_signals(0)
        self.completer = completer
        fb_set_readline_name("fieldbook")
        fb_set_word_breaks()
        fb_set_completer(complete)
        using_history()
        stifle_history(Int32(historySize))
        if let historyPath {
            self.historyPath = historyPath
            if FileManager.default.fileExists(atPath: historyPath) {
                chmod(historyPath, 0o600)
                read_history(historyPath)
                // A file written by an earlier version may hold lines as typed: saved again, redacted.
                savedLines = entries().compactMap(redact)
                saveFile(memory: savedLines)
            }
        }
        // Ctrl-C cancels the line: without SA_RESTART the terminal read fails with EINTR, libedit gives up on the
        // line and `readline` returns NULL, and `interrupted` says why. libedit's own handlers stay off
        // (`fb_set_catch_signals(0)` above): on SIGINT they put the terminal in cooked mode and re-send the signal
        // to the whole process group.
        var action = sigaction()
        // The shell may run on any thread (the command is async), and the kernel gives a process-wide SIGINT to
        // whichever thread it likes: forward it to the thread blocked in `read`, so that the read is interrupted.
        action.__sigaction_handler.sa_handler = { signal in
            LineEditor.interrupted = 1
            let reader = LineEditor.reader
            if reader != 0, pthread_equal(reader, pthread_self()) == 0 { pthread_kill(reader, signal) }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
    }

    /// Reads one line with the prompt.
    static func read(prompt: String) -> Input {
        interrupted = 0
        // Dispatch's worker threads block most signals; this one must receive SIGINT while it reads.
        var unblock = sigset_t()
        var previous = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, &previous)
        reader = pthread_self()
        let pointer = readline(prompt)
        reader = 0
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        guard let pointer else {
            if interrupted != 0 {
                // libedit leaves the cursor after `^C`.
                StandardStreams.write("\n", to: STDOUT_FILENO)
                return .cancelled
            }
            return .end
        }
        defer { free(pointer) }
        if interrupted != 0 { return .cancelled }
        return .line(String(cString: pointer))
    }

    /// Adds a line to the history: as typed to this session's recall (memory only), and redacted to the history
    /// file, which holds no personal data (``HistoryFile``).
    static func remember(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed != lastEntry else { return }
        lastEntry = trimmed
        add_history(trimmed)
        guard historyPath != nil, let saved = redact(trimmed), saved != savedLines.last else { return }
        savedLines.append(saved)
        if savedLines.count > historySize { savedLines.removeFirst(savedLines.count - historySize) }
        saveFile(memory: entries())
    }

    /// Drops every saved line that names one of these customers, after a sync purged them, and this session's
    /// typed lines with them (they may name the customers in words).
    static func forget(_ customers: [EntityID]) {
        savedLines.removeAll { HistoryFile.mentions($0, any: customers) }
        lastEntry = nil
        saveFile(memory: savedLines)
    }

    /// The same for a shell without line editing (batch mode, `-c`): the history file of the book is rewritten
    /// without the lines that name the customers, every other line redacted again (a file written by an earlier
    /// version may hold lines as typed; a purged customer's name no longer resolves, so it is elided).
    static func forget(_ customers: [EntityID], inFile path: String, redact: (String) -> String?) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        using_history()
        stifle_history(Int32(historySize))
        clear_history()
        read_history(path)
        historyPath = path
        savedLines = entries().filter { !HistoryFile.mentions($0, any: customers) }.compactMap(redact)
        saveFile(memory: [])
    }

    /// libedit's list of lines, oldest first.
    private static func entries() -> [String] {
        (0..<Int(fb_history_length())).compactMap { offset in
            history_get(fb_history_base() + Int32(offset)).flatMap { $0.pointee.line.map { String(cString: $0) } }
        }
    }

    /// Writes ``savedLines`` to the history file in libedit's format (owner-only), then puts `memory` back as
    /// libedit's list for recall.
    private static func saveFile(memory: [String]) {
        guard let historyPath else { return }
        clear_history()
        for line in savedLines { add_history(line) }
        if !FileManager.default.fileExists(atPath: historyPath) {
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        write_history(historyPath)
        chmod(historyPath, 0o600)
        clear_history()
        for line in memory { add_history(line) }
    }

    /// libedit's completion entry point: ask the completer, then hand the whole-word candidates back one by one.
    private static let complete: @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, _, end in
            fb_set_completion_over(1)
            guard let completer = LineEditor.completer, let text else { return nil }
            let line = fb_line_buffer().map { String(cString: $0) } ?? String(cString: text)
            // libedit gives positions in characters, not bytes (toolchain.md §4, gotcha c).
            let result = completer.complete(line: line, cursor: Int(end))
            if result.fileName {
                // Let libedit complete file names itself.
                fb_set_completion_over(0)
                fb_set_completion_append_character(0)
                return nil
            }
            LineEditor.matches = result.candidates
            LineEditor.nextMatch = 0
            fb_set_completion_append_character(result.continues ? 0 : 32)
            guard !result.candidates.isEmpty else { return nil }
            if result.candidates.count > 1 {
                // libedit would list the candidates padded by bytes, so that Chinese ones do not line up: insert
                // what they have in common, or else list them here, padded by display width, and redraw the line.
                let common = commonPrefix(result.candidates)
                fb_set_completion_append_character(0)
                if common.count > result.word.count {
                    LineEditor.matches = [common]
                    return rl_completion_matches(text, generate)
                }
                let lines = Completer.layout(result.candidates, width: terminalWidth())
                StandardStreams.write("\n" + lines.joined(separator: "\n") + "\n", to: STDOUT_FILENO)
                rl_forced_update_display()
                return nil
            }
            return rl_completion_matches(text, generate)
        }

    /// The longest common beginning of the candidates, in characters.
    private static func commonPrefix(_ candidates: [String]) -> String {
        var prefix = Array(candidates[0])
        for candidate in candidates.dropFirst() {
            let characters = Array(candidate)
            var n = 0
            while n < min(prefix.count, characters.count), prefix[n] == characters[n] { n += 1 }
            prefix = Array(prefix[..<n])
        }
        return String(prefix)
    }

    /// The terminal's width in columns (80 when it cannot be read).
    private static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static let generate: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = {
        _, state in
        if state == 0 { LineEditor.nextMatch = 0 }
        guard LineEditor.nextMatch < LineEditor.matches.count else { return nil }
        defer { LineEditor.nextMatch += 1 }
        return strdup(LineEditor.matches[LineEditor.nextMatch])
    }
}
