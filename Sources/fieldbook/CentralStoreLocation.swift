import FieldbookCentral
import FieldbookCentralPostgres
import FieldbookCentralSQLite
import FieldbookStore
import Foundation
import Logging

/// Where the centre's store is, as `--db` names it: a file path selects the SQLite store, a `postgres://` URL the
/// PostgreSQL store (SHELL.md). `serve` and `admin` open their store through it, and nothing else in the executable
/// knows which engine is behind the seam.
///
/// A SQLite centre keeps the sealing key of device secrets beside its file (`central.sqlite.key`). A PostgreSQL
/// centre has no file to put it beside, and several servers share it: `--key-file` names it (default
/// `$FIELDBOOK_HOME/central.key`, created 0600 on first use), and every server of one centre must be given the same
/// file (README, "Running the centre on PostgreSQL").
struct CentralStoreLocation {
    /// What `--db` said.
    let text: String
    /// What `--key-file` said, if anything.
    let keyFile: String?

    init(_ text: String, keyFile: String? = nil) {
        self.text = text
        self.keyFile = keyFile
    }

    /// Whether `--db` names a PostgreSQL database.
    var isPostgres: Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    /// Whether the store exists already (a SQLite file; a PostgreSQL database is assumed to).
    var exists: Bool { isPostgres || FileManager.default.fileExists(atPath: text) }

    /// The sealing key of a PostgreSQL centre when `--key-file` is not given.
    static var defaultKeyFile: String { (Paths.home as NSString).appendingPathComponent("central.key") }

    /// Opens the store, creating a SQLite one on first use; a PostgreSQL database must exist (its schema is made or
    /// brought up to date on opening).
    ///
    /// - Parameter options: The clock and randomness of the consolidated book (tests fix them with `FIELDBOOK_NOW`);
    ///   the PostgreSQL store runs on the system clock.
    /// - Throws: ``AdminFailure`` in the administrator's words: a bad URL, a database that cannot be reached, a key
    ///   file that is not a key, `--key-file` given for a SQLite file.
    func open(options: BookOptions) async throws -> any CentralStore {
        guard isPostgres else {
            if let keyFile {
                throw AdminFailure(
                    message: "--key-file 只用于 postgres:// 数据库：SQLite 中心数据库的密钥在数据库旁（\(text).key），不要另给 \(keyFile)")
            }
            do {
                return SQLiteCentralStore(try CentralDatabase.open(at: text, options: options))
            } catch {
                throw AdminFailure(message: "无法打开中心数据库：\(error)")
            }
        }
        let location: PostgresLocation
        do {
            location = try PostgresLocation(text)
        } catch {
            throw AdminFailure(message: "\(error)")
        }
        let key = try Self.prepareKeyFile(keyFile ?? Self.defaultKeyFile, given: keyFile != nil)
        do {
            return try await PostgresCentralStore.open(location, keyFile: key, logger: Self.postgresLogger)
        } catch {
            throw AdminFailure(message: "\(error)")
        }
    }

    /// The connection pool's logger: on stderr (stdout carries `--json` documents and `serve`'s "listening on"
    /// line), at `$FIELDBOOK_LOG`'s level, else errors only (the pool's notices mean nothing to an administrator).
    static var postgresLogger: Logger {
        var logger = Logger(label: "fieldbook.postgres") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = ProcessInfo.processInfo.environment["FIELDBOOK_LOG"].flatMap { Logger.Level(rawValue: $0) } ?? .error
        return logger
    }

    /// Checks a key file before the store reads it: an existing one must be exactly a key (32 bytes), because the
    /// store would otherwise make a new key and every device enrolled under the old one could no longer sign in. A
    /// missing one is created (0600) by the store; its folder is made (0700) when it is `$FIELDBOOK_HOME`.
    static func prepareKeyFile(_ path: String, given: Bool) throws -> String {
        let manager = FileManager.default
        if manager.fileExists(atPath: path) {
            let size = (try? manager.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
            guard size == 32 else {
                throw AdminFailure(message: "密钥文件 \(path) 不是中心节点的密钥（应为 32 字节）：给每台服务器同一个 --key-file")
            }
            return path
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !given, !folder.isEmpty, !manager.fileExists(atPath: folder) {
            PrivateDirectory.create(folder)
        }
        guard folder.isEmpty || manager.fileExists(atPath: folder) else {
            throw AdminFailure(message: "密钥文件的目录不存在：\(folder)")
        }
        return path
    }
}
