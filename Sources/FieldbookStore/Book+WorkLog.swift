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
