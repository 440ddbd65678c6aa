import FieldbookShell
import CoreFoundation
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes to the standard streams, line by line, straight to the file descriptors so that pipes see each line as it
/// is written, and so that a closed pipe ends the process the way it ends `cat` or `grep`.
///
/// Every byte the executable writes goes through ``write(_:to:)`` (never `print`, never `FileHandle.write`, whose
/// `try!` traps on `EPIPE`):
/// - A reader that went away (`fieldbook -c 'find' | head -1`): the process is ended by SIGPIPE, status 141 in a
///   shell, with nothing on stderr. SwiftNIO sets SIGPIPE to ignored as soon as `sync` opens a socket, so the write
///   gets `EPIPE` instead of the signal: ``brokenPipe()`` restores the default action and raises it.
/// - Any other failure on standard output (a full disk, a closed descriptor): one line on stderr, exit status 1.
///   A failure on standard error itself is ignored: there is nowhere left to say so.
enum StandardStreams {
    /// What the shell's commands write through.
    static let output = ShellOutput(line: { out($0) }, error: { err($0) })

    /// Writes one line to standard output.
    static func out(_ line: String) { write(line + "\n", to: STDOUT_FILENO) }

    /// Writes one line to standard error.
    static func err(_ line: String) { write(line + "\n", to: STDERR_FILENO) }

    /// Whether standard output was closed when the process started (`fieldbook >&-`).
    nonisolated(unsafe) private static var outputClosed = false

    /// Holds descriptors 0–2 that were closed at start (`fieldbook >&-`) open on /dev/null, so that no file opened
    /// later (the book, a socket) takes their number and receives what was meant for the terminal. Writing to a
    /// standard output that was closed still fails (EBADF: one line on stderr, exit 1). Called first thing in `main`,
    /// before any other thread exists.
    static func reserveClosedDescriptors() {
        for descriptor in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO]
        where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", O_RDWR)
            if opened >= 0, opened != descriptor {
                dup2(opened, descriptor)
                close(opened)
            }
            if descriptor == STDOUT_FILENO { outputClosed = true }
        }
    }

    /// Writes all of `text` to `descriptor`, retrying interrupted and partial writes.
    static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let closed = descriptor == STDOUT_FILENO && outputClosed
                let written = closed ? -1 : systemWrite(descriptor, base + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                    continue
                }
                let failure = closed ? EBADF : written < 0 ? errno : EIO
                switch failure {
                case EINTR:
                    continue
                case EAGAIN, EWOULDBLOCK:
                    // A descriptor inherited in non-blocking mode: wait until it can take more.
                    var wanted = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&wanted, 1, -1)
                    continue
                case EPIPE:
                    brokenPipe()
                default:
                    guard descriptor != STDERR_FILENO else { return }
                    err("fieldbook：无法写入标准输出：\(String(cString: strerror(failure)))")
                    exit(1)
                }
            }
        }
    }

    /// Ends the process as SIGPIPE would have: killed by the signal (shell status 141), nothing printed.
    static func brokenPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        pthread_sigmask(SIG_UNBLOCK, &pipeOnly, nil)
        raise(SIGPIPE)
        // Not reached: the default action of SIGPIPE terminates the process. Same status if it somehow did not.
        _exit(128 + SIGPIPE)
    }

    /// Reads standard input to its end. `nil` when it cannot be read (a directory, a closed descriptor).
    static func readInput() -> Data? {
        do {
            return try FileHandle.standardInput.readToEnd() ?? Data()
        } catch {
            return nil
        }
    }
}

/// `write(2)`, out of reach of ``StandardStreams/write(_:to:)``'s own name.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// Crash output in one line instead of the Swift runtime's multi-page backtrace.
///
/// On Linux the Swift runtime installs a backtracer (`SWIFT_BACKTRACE`, on by default) on SIGILL, SIGTRAP, SIGSEGV,
/// SIGBUS, SIGFPE, SIGABRT and SIGQUIT, which prints every thread's stack with source paths. ``install()`` replaces
/// those handlers as the first thing `main` does. What a crash then prints:
/// - A Swift runtime failure that has a message (`fatalError`, `try!`, and in debug builds a force-unwrapped `nil`
///   or an overflow): the runtime's own line, `Module/File.swift:LINE: Fatal error: …` (a `#fileID`, module and
///   file name, never a path on disk), and nothing more.
/// - Any other crash (a trap without a message, as `-O` builds have for `!` on `nil`, a bad pointer, `abort()`):
///   one line, `fieldbook：内部错误，进程已终止（信号 N）`.
///
/// The process then dies of the same signal with its default action (core dump where the system keeps them), so
/// its exit status still says it crashed. Ctrl-\ (SIGQUIT) quits silently, as in any other program.
///
/// Limits: a crash before `main` (in a static initializer run at load time) still gets the runtime's backtracer;
/// a stack overflow has no stack left to run the handler on, and the kernel's default action applies (no line).
enum CrashSignals {
    static func install() {
        // Resolved now: a handler must not look anything up. Absent in other runtimes: then the line is always
        // printed, after the runtime's message if it had one.
        if let symbol = dlsym(nil, "swift_getFatalErrorMessageBuffer") {
            typealias Accessor = @convention(c) () -> UnsafePointer<CChar>?
            runtimeMessage = unsafeBitCast(symbol, to: Accessor.self)()
        }
        for number in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGQUIT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashed
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_ONSTACK
            sigaction(number, &action, nil)
        }
    }

    /// The Swift runtime's buffer holding the message of a fatal error, empty until one happens.
    nonisolated(unsafe) fileprivate static var runtimeMessage: UnsafePointer<CChar>?
}

/// The handler: async-signal-safe (static strings, `write`, `signal`, `raise`).
private func crashed(_ number: Int32) {
    let reported = CrashSignals.runtimeMessage.map { $0.pointee != 0 } ?? false
    if number != SIGQUIT, !reported {
        let line: StaticString
        switch number {
        case SIGILL: line = "fieldbook：内部错误，进程已终止（信号 4，SIGILL）\n"
        case SIGTRAP: line = "fieldbook：内部错误，进程已终止（信号 5，SIGTRAP）\n"
        case SIGABRT: line = "fieldbook：内部错误，进程已终止（信号 6，SIGABRT）\n"
        case SIGBUS: line = "fieldbook：内部错误，进程已终止（信号 7，SIGBUS）\n"
        case SIGFPE: line = "fieldbook：内部错误，进程已终止（信号 8，SIGFPE）\n"
        default: line = "fieldbook：内部错误，进程已终止（信号 11，SIGSEGV）\n"
        }
        _ = write(STDERR_FILENO, line.utf8Start, line.utf8CodeUnitCount)
    }
    // Blocked while this handler runs: delivered with the default action as soon as it returns (or, for a fault,
    // when the instruction faults again).
    signal(number, SIG_DFL)
    raise(number)
}
