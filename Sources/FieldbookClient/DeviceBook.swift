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

    public var principal: String { book.principal }

    public func ownOps(after counter: UInt64, limit: Int) throws -> [Operation] {
        try book.ops(of: book.actor, after: counter, limit: limit)
    }

    public func markPushed(_ held: UInt64) throws {
        try book.record(.pushed(held))
    }

    public func pullPosition() throws -> PullPosition {
        let state = try book.syncState()
        return PullPosition(cursor: state.cursor, resync: state.needsResync, resume: state.resumePoint)
    }

    public func apply(_ ops: [Operation], backfill: Bool, seq: UInt64) throws -> Int {
        // Only DONE moves the cursor; a backfill marks the book for a resync until then, a delta batch records the
        // resume point (SPEC [W-9.8], [W-9.12]).
        try book.applyRemote(ops, meta: Book.SyncState.rows(for: backfill ? .backfillApplied : .deltaApplied(seq: seq))).applied
    }

    public func setCursor(_ cursor: UInt64, clean: Bool) throws {
        try book.record(.done(cursor: cursor, clean: clean))
    }

    public func purge(_ entries: [Message.Purge.Entry]) throws -> [Message.Purge.Entry] {
        let records = entries.map { Book.PurgeRecord(customer: $0.customer, reason: $0.reason.rawValue, newOwner: $0.newOwner) }
        let removed = Set(try book.purge(records, meta: Book.SyncState.rows(for: .purged)).map(\.customer))
        return entries.filter { removed.contains($0.customer) }
    }

    public func clock() throws -> HLC { try book.clockReading() }

    public func observe(_ time: HLC) throws { try book.observe(time) }

    public func stateHash() throws -> [UInt8] { try book.stateHash() }
}
