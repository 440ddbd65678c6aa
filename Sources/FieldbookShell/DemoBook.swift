import FieldbookModel
import FieldbookStore
import Foundation

/// A realistic demo book: 800 customers with Chinese names, families, tiers, groups and risk profiles, a product
/// catalogue with a year of prices, and a year of purchases, contacts, tasks, complaints, large movements and work
/// log entries, so that a new user sees a full `today` at once (`fieldbook demo-data`, `tools/demo-data`).
///
/// The book is the same for the same seed, date, time zone and actor: names, fields, events, entity IDs and op
/// clocks all come from the seed, and the clock walks through the year as the events happen (so `history` reads
/// naturally). Everything is written through ``BookTransaction`` like any other change, one transaction per day.
///
/// Whatever the seed, the day of ``Configuration/today`` has something in every section of the agenda: customers
/// and family members with birthdays today (one a round 60th) and within 7 days, products maturing within 30 days
/// (one on a weekend), holdings past their take-profit and stop-loss lines, large movements in the last 7 days,
/// tasks due today and overdue, customers past their contact cadence, open complaints, and calls already made
/// today.
///
/// ```swift
/// let configuration = DemoBook.Configuration(today: Day(year: 2026, month: 11, day: 23)!)
/// let (book, summary) = try DemoBook.inMemory(configuration)
/// summary.customers   // 800
/// ```
public enum DemoBook {
    /// What to generate.
    public struct Configuration: Sendable {
        /// The employee code of the book's owner.
        public var principal: String
        /// The owner's display name.
        public var name: String?
        /// The seed every random choice comes from.
        public var seed: UInt64
        /// The day the book is made for: events run up to it, the agenda is full on it.
        public var today: Day
        /// How many customers.
        public var customers: Int
        /// The UTC offset of the user's days, in seconds.
        public var utcOffsetSeconds: Int

        /// Makes a configuration; the defaults are the demo that `tools/run` offers.
        public init(
            principal: String = "M001", name: String? = nil, seed: UInt64 = 1, today: Day, customers: Int = 800,
            utcOffsetSeconds: Int = 8 * 3600
        ) {
            self.principal = principal
            self.name = name
            self.seed = seed
            self.today = today
            self.customers = customers
            self.utcOffsetSeconds = utcOffsetSeconds
        }
    }

    /// What was generated.
    public struct Summary: Sendable, Hashable {
        /// Customers created.
        public var customers = 0
        /// Family members.
        public var family = 0
        /// Products in the catalogue.
        public var products = 0
        /// Purchases.
        public var purchases = 0
        /// Contacts.
        public var contacts = 0
        /// Tasks.
        public var tasks = 0
        /// Complaints.
        public var complaints = 0
        /// Large movements.
        public var movements = 0
        /// Work log entries.
        public var worklogs = 0
        /// Ops written.
        public var ops = 0
    }

    /// The largest book the generator makes.
    public static let maximumCustomers = 20_000

    /// Creates a demo book file.
    ///
    /// - Parameters:
    ///   - path: Where the book goes; an existing file is refused. A failure leaves no file behind.
    ///   - configuration: What to generate.
    ///   - actor: The replica identity; a fresh random one by default, so that two demo books are never taken for
    ///     one replica.
    /// - Returns: What was generated.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/exists`` for an existing file, ``StoreError/Code/invalid``
    ///   for a bad configuration.
    @discardableResult
    public static func create(at path: String, _ configuration: Configuration, actor: ActorID? = nil) throws -> Summary {
        try validate(configuration)
        let clock = DemoClock(start: DemoPlan.milliseconds(configuration.today.adding(days: -366), minute: 0, configuration))
        let book = try Book.create(
            at: path, principal: configuration.principal, name: configuration.name, actor: actor ?? ActorID.random(),
            options: options(configuration, clock))
        do {
            return try DemoPlan(configuration).write(into: book, clock: clock)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
    }

    /// Makes a demo book in memory, for tests.
    public static func inMemory(_ configuration: Configuration, actor: ActorID? = nil) throws -> (Book, Summary) {
        try validate(configuration)
        let clock = DemoClock(start: DemoPlan.milliseconds(configuration.today.adding(days: -366), minute: 0, configuration))
        let book = try Book.inMemory(
            principal: configuration.principal, actor: actor ?? ActorID.random(), options: options(configuration, clock))
        return (book, try DemoPlan(configuration).write(into: book, clock: clock))
    }

    private static func validate(_ configuration: Configuration) throws {
        guard (1...maximumCustomers).contains(configuration.customers) else {
            throw StoreError(.invalid, "客户数应在 1 到 \(maximumCustomers) 之间")
        }
        let code = configuration.principal
        guard !code.isEmpty, code.count <= 32, code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        else { throw StoreError(.invalid, "员工编号只能由字母、数字、- 和 _ 组成，最多 32 个字符") }
    }

    private static func options(_ configuration: Configuration, _ clock: DemoClock) -> BookOptions {
        BookOptions(now: { clock.now() }, seed: configuration.seed, utcOffsetSeconds: configuration.utcOffsetSeconds)
    }
}

/// The demo's clock: set to each event's time as the year is replayed, and never going backwards.
final class DemoClock: @unchecked Sendable {
    // @unchecked because `last` and `target` are only touched under `lock`.
    private let lock = NSLock()
    private var last: UInt64
    private var target: UInt64

    init(start: UInt64) {
        last = start
        target = start
    }

    /// Moves the clock to a time; readings after it are at least that time.
    func set(_ milliseconds: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        target = milliseconds
    }

    /// A reading: the target time, or one millisecond after the last reading if that is later.
    func now() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        last = max(target, last + 1)
        return last
    }
}
