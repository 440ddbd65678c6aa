import FieldbookModel
import Foundation
import GRDB
import Synchronization

/// A replicated customer book: the append-only op log and its projections in one SQLite file.
///
/// The shell, the sync client and the central node all go through this type. Every logical change is one
/// transaction that appends its ops and updates the projections together, so a crash never leaves them apart
/// (ARCHITECTURE §4).
///
/// ```swift
/// let book = try Book.create(at: "/tmp/b.sqlite", principal: "M001")
/// let id = try book.write { tx in
///     try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("王芳"))])
/// }
/// try book.find(text: "王").count   // 1
/// ```
///
/// ## Topics
/// - ``create(at:principal:name:actor:options:)``, ``open(at:options:)``, ``inMemory(principal:actor:options:)``
/// - ``write(_:)``, ``applyRemote(_:)``
/// - ``find(text:filters:tags:includeArchived:limit:)``, ``resolveCustomer(_:)``, ``snapshot(of:)``
/// - ``stateHash()``, ``rebuild()``
public final class Book: Sendable {
    /// The file, or `":memory:"`.
    public let path: String
    /// This replica's actor.
    public let actor: ActorID
    /// What names the entities this replica creates (``EntityID/derived(actor:counter:)``): hashed once here, not at
    /// every create.
    let entityNames: EntityID.DerivationKey
    /// The employee code of the principal this book belongs to.
    public let principal: String
    /// The options (clock, randomness, time zone).
    public let options: BookOptions

    /// The database, for modules of this package that keep their own tables beside the book (the central node).
    package let database: DatabaseQueue
    /// The WAL hook of ``CheckpointPolicy/betweenCommands(threshold:ceiling:)``, or `nil` under SQLite's automatic
    /// checkpoint.
    let walMonitor: WALMonitor?

    private init(
        path: String, database: DatabaseQueue, walMonitor: WALMonitor? = nil, actor: ActorID, principal: String,
        options: BookOptions
    ) {
        self.path = path
        self.database = database
        self.walMonitor = walMonitor
        self.actor = actor
        self.entityNames = EntityID.DerivationKey(actor: actor)
        self.principal = principal
        self.options = options
    }

    // MARK: - Opening

    /// Creates a new book for a principal.
    ///
    /// - Parameters:
    ///   - path: Where the file goes. Its folder is created; an existing file is refused.
    ///   - principal: The owner's employee code.
    ///   - name: The owner's display name, if known.
    ///   - actor: The replica identity; a new random one by default.
    ///   - options: Clock, randomness and time zone.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/exists`` if a file is there.
    public static func create(
        at path: String, principal: String, name: String? = nil, actor: ActorID? = nil,
        options: BookOptions = .system
    ) throws(StoreError) -> Book {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.exists, "账本已存在：\(path)")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { PrivateDirectory.create(folder) }
        // Create the file with owner-only permissions before SQLite opens it: it holds personal financial data.
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw StoreError(.readOnly, "无法创建账本文件：\(path)") }
        let (queue, monitor) = try open(queueAt: path, checkpoints: options.checkpoints)
        let actor = actor ?? Self.randomActor(options)
        try initialize(queue, actor: actor, principal: principal, name: name, options: options)
        return Book(path: path, database: queue, walMonitor: monitor, actor: actor, principal: principal, options: options)
    }

    /// Opens an existing book.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/notFound`` when there is no file, or
    ///   ``StoreError/Code/corrupt`` when the file is not a book.
    public static func open(at path: String, options: BookOptions = .system) throws(StoreError) -> Book {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.notFound, "没有找到账本：\(path)（先运行 fieldbook init --principal 工号）")
        }
        let (queue, monitor) = try open(queueAt: path, checkpoints: options.checkpoints)
        let (actor, principal) = try identity(of: queue)
        return Book(path: path, database: queue, walMonitor: monitor, actor: actor, principal: principal, options: options)
    }

    /// A book in memory, for tests and benchmarks.
    public static func inMemory(principal: String, actor: ActorID? = nil, options: BookOptions = .system)
        throws(StoreError) -> Book
    {
        let queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(configuration: configuration(wal: false))
            try migrator.migrate(queue)
            try finishMigrations(queue)
        } catch {
            throw map(error)
        }
        let actor = actor ?? randomActor(options)
        try initialize(queue, actor: actor, principal: principal, name: nil, options: options)
        return Book(path: ":memory:", database: queue, actor: actor, principal: principal, options: options)
    }

    private static func randomActor(_ options: BookOptions) -> ActorID {
        guard let seed = options.seed else { return ActorID.random() }
        var generator = SplitMix64(seed: seed ^ 0xA5A5_A5A5_A5A5_A5A5)
        return ActorID.random(using: &generator)
    }

    private static func configuration(wal: Bool = true, monitor: WALMonitor? = nil) -> Configuration {
        var configuration = Configuration()
        if wal { configuration.journalMode = .wal }
        configuration.busyMode = .timeout(2)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON")
            // Replaces SQLite's automatic checkpoint; GRDB's WAL set-up, which runs next, leaves the hook alone.
            try monitor?.install(on: db)
        }
        return configuration
    }

    /// Every commit reaches the disk before it returns (ARCHITECTURE §4: WAL, `synchronous=FULL`). Set after the
    /// queue is open: GRDB's WAL set-up runs after `prepareDatabase` and leaves `synchronous=NORMAL`, which syncs the
    /// WAL only at checkpoints, so a power loss could take back commands that printed success.
    static func requireFullSync(_ queue: DatabaseQueue) throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    }

    private static func open(queueAt path: String, checkpoints: CheckpointPolicy) throws(StoreError)
        -> (DatabaseQueue, WALMonitor?)
    {
        let monitor: WALMonitor?
        switch checkpoints {
        case .automatic: monitor = nil
        case .betweenCommands(let threshold, let ceiling): monitor = WALMonitor(threshold: threshold, ceiling: ceiling)
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration(monitor: monitor))
            try requireFullSync(queue)
            // A book written by an earlier version (not a new file): its migrations may leave pages to reclaim.
            let upgrading = try queue.read { db in
                try !migrator.appliedIdentifiers(db).isEmpty && !migrator.hasCompletedMigrations(db)
            }
            try migrator.migrate(queue)
            try finishMigrations(queue)
            if upgrading { compactAfterMigrations(queue) }
            return (queue, monitor)
        } catch {
            throw map(error)
        }
    }

    private static func initialize(
        _ queue: DatabaseQueue, actor: ActorID, principal: String, name: String?, options: BookOptions
    ) throws(StoreError) {
        do {
            try queue.write { db in
                try db.cachedStatement(
                    sql: "INSERT INTO meta (key, value) VALUES ('actor', ?), ('principal', ?), ('created', ?)").execute(
                    arguments: [actor.hex, principal, String(options.now())])
                if let name {
                    try db.cachedStatement(sql: "INSERT INTO meta (key, value) VALUES ('name', ?)").execute(arguments: [name])
                }
            }
        } catch {
            throw map(error)
        }
    }

    private static func identity(of queue: DatabaseQueue) throws(StoreError) -> (ActorID, String) {
        let values: [String: String]
        do {
            values = try queue.read { db in
                try Dictionary(
                    uniqueKeysWithValues: Row.fetchAll(db.cachedStatement(sql: "SELECT key, value FROM meta")).map {
                        ($0["key"] as String, $0["value"] as String)
                    })
            }
        } catch {
            throw map(error)
        }
        guard let hex = values["actor"], let actor = ActorID(hex: hex), let principal = values["principal"] else {
            throw StoreError(.corrupt, "这个文件不是 Fieldbook 账本，或已损坏")
        }
        return (actor, principal)
    }

    // MARK: - Transactions

    /// Runs one logical change in one transaction: every op it appends and every projection it updates are
    /// committed together, or nothing is.
    ///
    /// - Parameters:
    ///   - privileged: Whether admin-only fields (coverage) may be written: for the central node's policy only.
    ///   - body: Builds the change. Throwing rolls everything back.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` threw, unchanged (a model error becomes a ``StoreError`` with code
    ///   ``StoreError/Code/invalid``), or a ``StoreError`` for a database failure.
    @discardableResult
    public func write<T>(privileged: Bool = false, _ body: (BookTransaction) throws -> T) throws -> T {
        do {
            return try database.writeWithoutTransaction { db in
                try Self.inImmediateTransaction(db) {
                    let transaction = BookTransaction(book: self, db: db, privileged: privileged)
                    let result = try body(transaction)
                    try transaction.finish()
                    return result
                }
            }
        } catch let error as DatabaseError {
            throw Self.map(error)
        } catch let error as ModelError {
            throw StoreError(error)
        }
    }

    /// Runs `body` in an immediate transaction, committed when it returns and rolled back when anything throws: what
    /// GRDB's `write` does, with `BEGIN` and `COMMIT` run from the connection's statement cache. GRDB compiles them
    /// anew for every transaction (`execute(sql:)`), about 20 of a `set`'s allocations (tools/bench/NOTES.md).
    static func inImmediateTransaction<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let result = try body()
            // SQLite rolls a transaction back by itself on some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY); if
            // the body went on regardless, commit nothing (GRDB's `checkForAbortedTransaction`).
            guard db.isInsideTransaction else {
                throw DatabaseError(resultCode: .SQLITE_ABORT, message: "Transaction was aborted")
            }
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            return result
        } catch {
            // The first error is the one thrown; GRDB's rollback does nothing when SQLite already rolled back.
            try? db.rollback()
            throw error
        }
    }

    /// Runs a read-only closure on a consistent snapshot.
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try Self.snapshotRead(database, body) } catch { throw Self.map(error) }
    }

    /// Runs a read-only closure on a consistent snapshot (a deferred transaction) of a queue: what GRDB's `read` does,
    /// without its `PRAGMA query_only` on and off. SQLite expires every prepared statement of the connection when a
    /// flag pragma changes, so each such read made every cached statement compile again on its next use. A closure
    /// that writes fails all the same: its transaction is rolled back and it throws `SQLITE_READONLY`.
    package static func snapshotRead<T>(_ queue: DatabaseQueue, _ body: (Database) throws -> T) throws -> T {
        try queue.writeWithoutTransaction { db in
            let changes = db.totalChangesCount
            var result: T?
            try db.inTransaction(.deferred) {
                result = try body(db)
                guard db.totalChangesCount == changes else {
                    throw DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database")
                }
                return .commit
            }
            return result!
        }
    }

    /// Reads a metadata value.
    public func meta(_ key: String) throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [key]) }
    }

    /// Writes a metadata value (sync cursors, settings).
    public func setMeta(_ key: String, _ value: String) throws(StoreError) {
        do {
            try database.write { db in try Self.writeMeta([key: value], db: db) }
        } catch {
            throw Self.map(error)
        }
    }

    /// Writes several metadata values in one transaction.
    public func setMeta(_ values: [String: String]) throws(StoreError) {
        do {
            try database.write { db in try Self.writeMeta(values, db: db) }
        } catch {
            throw Self.map(error)
        }
    }

    /// Writes metadata values inside the caller's transaction.
    static func writeMeta(_ values: [String: String], db: Database) throws {
        for (key, value) in values {
            try db.cachedStatement(
                sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").execute(
                arguments: [key, value])
        }
    }

    /// Today in the book's time zone.
    public var today: Day {
        Day(milliseconds: options.now(), offsetSeconds: options.utcOffsetSeconds)
    }

    /// Maps any error to a ``StoreError`` whose message is safe to show (no SQL arguments, no customer data).
    static func map(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? ModelError { return StoreError(error) }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_FULL: return StoreError(.database, "磁盘已满，这次修改没有保存", underlying: error)
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return StoreError(.database, "账本正被另一个程序使用，请稍后再试", underlying: error)
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN:
                return StoreError(.readOnly, "账本无法写入或打开（只读或没有权限）", underlying: error)
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return StoreError(.corrupt, "账本文件已损坏，或不是 Fieldbook 账本", underlying: error)
            default:
                // SQLite's own message names tables and columns, never bound values, so it is safe to show.
                return StoreError(
                    .database, "数据库错误（代码 \(error.resultCode.rawValue)：\(error.message ?? "")）", underlying: error)
            }
        }
        return StoreError(.database, "意外错误：\(type(of: error))", underlying: error)
    }
}
