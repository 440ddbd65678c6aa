import FieldbookModel
import Foundation
import GRDB

/// Undo (issue 18): compensating ops that revert the ops of one command, written like any other change, so the
/// history keeps both the change and its undoing.
///
/// - A register the ops wrote is set back to the value it showed before the first of them (the display winner of
///   the values that op superseded), or cleared when it had none. When it held several values (a conflict the
///   command resolved), the winner comes back, not the conflict.
/// - An entity the ops created is archived: hidden from every listing, the agenda and segments.
/// - A set element the ops added is removed (only their addition: another device's concurrent one survives); one
///   they removed is added back.
///
/// Undo refuses, changing nothing, when something the ops wrote no longer shows what they left: a register holds
/// another value (or a conflict), an entity they created was changed from another device, an element they added was
/// removed or one they removed was added again. An undo of a later command of the session puts things back as this
/// command left them, so a session can undo its commands one after the other, newest first.
extension BookTransaction {
    /// Writes the ops that revert `ops` (the ops of one command, as ``Book/ownOps(after:through:)`` returns them).
    ///
    /// - Returns: The compensating ops and what they touched.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/notPermitted`` naming what changed since and who changed
    ///   it (a field label, a short ID and a principal code: no customer data).
    /// - Note: A removal takes back every addition of the element present, a concurrent one from another device
    ///   included: the element was absent before the command.
    @discardableResult
    public func undo(_ ops: [Op]) throws -> UndoResult {
        var created: [EntityID] = []
        var customers: [EntityID] = []
        // Registers: the first op of the command per (entity, field) knows the value before, the last must be live.
        var registers: [(entity: EntityID, field: FieldID, first: Op, last: Op)] = []
        var elements: [(op: Op, entity: EntityID, field: FieldID, element: String, added: Bool)] = []
        for op in ops.sorted(by: { $0.id.counter < $1.id.counter }) {
            if let customer = op.scope.customer, !customers.contains(customer) { customers.append(customer) }
            switch op.body {
            case .create(_, let entity, _):
                created.append(entity)
            case .set(let entity, let field, _, _):
                if let index = registers.firstIndex(where: { $0.entity == entity && $0.field == field }) {
                    registers[index].last = op
                } else {
                    registers.append((entity, field, op, op))
                }
            case .add(let entity, let field, let element):
                elements.append((op, entity, field, element, true))
            case .remove(let entity, let field, let element, _):
                elements.append((op, entity, field, element, false))
            }
        }
        let createdSet = Set(created)

        // Check everything before writing anything: each thing must still show what the command left. An undo of a
        // later command of this session put it back that way; a change from another device did not.
        for entity in created {
            if let other = try foreignOp(on: entity) {
                throw refusal("这条\(try kindLabel(entity))在之后又被改过", other)
            }
        }
        for register in registers where !createdSet.contains(register.entity) {
            guard case .set(_, _, let left, _) = register.last.body else { continue }
            let live = try liveValues(register.entity, register.field)
            if live.count != 1 || live[0].value != left {
                let other = live.first { $0.value != left }?.id ?? live.first?.id
                throw refusal(
                    "\(try subject(register.entity))的\(Schema.field(register.field)?.label ?? "字段")在之后又被改过",
                    try other.flatMap(op))
            }
        }
        for change in elements.reversed() where !createdSet.contains(change.entity) {
            let tags = try book.setTags(change.entity, change.field, change.element, db: db)
            let label = Schema.field(change.field)?.label ?? "集合"
            if change.added, tags.isEmpty {
                throw refusal("\(try subject(change.entity))的\(label)“\(change.element)”在之后又被移除了", nil)
            }
            if !change.added, !tags.isEmpty {
                throw refusal("\(try subject(change.entity))的\(label)“\(change.element)”在之后又被加上了", try op(tags[0]))
            }
        }

        // Write the compensations, last change first.
        var written: [Op] = []
        var restoredFields = 0
        var restoredElements = 0
        for change in elements.reversed() where !createdSet.contains(change.entity) {
            if change.added {
                if let op = try remove(change.entity, change.field, change.element) { written.append(op) }
            } else if let op = try add(change.entity, change.field, change.element) {
                written.append(op)
            }
            restoredElements += 1
        }
        for register in registers.reversed() where !createdSet.contains(register.entity) {
            let before = try previousValue(register.first)
            if let op = try set(register.entity, register.field, before ?? .null) { written.append(op) }
            restoredFields += 1
        }
        for entity in created.reversed() where try !isArchived(entity) {
            if let op = try set(entity, Schema.F.archived, .bool(true)) { written.append(op) }
        }
        return UndoResult(
            ops: written, restoredFields: restoredFields, restoredElements: restoredElements, archivedEntities: created,
            customers: customers)
    }

    /// The display winner of the values a `set` superseded: what the register showed before it.
    private func previousValue(_ op: Op) throws -> Value? {
        guard case .set(_, let field, _, let pred) = op.body else { return nil }
        var best: (hlc: HLC, id: OpID, value: Value)?
        for id in pred {
            guard let earlier = try self.op(id) else { continue }
            let value: Value?
            switch earlier.body {
            case .set(_, _, let v, _): value = v
            case .create(_, _, let fields): value = fields.first { $0.field == field }?.value
            default: value = nil
            }
            guard let value else { continue }
            // The display order: greatest (hlc, actor, counter) wins.
            if best.map({
                ($0.hlc.rawValue, $0.id.actor.hex, $0.id.counter) < (earlier.hlc.rawValue, earlier.id.actor.hex, earlier.id.counter)
            }) ?? true
            {
                best = (earlier.hlc, earlier.id, value)
            }
        }
        return best?.value
    }

    /// The latest op on an entity from another device, if there is one. Read among the ops of the entity's scope
    /// (`op_scope`), which hold every op on it, newest first; the log keeps the entity only in each op's body.
    private func foreignOp(on entity: EntityID) throws -> Op? {
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: """
                \(Book.opRowsSQL) WHERE op.scope = (SELECT scope FROM entity WHERE id = ?)
                AND op.actor IS NOT \(Book.actorNumberSQL)
                ORDER BY op.hlc DESC, actor_key.id DESC, op.counter DESC
                """),
            arguments: [Data(entity.bytes), Data(book.actor.bytes)])
        while let row = try rows.next() {
            let op = try Book.operation(row)
            if op.body.entity == entity { return op }
        }
        return nil
    }

    /// The op with an ID, if the log holds it.
    private func op(_ id: OpID) throws -> Op? {
        try Row.fetchOne(
            db.cachedStatement(sql: "\(Book.opRowsSQL) WHERE op.actor = \(Book.actorNumberSQL) AND op.counter = ?"),
            arguments: [Data(id.actor.bytes), Int64(id.counter)]
        ).map(Book.operation)
    }

    /// `客户 [abc123]`, `家人 [def456]`: what an entity is, by its short ID (no customer data).
    private func subject(_ entity: EntityID) throws -> String {
        "\(try kindLabel(entity)) [\(entity.short)]"
    }

    private func kindLabel(_ entity: EntityID) throws -> String {
        let kind = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT kind FROM entity WHERE id = ?"), arguments: [Data(entity.bytes)])
        return kind.map { EntityKind(rawValue: UInt8($0)).label } ?? "记录"
    }

    private func refusal(_ what: String, _ other: Op?) -> StoreError {
        var message = "不能撤销：" + what
        if let other {
            let day = book.day(of: other.hlc)
            message += other.principal == book.principal && other.id.actor == book.actor
                ? "（\(day.short)，本机的另一条命令）" : "（\(other.principal)，\(day.short)）"
        }
        return StoreError(.notPermitted, message + "；请先查看 history，再手动修改")
    }
}

extension Book {
    /// The counter of this book's last own op: mark it before a command, and ``ownOps(after:through:)`` gives the
    /// command's ops after it.
    public func ownOpCounter() throws(StoreError) -> UInt64 {
        try read { db in
            let held = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT contiguous FROM actor_state WHERE actor = ?"), arguments: [Data(actor.bytes)]) ?? 0
            let saved = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'counter'")) ?? 0
            return UInt64(max(held, saved))
        }
    }

    /// This book's own ops with counters in `after+1 ... through`, in counter order (those a purge took are gone).
    public func ownOps(after: UInt64, through: UInt64) throws(StoreError) -> [Op] {
        guard through > after else { return [] }
        return try ops(of: actor, after: after, limit: Int(min(through - after, 1_000_000))).filter { $0.id.counter <= through }
    }
}
