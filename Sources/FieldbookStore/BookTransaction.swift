import FieldbookModel
import Foundation
import GRDB

/// One local change in progress: makes ops with this replica's next counters and clock readings, checks them
/// against the schema, appends them and updates the projections, all inside the ``Book/write(_:)`` transaction.
///
/// A transaction never escapes the closure it was given to (like GRDB's `Database`).
///
/// ```swift
/// try book.write { tx in
///     let id = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("李明"))])
///     try tx.add(id, Schema.F.tags, "理财沙龙")
/// }
/// ```
public final class BookTransaction {
    /// The book being changed.
    public let book: Book
    package let db: Database
    /// Whether admin-only fields (owner, co-coverers) may be written: the central node's policy.
    let privileged: Bool
    private var counter: UInt64?
    private var clock: HybridClock?
    /// The scope and actor numbers known in this transaction, handed from one op's projector to the next.
    private var numbers = KeyNumbers()
    /// The ops appended so far, in order.
    public private(set) var appended: [Op] = []

    init(book: Book, db: Database, privileged: Bool = false) {
        self.book = book
        self.db = db
        self.privileged = privileged
    }

    // MARK: - Local ops

    /// Creates an entity.
    ///
    /// - Parameters:
    ///   - kind: What to create.
    ///   - scope: The scope; `nil` for a customer (it is its own scope). A customer is owned by this book's principal
    ///     unless `fields` names an owner.
    ///   - fields: The first values. Each field must belong to `kind`.
    /// - Returns: The new entity's ID: named by the op that creates it, ``EntityID/derived(actor:counter:)`` of this
    ///   book's actor and the op's counter (protocol version 3; the centre refuses a version-8 ID created by any other
    ///   op, SPEC [W-10.9]).
    /// - Throws: ``StoreError`` with code ``StoreError/Code/invalid`` for a field of another kind or a bad scope.
    @discardableResult
    public func create(_ kind: EntityKind, scope: Scope?, fields: [FieldAssignment]) throws -> EntityID {
        // The counter the create op will take: nothing is appended between here and its append below.
        let counter = try nextCounter()
        guard counter < EntityID.derivedCounterLimit else { throw StoreError(.corrupt, "操作编号超出范围：账本的计数器已损坏") }
        let id = book.entityNames.entity(counter: counter)
        var fields = fields
        let resolvedScope: Scope
        if kind == .customer {
            guard scope == nil || scope == .customer(id) else {
                throw StoreError(.invalid, "客户自成一个范围，不能放在别的范围里")
            }
            resolvedScope = .customer(id)
            if !fields.contains(where: { $0.field == Schema.F.owner }) {
                fields.append(FieldAssignment(Schema.F.owner, .text(book.principal)))
            }
        } else {
            guard let scope else { throw StoreError(.invalid, "\(kind.label)需要指定所属客户或员工") }
            resolvedScope = scope
        }
        for assignment in fields {
            try check(assignment.field, kind: kind, creating: true, value: assignment.value)
        }
        let op = try append(.create(kind: kind, entity: id, fields: fields), scope: resolvedScope)
        assert(op.id.counter == counter, "the create op took another counter than the one its entity is named after")
        return id
    }

    /// Sets a field, superseding every value currently shown (so it also resolves a conflict).
    ///
    /// - Returns: The op, or `nil` when the field already holds exactly this one value.
    @discardableResult
    public func set(_ entity: EntityID, _ field: FieldID, _ value: Value) throws -> Op? {
        let (kind, scope) = try existing(entity)
        try check(field, kind: kind, creating: false, value: value)
        let live = try liveValues(entity, field)
        if live.count == 1, live[0].value == value { return nil }
        return try append(.set(entity: entity, field: field, value: value, pred: live.map(\.id)), scope: scope)
    }

    /// Adds an element to a set field.
    ///
    /// - Returns: The op, or `nil` when the element is already present.
    @discardableResult
    public func add(_ entity: EntityID, _ field: FieldID, _ element: String) throws -> Op? {
        let (kind, scope) = try existing(entity)
        try checkSet(field, kind: kind)
        guard try book.setTags(entity, field, element, db: db).isEmpty else { return nil }
        return try append(.add(entity: entity, field: field, element: element), scope: scope)
    }

    /// Removes an element from a set field: every addition of it this replica has seen.
    ///
    /// - Returns: The op, or `nil` when the element is not present.
    @discardableResult
    public func remove(_ entity: EntityID, _ field: FieldID, _ element: String) throws -> Op? {
        let (kind, scope) = try existing(entity)
        try checkSet(field, kind: kind)
        let observed = try book.setTags(entity, field, element, db: db)
        guard !observed.isEmpty else { return nil }
        return try append(.remove(entity: entity, field: field, element: element, observed: observed), scope: scope)
    }

    /// Removes only the given additions of an element (undo takes back its own addition and leaves any other
    /// device's).
    ///
    /// - Returns: The op, or `nil` when none of them is still present.
    func remove(_ entity: EntityID, _ field: FieldID, _ element: String, observed: [OpID]) throws -> Op? {
        let (kind, scope) = try existing(entity)
        try checkSet(field, kind: kind)
        let present = Set(try book.setTags(entity, field, element, db: db))
        let observed = observed.filter(present.contains)
        guard !observed.isEmpty else { return nil }
        return try append(.remove(entity: entity, field: field, element: element, observed: observed), scope: scope)
    }

    // MARK: - Reads inside the transaction

    /// The live values of a field, display winner first.
    public func liveValues(_ entity: EntityID, _ field: FieldID) throws -> [MVRegister.Entry] {
        try book.liveValues(entity, field, db: db)
    }

    /// Resolves a customer reference inside this transaction (see ``Book/resolveCustomer(_:)``).
    public func resolveCustomer(_ reference: String) throws -> EntityID {
        try book.resolveCustomer(reference, db: db)
    }

    // MARK: - Internals

    /// The counter the next appended op will take (nothing is reserved: an op that is never appended leaves no gap).
    private func nextCounter() throws -> UInt64 {
        try loadCounterAndClock()
        return counter! + 1
    }

    /// Reads this replica's last counter and clock reading, once per transaction.
    private func loadCounterAndClock() throws {
        if counter == nil {
            let held = try integer("SELECT contiguous FROM actor_state WHERE actor = ?", actor: book.actor) ?? 0
            let saved = try integer("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'counter'") ?? 0
            counter = UInt64(max(held, saved))
            // Own ops' readings and the saved clock (received readings raise it only up to a bound, SPEC [W-10.8]);
            // not every op's, or one received op clocked a year ahead would date every later edit next year.
            let last = DirectStatement(try db.cachedStatement(sql: Book.lastOpOfActorSQL), db: db)
            last.reset()
            defer { last.reset() }
            try last.bind(1, book.actor)
            var logged: Int64 = 0
            if try last.step() {
                logged = last.int64(0)
                numbers.remember(actor: book.actor, last.int64(1))
            }
            let savedClock = try integer("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'hlc'") ?? 0
            clock = HybridClock(last: HLC(rawValue: UInt64(bitPattern: max(logged, savedClock))))
        }
    }

    /// The integer in the first column of a cached query's first row (the query bound to `actor` when given); `nil`
    /// with no row or for NULL, as GRDB's `Int64.fetchOne`. Read through ``DirectStatement``: GRDB's arguments and
    /// rows cost about 25 allocations per transaction here (tools/bench/NOTES.md).
    private func integer(_ sql: String, actor: ActorID? = nil) throws -> Int64? {
        let row = DirectStatement(try db.cachedStatement(sql: sql), db: db)
        row.reset()
        defer { row.reset() }
        if let actor { try row.bind(1, actor) }
        guard try row.step(), !row.isNull(0) else { return nil }
        return row.int64(0)
    }

    @discardableResult
    private func append(_ body: Op.Body, scope: Scope) throws -> Op {
        try loadCounterAndClock()
        counter! += 1
        let hlc = clock!.tick(now: book.options.now())
        let op = Op(
            id: OpID(actor: book.actor, counter: counter!), hlc: hlc, scope: scope, principal: book.principal,
            body: body)
        // No value the wire cannot carry, a terminal would run, or the central node would refuse (+Limits.swift).
        try Self.checkValues(op)
        guard try Projector.append(op, db: db, numbers: &numbers) else {
            throw StoreError(.corrupt, "操作编号重复：账本的计数器已损坏")
        }
        appended.append(op)
        return op
    }

    /// Persists the counter and clock so that a purge or rebuild can never make them go back.
    func finish() throws {
        guard let counter, let clock, !appended.isEmpty else { return }
        let save = DirectStatement(
            try db.cachedStatement(
                sql: """
                    INSERT INTO meta (key, value) VALUES ('counter', ?), ('hlc', ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value
                    """), db: db)
        save.reset()
        try save.bind(1, String(counter))
        try save.bind(2, String(Int64(bitPattern: clock.last.rawValue)))
        try save.run()
    }

    private func existing(_ entity: EntityID) throws -> (EntityKind, Scope) {
        guard let found = try Book.createdEntity(entity, db: db) else {
            throw StoreError(.unknownReference, "找不到这条记录")
        }
        // The op about to be written on it takes the same scope: its projector need not look the number up.
        numbers.remember(scope: found.key, found.scopeNumber)
        return (found.kind, found.scope)
    }

    private func check(_ field: FieldID, kind: EntityKind, creating: Bool, value: Value) throws {
        guard let spec = Schema.field(field), spec.kinds.contains(kind) else {
            throw StoreError(.invalid, "\(kind.label)没有\(Schema.field(field)?.label ?? "第 \(field.rawValue) 号字段")这一项")
        }
        guard !spec.isSet else { throw StoreError(.invalid, "\(spec.label)是集合，请用添加/移除修改") }
        if spec.writer == .admin, !privileged {
            // A device may create a customer it then owns; changing coverage is the central node's business.
            let ownCreate = creating && field == Schema.F.owner && value == .text(book.principal)
            guard ownCreate else {
                throw StoreError(.notPermitted, "\(spec.label)只能由管理员在中心节点修改（fieldbook admin）")
            }
        }
    }

    private func checkSet(_ field: FieldID, kind: EntityKind) throws {
        guard let spec = Schema.field(field), spec.kinds.contains(kind), spec.isSet else {
            throw StoreError(.invalid, "\(kind.label)没有\(Schema.field(field)?.label ?? "第 \(field.rawValue) 号字段")这一集合")
        }
        if spec.writer == .admin, !privileged {
            throw StoreError(.notPermitted, "\(spec.label)只能由管理员在中心节点修改（fieldbook admin）")
        }
    }
}
