import FieldbookModel
import Foundation
import GRDB

extension Book {
    /// Erases the whole book, for a device the central node revoked: every customer is purged as if it had left the
    /// book (``purge(_:meta:)``: projections, search index, op log, in one `secure_delete` transaction), then every
    /// other row (work log, catalogue, settings, the enrolment secret), then the WAL is truncated, and the database
    /// file and any `-wal`/`-shm` beside it overwritten with zeros and deleted.
    ///
    /// The connection stays open on the deleted, empty file (GRDB treats the use of a closed connection as a
    /// programming error): the caller stops using the book. SQLite keeps its WAL and shared-memory files open, so
    /// nothing reappears beside it.
    ///
    /// - Returns: How many customers the book held.
    @discardableResult
    public func erase() throws(StoreError) -> Int {
        let customers: [EntityID]
        do {
            customers = try read { db in
                try String.fetchAll(
                    db, sql: "SELECT key FROM scope_key WHERE key LIKE 'c:%' AND no IN (SELECT scope FROM entity)")
            }.compactMap { Scope(key: $0)?.customer }
            try purge(customers.map { PurgeRecord(customer: $0, reason: 3, newOwner: nil) })
            try database.write { db in
                try db.execute(sql: "INSERT OR IGNORE INTO purging (scope) SELECT DISTINCT scope FROM op")
                let tables = try String.fetchAll(
                    db,
                    sql: """
                        SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                        AND name NOT LIKE 'customer_fts%' AND name NOT IN ('purging', 'grdb_migrations')
                        """)
                for table in tables { try db.execute(sql: "DELETE FROM \(table.quotedDatabaseIdentifier)") }
                try Self.rebuildSearchIndex(db)
                try db.execute(sql: "DELETE FROM purging")
            }
            try checkpointTruncating()
        } catch let error as StoreError {
            throw error
        } catch {
            throw Self.map(error)
        }
        guard path != ":memory:" else { return customers.count }
        for file in [path, path + "-wal", path + "-shm", path + "-journal"] { FileEraser.erase(file) }
        return customers.count
    }
}
