import FieldbookModel
import Foundation
import GRDB

/// One part of what a purge erases: every table of a book that can hold a customer's data is named by exactly one
/// step, or listed in ``Book/tablesWithoutCustomerData`` (issue 15, "a purge erases").
///
/// ``Book/purge(_:meta:)`` runs every step's `customer` action for each purged customer, then every step's `finish`
/// once, in one transaction with `secure_delete` on, then truncates the WAL. A table added later must join a step or
/// the list of tables without customer data: `PurgeTests.everyTableIsCovered` fails the build's tests otherwise.
struct PurgeStep: Sendable {
    /// What the step is, for tests and docs.
    var name: String
    /// The tables (and FTS5 shadow tables) whose customer rows this step removes.
    var tables: [String]
    /// Removes one customer's rows.
    var customer: @Sendable (_ db: Database, _ purged: Purged) throws -> Void
    /// Runs once after every customer's rows are gone (e.g. rewriting an index whose segments kept their text).
    var finish: @Sendable (_ db: Database) throws -> Void = { _ in }

    /// The customer being purged, and what a step needs to know of the book.
    struct Purged: Sendable {
        /// The customer.
        var id: EntityID
        /// Its scope's key, `c:<id>`.
        var scope: String
        /// The book's principal.
        var principal: String
        /// The book's time zone, for the day of a contact without a date field.
        var utcOffsetSeconds: Int
    }

    /// The steps, in order. Counting what the day keeps comes first, while the contacts are still there.
    static let all: [PurgeStep] = [dayCounts, projections, searchIndex, opLog]

    /// The manager's own contacts with the customer, per day and channel, are added to `purged_contact` before they
    /// go: the journal keeps the day's counts, not the customer.
    static let dayCounts = PurgeStep(
        name: "day counts", tables: [],
        customer: { db, purged in
            let contacts = try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id, e.created_hlc,
                        (SELECT r.value FROM reg_value r \(RegisterWinner.actorJoin("r")) WHERE r.entity = e.id AND r.field = ?
                            ORDER BY \(RegisterWinner.ordering("r")) LIMIT 1) AS day,
                        (SELECT r.value FROM reg_value r \(RegisterWinner.actorJoin("r")) WHERE r.entity = e.id AND r.field = ?
                            ORDER BY \(RegisterWinner.ordering("r")) LIMIT 1) AS channel
                    FROM entity e WHERE e.scope = \(Book.scopeNumberSQL) AND e.kind = ? AND e.author = ?
                    """,
                arguments: [
                    Int(Schema.F.date.rawValue), Int(Schema.F.channel.rawValue), purged.scope, Int(EntityKind.contact.rawValue),
                    purged.principal,
                ])
            for row in contacts {
                // The same rules as the journal's contacts: the date field, else the day it was written.
                var day: Day?
                if let bytes = row["day"] as Data? {
                    var reader = ByteReader(Array(bytes))
                    day = try Value.decode(from: &reader).day
                }
                let created = HLC(rawValue: UInt64(bitPattern: row["created_hlc"] as Int64))
                let dayNumber = Int((day ?? Day(milliseconds: created.milliseconds, offsetSeconds: purged.utcOffsetSeconds)).number)
                var channel = ""
                if let bytes = row["channel"] as Data? {
                    var reader = ByteReader(Array(bytes))
                    channel = try Value.decode(from: &reader).text ?? ""
                }
                try db.cachedStatement(
                    sql: """
                        INSERT INTO purged_contact (day, channel, count) VALUES (?, ?, 1)
                        ON CONFLICT (day, channel) DO UPDATE SET count = count + 1
                        """
                ).execute(arguments: [dayNumber, channel])
            }
        })

    /// The projections: register values, set elements, the customer's listing row and every entity of its scope.
    static let projections = PurgeStep(
        name: "projections", tables: ["reg_value", "reg_superseded", "set_add", "set_removed", "customer", "entity"],
        customer: { db, purged in
            let entities = "(SELECT id FROM entity WHERE scope = \(Book.scopeNumberSQL))"
            for table in ["reg_value", "reg_superseded", "set_add", "set_removed"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE entity IN \(entities)", arguments: [purged.scope])
            }
            try db.cachedStatement(sql: "DELETE FROM customer WHERE id = ?").execute(arguments: [Data(purged.id.bytes)])
            try db.cachedStatement(sql: "DELETE FROM entity WHERE scope = \(Book.scopeNumberSQL)").execute(arguments: [purged.scope])
        })

    /// The search index. Deleting the customer's row tells FTS5 to forget it (and drops its pending row, which may
    /// hold its older text), but the segments keep the text until they are merged, and `secure_delete` does not reach
    /// inside a segment: the index is rebuilt from the rows that are left, so no segment that held the customer
    /// survives (the old pages are zeroed when freed), and nothing is left pending.
    static let searchIndex = PurgeStep(
        name: "search index",
        tables: [
            "customer_fts", "customer_fts_data", "customer_fts_idx", "customer_fts_docsize", "customer_fts_config",
            "customer_fts_pending",
        ],
        customer: { _, _ in },
        finish: { db in try Book.rebuildSearchIndex(db) })

    /// The op log (and, by trigger, the scope's cached hash). Its trigger lets a DELETE through only for a scope
    /// listed in `purging`.
    static let opLog = PurgeStep(
        name: "op log", tables: ["op", "scope_hash", "scope_key"],
        customer: { db, purged in
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO purging (scope) SELECT no FROM scope_key WHERE key = ?")
                .execute(arguments: [purged.scope])
            try db.cachedStatement(sql: "DELETE FROM op WHERE scope = \(Book.scopeNumberSQL)").execute(arguments: [purged.scope])
            try db.cachedStatement(sql: "DELETE FROM purging").execute()
            // Last: the log's delete trigger reads the scope's key to drop its cached hash.
            try db.cachedStatement(sql: "DELETE FROM scope_key WHERE key = ?").execute(arguments: [purged.scope])
        })
}
