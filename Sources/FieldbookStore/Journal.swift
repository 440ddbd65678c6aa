import FieldbookModel

/// A day's work log (工作日志, seed 003: "今日电话约访具体客户名单及联络内容"): each contact this principal made that
/// day, the calls against the daily target, the day's notes, and the next day's call list.
///
/// The counts include contacts with customers that left the book since, so a sync that purges a customer does not
/// change a day's counts (``JournalLine``).
public struct Journal: Sendable, Hashable {
    /// The day.
    public var day: Day
    /// The principal's contacts of the day, in the order recorded; those with customers that left the book last.
    public var lines: [JournalLine]
    /// `call` contacts among them.
    public var calls: Int
    /// The daily call target (``AgendaSettings/callTarget``).
    public var callTarget: Int
    /// Contacts per channel, in ``ContactChannel`` order (channels without contacts left out).
    public var byChannel: [(channel: String, count: Int)]
    /// The journal notes written for the day, oldest first.
    public var notes: [WorkLogEntry]
    /// The next day's call list, once per customer, in the order planned.
    public var plan: [WorkLogEntry]

    /// Contacts in all.
    public var contacts: Int { lines.count }
    /// Contacts with customers that left the book.
    public var purgedContacts: Int { lines.filter(\.isPurged).count }

    public static func == (lhs: Journal, rhs: Journal) -> Bool {
        lhs.day == rhs.day && lhs.lines == rhs.lines && lhs.calls == rhs.calls && lhs.callTarget == rhs.callTarget
            && lhs.byChannel.map(\.channel) == rhs.byChannel.map(\.channel)
            && lhs.byChannel.map(\.count) == rhs.byChannel.map(\.count) && lhs.notes == rhs.notes && lhs.plan == rhs.plan
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(day)
        hasher.combine(lines)
    }
}
