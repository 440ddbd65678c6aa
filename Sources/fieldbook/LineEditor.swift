import CEditLine
import FieldbookShell
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

    /// The thread reading a line, or 0.
    nonisolated(unsafe) private static var reader: pthread_t = 0

    /// Set by the SIGINT handler, read after `readline` returns.
    nonisolated(unsafe) private static var interrupted: sig_atomic_t = 0

    /// Prepares libedit: locale, completion, history and Ctrl-C.
    ///
    /// - Parameters:
    ///   - completer: What TAB offers.
    ///   - historyPath: The history file (created owner-only), or `nil` for none.
    static func start(completer: Completer, historyPath: String?) {
        fb_setlocale_utf8()
        // Before anything that initialises libedit (using_history does): it reads this once.
        fb_set_catch_signals(0)
        self.completer = completer
        fb_set_readline_name("fieldbook")
        fb_set_word_breaks()
        fb_set_completer(complete)
        using_history()
        stifle_history(1_000)
        if let historyPath {
            self.historyPath = historyPath
            if FileManager.default.fileExists(atPath: historyPath) {
                chmod(historyPath, 0o600)
                read_history(historyPath)
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
                FileHandle.standardOutput.write(Data("\n".utf8))
                return .cancelled
            }
            return .end
        }
        defer { free(pointer) }
        if interrupted != 0 { return .cancelled }
        return .line(String(cString: pointer))
    }

    /// Adds a line to the history and saves the history file.
    ///
    /// Lines that carry an ID number are not kept: the history file is plain text.
    static func remember(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed != lastEntry else { return }
        guard !trimmed.contains("id_number=") && !trimmed.contains("身份证=") else { return }
        lastEntry = trimmed
        add_history(trimmed)
        guard let historyPath else { return }
        if !FileManager.default.fileExists(atPath: historyPath) {
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        write_history(historyPath)
        chmod(historyPath, 0o600)
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
            return rl_completion_matches(text, generate)
        }

    private static let generate: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = {
        _, state in
        if state == 0 { LineEditor.nextMatch = 0 }
        guard LineEditor.nextMatch < LineEditor.matches.count else { return nil }
        defer { LineEditor.nextMatch += 1 }
        return strdup(LineEditor.matches[LineEditor.nextMatch])
    }
}
