import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire

/// The device's ``Book`` as a ``DeviceReplica``: what a client session reads and writes.
public final class DeviceBook: DeviceReplica {
    /// The book.
    public let book: Book

    /// Wraps a book.
    public init(book: Book) { self.book = book }

    public var actor: ActorID { book.actor }

    public func ownOps(after counter: UInt64, limit: Int) throws -> [Operation] {
        try book.ops(of: book.actor, after: counter, limit: limit)
    }

    public func markPushed(_ held: UInt64) throws {
        try book.setMeta(Book.SyncKey.pushed, String(held))
    }

    public func cursor() throws -> UInt64 { try book.syncCursor() }

    public func apply(_ ops: [Operation], cursor: UInt64?) throws -> Int {
        let meta = cursor.map { [Book.SyncKey.cursor: String($0)] } ?? [:]
        return try book.applyRemote(ops, meta: meta).applied
    }

    public func setCursor(_ cursor: UInt64) throws {
        try book.setMeta(Book.SyncKey.cursor, String(cursor))
    }

    public func purge(_ entries: [Message.Purge.Entry]) throws {
        try book.purge(
            entries.map {
                Book.PurgeRecord(customer: $0.customer, reason: $0.reason.rawValue, newOwner: $0.newOwner)
            })
    }

    public func observe(_ time: HLC) throws { try book.observe(time) }

    public func stateHash() throws -> [UInt8] { try book.stateHash() }
}
