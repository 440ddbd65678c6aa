import FieldbookModel
import GRDB
import GRDBSQLite

/// A statement from GRDB's cache driven through SQLite's C API: values are bound with `sqlite3_bind_*` and columns
/// read with `sqlite3_column_*`, with no `StatementArguments`, `DatabaseValue` or `Row` in between.
///
/// The projector runs a dozen statements for every op; building GRDB's arguments and rows for them was 13 % of its
/// instructions and most of its allocations (tools/bench/NOTES.md). Blobs and text are bound from a slot of
/// ``BindingPool`` that SQLite hands back when done with it (IDs written there from their two halves), so binding
/// allocates nothing; SQLite's own copy (`SQLITE_TRANSIENT`) cost a `malloc` per bound value.
///
/// Only for statements that GRDB's observation need not see: it bypasses GRDB's statement hooks (transaction
/// observers, region tracking), which nothing in the book registers. Every use starts with ``reset()`` and binds every
/// parameter, and runs to completion or resets again, so the statement is never left mid-step for GRDB's next use of
/// the cached statement.
///
/// ```swift
/// let find = try DirectStatement(db.cachedStatement(sql: "SELECT scope FROM entity WHERE id = ?"), db: db)
/// find.reset()
/// try find.bind(1, entity)
/// if try find.step() { print(find.text(0)) }
/// find.reset()
/// ```
struct DirectStatement {
    /// The GRDB statement, kept so that its SQLite statement stays alive.
    let statement: Statement
    private let handle: SQLiteStatement
    private let connection: SQLiteConnection?

    /// Wraps a (cached) statement of `db`.
    init(_ statement: Statement, db: Database) {
        self.statement = statement
        self.handle = statement.sqliteStatement
        self.connection = db.sqliteConnection
    }

    /// Makes the statement ready for new bindings: a completed or interrupted step is forgotten, and the bindings
    /// are cleared (their slots go back to ``BindingPool``; every use binds all its parameters again).
    func reset() {
        // The code repeats a failed step's error, which that step has already thrown.
        _ = sqlite3_reset(handle)
        _ = sqlite3_clear_bindings(handle)
    }

    /// Binds an integer to the 1-based parameter `index`.
    func bind(_ index: Int32, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    /// Binds an integer to the 1-based parameter `index`.
    func bind(_ index: Int32, _ value: Int) throws {
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    /// Binds an integer, or SQL NULL for `nil`.
    func bind(_ index: Int32, _ value: Int64?) throws {
        if let value { try bind(index, value) } else { try bindNull(index) }
    }

    /// Binds a boolean as 1 or 0 (as GRDB stores one).
    func bind(_ index: Int32, _ value: Bool) throws {
        try check(sqlite3_bind_int64(handle, index, value ? 1 : 0))
    }

    /// Binds SQL NULL.
    func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Binds an actor as its 16 big-endian bytes.
    func bind(_ index: Int32, _ actor: ActorID) throws {
        try bind16(index, actor.high, actor.low)
    }

    /// Binds an entity ID as its 16 big-endian bytes.
    func bind(_ index: Int32, _ entity: EntityID) throws {
        try bind16(index, entity.high, entity.low)
    }

    private func bind16(_ index: Int32, _ high: UInt64, _ low: UInt64) throws {
        let halves = (high.bigEndian, low.bigEndian)
        try withUnsafeBytes(of: halves) { try bindBlob(index, $0) }
    }

    /// Binds bytes as a blob (an empty array binds an empty blob, not NULL).
    func bind(_ index: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            if buffer.isEmpty {
                try check(sqlite3_bind_zeroblob(handle, index, 0))
            } else {
                try bindBlob(index, buffer)
            }
        }
    }

    /// Binds a non-empty blob from a slot of the pool, or as SQLite's own copy when none fits.
    private func bindBlob(_ index: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        if let slot = BindingPool.shared.acquire(copying: bytes) {
            try check(sqlite3_bind_blob(handle, index, slot, Int32(bytes.count), BindingPool.release))
        } else {
            try check(sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), Self.transient))
        }
    }

    /// Binds a state sum as its 32 little-endian bytes.
    func bind(_ index: Int32, _ sum: StateSum) throws {
        try sum.withUnsafeBytes { try bindBlob(index, $0) }
    }

    /// Binds a string as UTF-8 text, or SQL NULL for `nil`.
    func bind(_ index: Int32, _ text: String?) throws {
        if let text { try bind(index, text) } else { try bindNull(index) }
    }

    /// Binds a string as UTF-8 text (an empty string binds empty text, not NULL).
    func bind(_ index: Int32, _ text: String) throws {
        var text = text
        try text.withUTF8 { utf8 in try bindText(index, UnsafeRawBufferPointer(utf8)) }
    }

    /// Binds UTF-8 from a slot of the pool (never a null pointer, so empty text stays text), or as SQLite's own copy
    /// when none fits.
    private func bindText(_ index: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        let count = Int32(bytes.count)
        if let slot = BindingPool.shared.acquire(copying: bytes) {
            let base = UnsafePointer(slot.assumingMemoryBound(to: CChar.self))
            try check(sqlite3_bind_text(handle, index, base, count, BindingPool.release))
            return
        }
        // A non-null pointer for the empty string: SQLite binds NULL for a null one.
        var empty: CChar = 0
        try withUnsafePointer(to: &empty) { fallback in
            let base = bytes.baseAddress.map { UnsafePointer($0.assumingMemoryBound(to: CChar.self)) } ?? fallback
            try check(sqlite3_bind_text(handle, index, base, count, Self.transient))
        }
    }

    /// Runs a statement that returns no rows (or whose rows are not needed) to completion, then resets it.
    func run() throws {
        defer { reset() }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE: return
            case SQLITE_ROW: continue
            case let code: throw error(code)
            }
        }
    }

    /// Steps once: `true` when a row is ready to read, `false` when the statement is done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let failure = error(code)
            reset()
            throw failure
        }
    }

    /// The rows changed by the last statement that ran on the connection.
    var changes: Int { Int(sqlite3_changes(connection)) }

    /// Whether a column of the current row is NULL.
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// An integer column of the current row (0 for NULL).
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// A blob column of the current row.
    func bytes(_ column: Int32) -> [UInt8] {
        // The pointer first, then the size (SQLite's documented order).
        let base = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let base, count > 0 else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: base, count: count))
    }

    /// A 16-byte blob column of the current row (an entity or actor ID) as its two big-endian halves, read in place;
    /// `nil` for NULL or any other size. The halves order as the blobs do (`memcmp`).
    func halves(_ column: Int32) -> (high: UInt64, low: UInt64)? {
        let base = sqlite3_column_blob(handle, column)
        guard let base, sqlite3_column_bytes(handle, column) == 16 else { return nil }
        let raw = UnsafeRawPointer(base)
        return (
            UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
            UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        )
    }

    /// A 16-byte blob column of the current row as an entity ID; `nil` for NULL or any other size.
    func entityID(_ column: Int32) -> EntityID? {
        halves(column).map { EntityID(high: $0.high, low: $0.low) }
    }

    /// A value column of the current row in the store's encoding (`Value.encode`), decoded.
    func value(_ column: Int32) throws -> Value {
        var reader = ByteReader(bytes(column))
        return try Value.decode(from: &reader)
    }

    /// A blob column of the current row, read in place: `body` gets the bytes while the row is current.
    func withBytes<R>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let base = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return try body(UnsafeRawBufferPointer(start: count > 0 ? base : nil, count: count))
    }

    /// A text column of the current row.
    func text(_ column: Int32) -> String {
        guard let base = sqlite3_column_text(handle, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: base, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) },
            sql: statement.sql)
    }

    /// SQLite copies the bound bytes (the C macro `SQLITE_TRANSIENT`, which Swift does not import).
    private static var transient: sqlite3_destructor_type {
        unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    }
}
