import FieldbookModel
import Foundation
import GRDB

/// Queries for entities other than customers (tasks, complaints), and the cheap reads the interactive shell needs
/// on every prompt and every TAB: unsynced-op counts, customer names by prefix, tags in use.
extension Book {
    // MARK: - Entities of a kind

    /// Every created entity of a kind, in every scope, oldest first. Archived entities are left out, except
    /// customers (an undone task, contact or complaint is archived: ``BookTransaction/undo(_:)``).
    ///
    /// For tasks and complaints: a book holds hundreds of them, not millions (the op log holds the events).
    ///
    /// ```swift
    /// let open = try book.entities(kind: .task).filter { $0.value(Schema.F.done) != .bool(true) }
    /// ```
    public func entities(kind: EntityKind) throws(StoreError) -> [EntitySnapshot] {
        try read { db in
            let ids = try Data.fetchAll(
                db.cachedStatement(sql: "SELECT id FROM entity WHERE kind = ? ORDER BY created_hlc, id"), arguments: [Int(kind.rawValue)])
            return try ids.compactMap { try snapshot(of: EntityID(bytes: Array($0))!, db: db) }.filter(Self.isListed)
        }
    }

    /// Whether a listing shows an entity: any customer, other entities unless archived.
    static func isListed(_ entity: EntitySnapshot) -> Bool {
        entity.kind == .customer || entity.value(Schema.F.archived) != .bool(true)
    }

    /// Resolves what a user typed for a task, complaint or other non-customer entity: a unique prefix (4+
    /// characters) of its ID.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/ambiguous`` (listing the candidates' short IDs) or
    ///   ``StoreError/Code/unknownReference``.
    public func resolveEntity(_ reference: String, kind: EntityKind) throws(StoreError) -> EntityID {
        try read { db in try resolveEntity(reference, kind: kind, db: db) }
    }

    func resolveEntity(_ reference: String, kind: EntityKind, db: Database) throws -> EntityID {
        guard reference.count >= EntityID.minimumPrefix, let prefix = Base32.normalize(reference) else {
            throw StoreError(
                .unknownReference, "\(kind.label)编号应为列表里显示的短 ID（至少 \(EntityID.minimumPrefix) 位）")
        }
        // IDs are stored as bytes; their text form begins with the random bits, so compare the text. A book holds
        // few entities of these kinds, and the scan reads only the primary key.
        let ids = try Data.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM entity WHERE kind = ?"), arguments: [Int(kind.rawValue)]
        ).compactMap { EntityID(bytes: Array($0)) }
        let matches = ids.filter { $0.text.hasPrefix(prefix) }.sorted { $0.text < $1.text }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty {
            throw StoreError(.unknownReference, "找不到这条\(kind.label)：请检查短 ID（列表里显示的 6 位）")
        }
        let list = matches.prefix(8).map { String($0.text.prefix(max(EntityID.shortLength, prefix.count + 2))) }
        throw StoreError(
            .ambiguous, "有 \(matches.count) 条\(kind.label)符合：\(list.joined(separator: "、"))；请多输入几位")
    }

    // MARK: - Cheap reads for the prompt and completion

    /// Local ops the central node has not acknowledged: ``BookStatus/unsyncedOps`` without the state hash, cheap
    /// enough for every prompt.
    public func unsyncedOpCount() throws(StoreError) -> Int {
        try read { db in try unsyncedOpCount(db) }
    }

    /// Own ops made minus own ops the central node holds. The persisted counter is used rather than the log, whose
    /// own ops may have holes after a purge.
    func unsyncedOpCount(_ db: Database) throws -> Int {
        let logged = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT contiguous FROM actor_state WHERE actor = ?"), arguments: [Data(actor.bytes)]) ?? 0
        let saved = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'counter'")) ?? 0
        let pushed = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?"), arguments: [SyncState.Key.pushed]) ?? 0
        return Int(max(0, max(logged, saved) - pushed))
    }

    /// Customers whose name begins with a prefix, or whose ID does, for tab completion.
    ///
    /// - Returns: Up to `limit` customers, sorted by name then ID; archived ones are left out.
    public func customers(withPrefix prefix: String, limit: Int = 50) throws(StoreError) -> [CustomerSummary] {
        try read { db in
            var rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT id, name, tier, archived FROM customer
                    WHERE archived = 0 AND substr(name, 1, ?) = ? ORDER BY name, idtext LIMIT ?
                    """),
                arguments: [prefix.count, prefix, limit])
            if let normalized = Base32.normalize(prefix), !normalized.isEmpty, rows.count < limit {
                rows += try Row.fetchAll(
                    db.cachedStatement(sql: """
                        SELECT id, name, tier, archived FROM customer
                        WHERE archived = 0 AND idtext >= ? AND idtext < ? ORDER BY idtext LIMIT ?
                        """),
                    arguments: [normalized, normalized + "~", limit - rows.count])
            }
            var seen = Set<Data>()
            return rows.compactMap { row in
                let data = row["id"] as Data
                guard seen.insert(data).inserted, let id = EntityID(bytes: Array(data)) else { return nil }
                return CustomerSummary(id: id, name: row["name"], tier: row["tier"], archived: row["archived"])
            }
        }
    }

    /// The elements of a set field in use anywhere in the book (tags), most used first.
    public func setElements(_ field: FieldID, limit: Int = 200) throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(
                db.cachedStatement(sql: """
                    SELECT element FROM set_add WHERE field = ? GROUP BY element
                    ORDER BY count(DISTINCT entity) DESC, element LIMIT ?
                    """),
                arguments: [Int(field.rawValue), limit])
        }
    }
}

extension BookTransaction {
    /// Resolves a task, complaint or other non-customer entity inside this transaction (see
    /// ``Book/resolveEntity(_:kind:)``).
    public func resolveEntity(_ reference: String, kind: EntityKind) throws -> EntityID {
        try book.resolveEntity(reference, kind: kind, db: db)
    }

    /// Everything visible about an entity, as this transaction sees it.
    public func snapshot(of entity: EntityID) throws -> EntitySnapshot? {
        try book.snapshot(of: entity, db: db)
    }
}
