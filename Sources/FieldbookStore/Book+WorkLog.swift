import FieldbookModel
import Foundation
import GRDB

/// The principal's work log and call plan, and the per-book agenda settings.
extension Book {
    /// This principal's work-log entries, oldest first.
    public func workLog() throws(StoreError) -> [WorkLogEntry] {
        try read { db in try worklog(db: db) }
    }

    ///
    /// Journal entries live in the principal's scope; call-plan entries in the scope of the customer they name (so a
    /// purge of the customer takes them too), where only this principal's own are read: a co-coverer's plan for the
    /// same customer reaches this book but is theirs.
    func worklog(db: Database) throws -> [WorkLogEntry] {
        let own = Scope.principal(principal)
        return try rows(
            kind: .worklog, fields: [Schema.F.date, Schema.F.text, Schema.F.customer, Schema.F.entry], db: db
        ).compactMap { row in
            guard !row.archived, row.scope == own || (row.scope.customer != nil && row.author == principal) else {
                return nil
            }
            let customer = row.text(Schema.F.customer).flatMap { EntityID(text: $0) }
            return WorkLogEntry(
                id: row.id, day: row.day(Schema.F.date) ?? day(of: row.created),
                isPlan: row.text(Schema.F.entry) == WorkLogEntryKind.plan.rawValue, customer: customer, text: row.text(Schema.F.text),
                created: row.created)
        }
    }

    /// The contacts of one day, for the work log.
    public func contacts(on day: Day) throws(StoreError) -> [AgendaInput.Contact] {
        try read { db in try contacts(db: db).filter { $0.day == day } }
    }

    /// The work log of a day: this principal's contacts with what was said, calls against the target, notes and the
    /// next day's plan (``Journal``).
    public func journal(on day: Day) throws(StoreError) -> Journal {
        let target = try agendaSettings().callTarget
        let offset = options.utcOffsetSeconds
        return try read { db in
            let names = Dictionary(
                try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name FROM customer")).map {
                    (EntityID(bytes: Array($0[0] as Data))!, $0[1] as String)
                }, uniquingKeysWith: { first, _ in first })
            var lines = try rows(
                kind: .contact, fields: [Schema.F.date, Schema.F.channel, Schema.F.text, Schema.F.outcome], db: db
            ).compactMap { row -> JournalLine? in
                let contactDay = row.day(Schema.F.date) ?? Day(milliseconds: row.created.milliseconds, offsetSeconds: offset)
                guard !row.archived, row.author == principal, contactDay == day, let customer = row.scope.customer else {
                    return nil
                }
                return JournalLine(
                    contact: row.id, customer: customer, name: names[customer], channel: row.text(Schema.F.channel) ?? "",
                    text: row.text(Schema.F.text), outcome: row.text(Schema.F.outcome), recorded: row.created)
            }
            lines.sort { ($0.recorded!.rawValue, $0.contact!.text) < ($1.recorded!.rawValue, $1.contact!.text) }
            let order = ContactChannel.allCases.map(\.rawValue)
            // Contacts with customers purged since: one line each, channel only (PurgeStep.dayCounts).
            let purged = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT channel, count FROM purged_contact WHERE day = ?"), arguments: [Int(day.number)]
            ).map { ($0[0] as String, $0[1] as Int) }
                .sorted { ((order.firstIndex(of: $0.0) ?? 99), $0.0) < ((order.firstIndex(of: $1.0) ?? 99), $1.0) }
            for (channel, count) in purged {
                for _ in 0..<max(0, count) {
                    lines.append(JournalLine(contact: nil, customer: nil, name: nil, channel: channel, text: nil, outcome: nil, recorded: nil))
                }
            }
            var byChannel: [(channel: String, count: Int)] = []
            for line in lines {
                if let index = byChannel.firstIndex(where: { $0.channel == line.channel }) {
                    byChannel[index].count += 1
                } else {
                    byChannel.append((line.channel, 1))
                }
            }
            byChannel.sort { ((order.firstIndex(of: $0.channel) ?? 99), $0.channel) < ((order.firstIndex(of: $1.channel) ?? 99), $1.channel) }
            let log = try worklog(db: db)
            var plan: [WorkLogEntry] = []
            for entry in log where entry.isPlan && entry.day == day.adding(days: 1) {
                if !plan.contains(where: { $0.customer == entry.customer }) { plan.append(entry) }
            }
            return Journal(
                day: day, lines: lines, calls: lines.filter { $0.channel == ContactChannel.call.rawValue }.count,
                callTarget: target, byChannel: byChannel, notes: log.filter { !$0.isPlan && $0.day == day }, plan: plan)
        }
    }

    /// Contacts with a customer by other principals (a co-covering advisor, a remote-maintenance manager) in the
    /// `days` days up to `today` (today included), newest first, one per principal: the two-channel warning of
    /// `contact` and `show` (避免多层次营销).
    ///
    /// - Parameters:
    ///   - customer: The customer.
    ///   - days: The window (``AgendaSettings/overlapDays``).
    ///   - today: The last day of the window; the book's today by default.
    public func otherChannelContacts(customer: EntityID, days: Int, today: Day? = nil) throws(StoreError)
        -> [AgendaInput.Contact]
    {
        let today = today ?? self.today
        let first = today.adding(days: -(max(1, days) - 1))
        let offset = options.utcOffsetSeconds
        return try read { db in
            var latest: [String: AgendaInput.Contact] = [:]
            for row in try rows(kind: .contact, fields: [Schema.F.date, Schema.F.channel], scope: .customer(customer), db: db)
            where !row.archived && row.author != principal {
                let day = row.day(Schema.F.date) ?? Day(milliseconds: row.created.milliseconds, offsetSeconds: offset)
                guard day >= first, day <= today else { continue }
                let contact = AgendaInput.Contact(
                    customer: customer, day: day, channel: row.text(Schema.F.channel) ?? "", author: row.author)
                if let known = latest[row.author], known.day >= day { continue }
                latest[row.author] = contact
            }
            return latest.values.sorted { ($1.day, $0.author) < ($0.day, $1.author) }
        }
    }

    // MARK: - Settings

    /// The `meta` key of a setting.
    static func settingKey(_ key: String) -> String { "setting." + key }

    /// The agenda settings of this book: the defaults, changed by what ``saveAgendaSettings(_:)`` stored.
    public func agendaSettings() throws(StoreError) -> AgendaSettings {
        var settings = AgendaSettings()
        for (key, _) in settings.entries {
            if let stored = try meta(Self.settingKey(key)) { try? settings.apply(key: key, value: stored) }
        }
        return settings
    }

    /// Stores agenda settings in this book (they are not replicated: they are this book's preferences).
    public func saveAgendaSettings(_ settings: AgendaSettings) throws(StoreError) {
        for (key, value) in settings.entries { try setMeta(Self.settingKey(key), value) }
    }
}
