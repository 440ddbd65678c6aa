import GRDBSQLite
import Synchronization

/// Fixed-size buffers that ``DirectStatement`` binds blobs and text from, handed to SQLite with a destructor that
/// returns them here, so that binding a value allocates nothing.
///
/// With `SQLITE_TRANSIENT` SQLite copies every bound blob or string into memory of its own and frees it at the next
/// bind of that parameter: one `malloc` per bound value, a fifth of what a persisted op allocated
/// (tools/bench/NOTES.md, "Allocations"). Here the value is copied into a free slot instead, and SQLite is given the
/// slot with ``release`` as its destructor: SQLite calls it once it no longer needs the value (the parameter bound
/// again, the bindings cleared, the statement finalized), and also when a bind fails. A value larger than a slot, or
/// a bind while every slot is held, goes the `SQLITE_TRANSIENT` way.
///
/// ```swift
/// if let slot = BindingPool.shared.acquire(copying: bytes) {
///     sqlite3_bind_blob(handle, index, slot, Int32(bytes.count), BindingPool.release)
/// }
/// ```
final class BindingPool: Sendable {
    /// The pool every statement shares (slots are taken and returned under a lock: any connection, any thread).
    static let shared = BindingPool(slots: 1024, size: 256)

    /// The bytes one slot holds.
    let slotSize: Int
    private let slotCount: Int
    /// `slotCount × slotSize` bytes, never freed (the pool lives as long as the process).
    private nonisolated(unsafe) let base: UnsafeMutableRawPointer
    /// The indices of the free slots; its capacity is reserved up front, so taking and returning never allocates.
    private let free: Mutex<[Int32]>

    private init(slots: Int, size: Int) {
        slotCount = slots
        slotSize = size
        base = UnsafeMutableRawPointer.allocate(byteCount: slots * size, alignment: 16)
        var indices = [Int32]()
        indices.reserveCapacity(slots)
        for index in (0..<Int32(slots)).reversed() { indices.append(index) }
        free = Mutex(indices)
    }

    /// A slot holding a copy of `bytes`, or `nil` when they do not fit or no slot is free. The caller hands it to
    /// SQLite with ``release`` as the destructor (or returns it with ``give(back:)``).
    func acquire(copying bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        guard bytes.count <= slotSize else { return nil }
        guard let index = free.withLock({ $0.popLast() }) else { return nil }
        let slot = base + Int(index) * slotSize
        if let source = bytes.baseAddress, !bytes.isEmpty { slot.copyMemory(from: source, byteCount: bytes.count) }
        return slot
    }

    /// Returns a slot that ``acquire(copying:)`` gave out.
    func give(back slot: UnsafeMutableRawPointer) {
        let index = base.distance(to: slot) / slotSize
        precondition(index >= 0 && index < slotCount, "not a slot of this pool")
        free.withLock { $0.append(Int32(index)) }
    }

    /// The destructor SQLite calls when it is done with a slot bound from the shared pool.
    static let release: sqlite3_destructor_type = { pointer in
        if let pointer { BindingPool.shared.give(back: pointer) }
    }
}
