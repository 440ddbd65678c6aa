import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookStore
import Foundation

/// Where the centre's store is, as `--db` names it: a file path selects the SQLite store, a `postgres://` URL the
/// PostgreSQL store (SHELL.md). `serve` and `admin` open their store through it, and nothing else in the executable
/// knows which engine is behind the seam.
struct CentralStoreLocation {
    /// What `--db` said.
    let text: String

    init(_ text: String) {
        self.text = text
    }

    /// Whether `--db` names a PostgreSQL database.
    var isPostgres: Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    /// Whether the store exists already (a SQLite file; a PostgreSQL database is assumed to).
    var exists: Bool { isPostgres || FileManager.default.fileExists(atPath: text) }

    /// Opens the store, creating a SQLite one on first use.
    ///
    /// - Parameter options: The clock and randomness of the consolidated book (tests fix them with `FIELDBOOK_NOW`).
    func open(options: BookOptions) throws -> any CentralStore {
        guard !isPostgres else {
            throw AdminFailure(message: "这个版本的中心节点只支持 SQLite 数据库文件；PostgreSQL（postgres://）还在开发中")
        }
        do {
            return SQLiteCentralStore(try CentralDatabase.open(at: text, options: options))
        } catch {
            throw AdminFailure(message: "无法打开中心数据库：\(error)")
        }
    }
}
