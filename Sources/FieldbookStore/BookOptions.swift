import Foundation

/// What a book takes from its environment: the wall clock, randomness and the local UTC offset, and when its
/// write-ahead log is checkpointed.
///
/// Tests and transcripts fix the first three so that IDs, timestamps and "today" are the same on every run.
public struct BookOptions: Sendable {
    /// The wall clock, in Unix milliseconds.
    public var now: @Sendable () -> UInt64
    /// A seed for the book's actor ID (and so for the IDs of the entities it creates, which derive from it), or `nil`
    /// for the system's randomness.
    public var seed: UInt64?
    /// The UTC offset of the user's "today", in seconds.
    public var utcOffsetSeconds: Int
    /// When the WAL is copied into the book: SQLite's automatic checkpoint by default; the shell checkpoints between
    /// commands (``CheckpointPolicy/betweenCommands(threshold:ceiling:)``). Ignored by a book in memory.
    public var checkpoints: CheckpointPolicy = .automatic

    /// Makes options.
    public init(now: @escaping @Sendable () -> UInt64, seed: UInt64? = nil, utcOffsetSeconds: Int) {
        self.now = now
        self.seed = seed
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The system clock, system randomness and the process's time zone.
    public static var system: BookOptions {
        BookOptions(
            now: { UInt64(max(0, Date().timeIntervalSince1970 * 1000)) },
            utcOffsetSeconds: TimeZone.current.secondsFromGMT())
    }

    /// A fixed clock that advances one millisecond per reading, a fixed seed and UTC+8: for tests.
    public static func fixed(milliseconds start: UInt64, seed: UInt64 = 1, utcOffsetSeconds: Int = 8 * 3600)
        -> BookOptions
    {
        let counter = TickCounter(start: start)
        return BookOptions(now: { counter.next() }, seed: seed, utcOffsetSeconds: utcOffsetSeconds)
    }
}

/// A thread-safe counter for fixed test clocks.
final class TickCounter: @unchecked Sendable {
    // @unchecked because `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value: UInt64

    init(start: UInt64) { value = start }

    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
