import FieldbookModel
import FieldbookStore

/// The offline lease of an enrolled book (issue 15): a device that has not reached the central node for
/// ``days`` days locks its book until a sync succeeds; fewer than ``warningDays`` days before that, the shell says
/// how many are left.
///
/// It protects a lost device that is picked up and used through Fieldbook; it is not encryption: whoever copies the
/// file reads it with any SQLite tool (SECURITY.md, "Lost or stolen device").
///
/// ```swift
/// OfflineLease(days: 30, since: lastSync).state(now: now)   // .open(daysLeft: 5)
/// ```
public struct OfflineLease: Sendable, Hashable {
    /// Days of the lease when the book's settings do not say (`settings lease=N`).
    public static let defaultDays = 30
    /// The shell warns when fewer days than this are left.
    public static let warningDays = 7
    /// The commands a locked book still runs: the one that unlocks it, and the ones that explain.
    public static let allowedWhenLocked: Set<String> = ["sync", "status", "help", "quit"]

    /// What the lease says now.
    public enum State: Sendable, Hashable {
        /// The book is not enrolled with a central node: no lease.
        case none
        /// Usable for this many more days.
        case open(daysLeft: Int)
        /// Locked: this many days without reaching the central node.
        case locked(daysOffline: Int)
    }

    /// The lease's length in days.
    public var days: Int
    /// When the book last reached the central node (Unix ms), or `nil` when it is not enrolled.
    public var since: UInt64?

    /// Makes a lease.
    public init(days: Int, since: UInt64?) {
        self.days = days
        self.since = since
    }

    /// The lease of a book, from its settings and its last contact with the central node.
    public init(book: Book) throws(StoreError) {
        let since = try book.lastContact()
        // Settings are read only for an enrolled book: the check runs before every command.
        self.init(days: since == nil ? Self.defaultDays : try book.agendaSettings().leaseDays, since: since)
    }

    /// The state at a time (Unix ms). Whole days count: a book synced 29 days and 23 hours ago has 1 day left.
    public func state(now: UInt64) -> State {
        guard let since else { return .none }
        let offline = now > since ? Int((now - since) / 86_400_000) : 0
        return offline >= days ? .locked(daysOffline: offline) : .open(daysLeft: days - offline)
    }

    /// The message for a locked book.
    func lockedMessage(daysOffline: Int) -> String {
        "账本已锁定：已 \(daysOffline) 天没有连接中心节点（离线期限 \(days) 天）。请先 sync，同步成功后自动解锁"
    }

    /// The warning when fewer than ``warningDays`` days are left, else `nil`.
    func warning(daysLeft: Int) -> String? {
        guard daysLeft < Self.warningDays else { return nil }
        return "提醒：离线期限还剩 \(daysLeft) 天；到期仍未同步，账本将锁定到同步成功为止"
    }
}
