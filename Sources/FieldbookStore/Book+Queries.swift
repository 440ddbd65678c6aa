import FieldbookModel
import Foundation
import GRDB

extension Book {
    // MARK: - Field and set reads

    /// The live values of a register, display winner first: greatest `(hlc, actor, counter)`, compared as SQLite
    /// orders them (signed integers, the actor's bytes). Read in place and ordered here, not by `ORDER BY` (a sort
    /// in SQLite allocates; a register holds one value, or a few in a conflict).
    func liveValues(_ entity: EntityID, _ field: FieldID, db: Database) throws -> [MVRegister.Entry] {
        let rows = DirectStatement(
            try db.cachedStatement(
                sql: """
                    SELECT a.id, r.counter, r.hlc, r.value FROM reg_value r JOIN actor_key a ON a.no = r.actor
                    WHERE r.entity = ? AND r.field = ?
                    """),
            db: db)
        rows.reset()
        defer { rows.reset() }
        try rows.bind(1, entity)
        try rows.bind(2, Int(field.rawValue))
        var entries: [MVRegister.Entry] = []
        while try rows.step() {
            guard let actor = rows.halves(0) else {
                throw StoreError(.corrupt, "字段值表中有损坏的行（可用 rebuild 重建）")
            }
            let id = OpID(actor: ActorID(high: actor.high, low: actor.low), counter: UInt64(bitPattern: rows.int64(1)))
            entries.append(
                MVRegister.Entry(id: id, hlc: HLC(rawValue: UInt64(bitPattern: rows.int64(2))), value: try rows.value(3)))
        }
        if entries.count > 1 {
            func standing(_ entry: MVRegister.Entry) -> (Int64, UInt64, UInt64, Int64) {
                (Int64(bitPattern: entry.hlc.rawValue), entry.id.actor.high, entry.id.actor.low,
                 Int64(bitPattern: entry.id.counter))
            }
            entries.sort { standing($0) > standing($1) }
        }
        return entries
    }

    static func entry(_ row: Row) throws -> MVRegister.Entry {
        var reader = ByteReader(Array(row["value"] as Data))
        let value = try Value.decode(from: &reader)
        let actor = ActorID(bytes: Array(row["actor"] as Data))!
        return MVRegister.Entry(
            id: OpID(actor: actor, counter: UInt64(row["counter"] as Int64)),
            hlc: HLC(rawValue: UInt64(bitPattern: row["hlc"] as Int64)), value: value)
    }

    func setTags(_ entity: EntityID, _ field: FieldID, _ element: String, db: Database) throws -> [OpID] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT a.id AS actor, s.counter FROM set_add s JOIN actor_key a ON a.no = s.actor
                    WHERE s.entity = ? AND s.field = ? AND s.element = ?
                    """),
            arguments: [Data(entity.bytes), Int(field.rawValue), element]
        ).map { OpID(actor: ActorID(bytes: Array($0["actor"] as Data))!, counter: UInt64($0["counter"] as Int64)) }
    }

    // MARK: - References

    /// Resolves what a user typed for a customer: a unique prefix (4+ characters) of its ID, or an exact name that
    /// only one customer has.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/ambiguous`` (listing candidate short IDs with masked
    ///   names, the phone's last four digits and the tier) or ``StoreError/Code/unknownReference``. The typed text is not repeated: it may be a name.
    public func resolveCustomer(_ reference: String) throws(StoreError) -> EntityID {
        try read { db in try resolveCustomer(reference, db: db) }
    }

    func resolveCustomer(_ reference: String, db: Database) throws -> EntityID {
        var candidates: [(EntityID, String)] = []
        let byName = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, name FROM customer WHERE name = ? LIMIT 20"), arguments: [reference])
        for row in byName { candidates.append((EntityID(bytes: Array(row["id"] as Data))!, row["name"])) }
        if reference.count >= EntityID.minimumPrefix, let prefix = Base32.normalize(reference) {
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, name FROM customer WHERE idtext >= ? AND idtext < ? LIMIT 20"),
                arguments: [prefix, prefix + "~"])
            for row in rows {
                let id = EntityID(bytes: Array(row["id"] as Data))!
                if !candidates.contains(where: { $0.0 == id }) { candidates.append((id, row["name"])) }
            }
        }
        if candidates.count == 1 { return candidates[0].0 }
        if candidates.isEmpty {
            throw StoreError(.unknownReference, "找不到这个客户：请用 find 查找，再用短 ID（至少 4 位）或完整姓名")
        }
        // Each candidate with what tells them apart without showing them: the phone's last four digits and the tier.
        let list = try candidates.prefix(8).map { id, name -> String in
            let card = try snapshot(of: id, db: db)
            var marks: [String] = []
            if case .text(let phone)? = card?.value(Schema.F.phone), phone.count >= 4 { marks.append("尾号\(phone.suffix(4))") }
            if case .text(let tier)? = card?.value(Schema.F.tier) { marks.append(tier) }
            return "\(id.short) \(Self.mask(name))" + (marks.isEmpty ? "" : "（\(marks.joined(separator: "，"))）")
        }.joined(separator: "、")
        throw StoreError(.ambiguous, "有 \(candidates.count) 个客户符合：\(list)；请改用短 ID")
    }

    /// A name with all but its first character masked (`王**`), for messages that must not carry customer data.
    public static func mask(_ name: String) -> String {
        guard let first = name.first else { return "" }
        return String(first) + String(repeating: "*", count: max(1, name.count - 1))
    }

    // MARK: - Customers

    /// The number of created customers.
    public func customerCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM customer")) ?? 0 }
    }

    /// Finds customers by a substring of name, phone or note, and by field values and tags.
    ///
    /// Queries of 3 or more characters use the FTS5 trigram index; 1–2 character queries (a surname such as 王)
    /// scan with `instr()`, because the trigram tokenizer cannot match them (toolchain.md, "FTS5 trigram").
    ///
    /// - Parameters:
    ///   - text: The substring, or `nil` for every customer.
    ///   - filters: Field values that must be among the field's live values.
    ///   - tags: Tags that must all be present.
    ///   - includeArchived: Whether archived customers are listed.
    ///   - limit: The most rows to return.
    /// - Returns: Matches sorted by name, then ID.
    public func find(
        text: String? = nil, filters: [(FieldID, Value)] = [], tags: [String] = [], includeArchived: Bool = false,
        limit: Int = 10_000
    ) throws(StoreError) -> [CustomerSummary] {
        try read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let text, !text.isEmpty {
                let match = try Self.textMatch(text.lowercased(), db: db)
                conditions.append(match.condition)
                arguments += match.arguments
            }
            if !includeArchived { conditions.append("c.archived = 0") }
            for (field, value) in filters {
                conditions.append(
                    "EXISTS (SELECT 1 FROM reg_value r WHERE r.entity = c.id AND r.field = ? AND r.value = ?)")
                arguments += [Int(field.rawValue), Data(value.canonicalBytes)]
            }
            for tag in tags {
                conditions.append(
                    "EXISTS (SELECT 1 FROM set_add s WHERE s.entity = c.id AND s.field = ? AND s.element = ?)")
                arguments += [Int(Schema.F.tags.rawValue), tag]
            }
            let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let sql = """
                SELECT c.id, c.name, c.tier, c.archived FROM customer c \(condition)
                ORDER BY c.name, c.idtext LIMIT \(limit)
                """
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
                CustomerSummary(
                    id: EntityID(bytes: Array(row["id"] as Data))!, name: row["name"], tier: row["tier"],
                    archived: row["archived"])
            }
        }
    }

    // MARK: - Snapshots

    /// Everything visible about one created entity, or `nil`.
    public func snapshot(of entity: EntityID) throws(StoreError) -> EntitySnapshot? {
        try read { db in try snapshot(of: entity, db: db) }
    }

    func snapshot(of entity: EntityID, db: Database) throws -> EntitySnapshot? {
        let data = Data(entity.bytes)
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT e.kind, k.key AS scope, e.created_hlc, e.author FROM entity e JOIN scope_key k ON k.no = e.scope
                    WHERE e.id = ? AND e.kind IS NOT NULL
                    """),
                arguments: [data]),
            let scope = Scope(key: row["scope"])
        else { return nil }
        var fields: [FieldID: [MVRegister.Entry]] = [:]
        let values = try Row.fetchAll(
            db.cachedStatement(sql: """
                SELECT field, reg_value_actor.id AS actor, counter, hlc, value FROM reg_value \(RegisterWinner.actorJoin())
                WHERE entity = ? ORDER BY field, \(RegisterWinner.ordering())
                """), arguments: [data])
        for value in values {
            fields[FieldID(rawValue: UInt16(value["field"] as Int)), default: []].append(try Self.entry(value))
        }
        var sets: [FieldID: [String]] = [:]
        let elements = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT DISTINCT field, element FROM set_add WHERE entity = ? ORDER BY field, element"),
            arguments: [data])
        for element in elements {
            sets[FieldID(rawValue: UInt16(element["field"] as Int)), default: []].append(element["element"])
        }
        return EntitySnapshot(
            id: entity, kind: EntityKind(rawValue: UInt8(row["kind"] as Int)), scope: scope,
            created: HLC(rawValue: UInt64(bitPattern: row["created_hlc"] as Int64)), author: row["author"],
            fields: fields, sets: sets)
    }

    /// The created entities of one kind in a scope, oldest first; archived ones are left out except customers (as
    /// in ``entities(kind:)``).
    public func entities(in scope: Scope, kind: EntityKind) throws(StoreError) -> [EntitySnapshot] {
        try read { db in
            let ids = try Data.fetchAll(
                db.cachedStatement(
                    sql: "SELECT id FROM entity WHERE scope = \(Self.scopeNumberSQL) AND kind = ? ORDER BY created_hlc, id"),
                arguments: [scope.key, Int(kind.rawValue)])
            return try ids.compactMap { try snapshot(of: EntityID(bytes: Array($0))!, db: db) }.filter(Self.isListed)
        }
    }

    // MARK: - Conflicts and history

    /// Open conflicts: fields with more than one live value, in one customer's scope or the whole book.
    public func conflicts(customer: EntityID? = nil) throws(StoreError) -> [ConflictInfo] {
        try read { db in
            var sql = """
                SELECT r.entity, r.field, k.key AS scope
                FROM reg_value r JOIN entity e ON e.id = r.entity JOIN scope_key k ON k.no = e.scope
                WHERE e.kind IS NOT NULL
                """
            var arguments: StatementArguments = []
            if let customer {
                sql += " AND e.scope = \(Self.scopeNumberSQL)"
                arguments += [Scope.customer(customer).key]
            }
            sql += " GROUP BY r.entity, r.field HAVING count(DISTINCT r.value) > 1 ORDER BY scope, r.entity, r.field"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let entity = EntityID(bytes: Array(row["entity"] as Data))!
                let field = FieldID(rawValue: UInt16(row["field"] as Int))
                let entries = try liveValues(entity, field, db: db)
                let values = try entries.map { entry in
                    let principal = try String.fetchOne(
                        db.cachedStatement(sql: "SELECT principal FROM op WHERE actor = \(Self.actorNumberSQL) AND counter = ?"),
                        arguments: [Data(entry.id.actor.bytes), Int64(entry.id.counter)]) ?? "?"
                    return (entry: entry, principal: principal)
                }
                return ConflictInfo(
                    customer: Scope(key: row["scope"])?.customer, entity: entity, field: field, values: values)
            }
        }
    }

    /// Every op of a scope in clock order: the audit trail of a customer.
    public func history(of scope: Scope) throws(StoreError) -> [Op] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "\(Self.opRowsSQL) WHERE op.scope = \(Self.scopeNumberSQL) ORDER BY op.hlc, actor_key.id, op.counter"),
                arguments: [scope.key]
            ).map(Self.operation)
        }
    }

    /// Decodes an `op` row.
    static func operation(_ row: Row) throws -> Op {
        guard let actor = (row["actor"] as Data?).flatMap({ ActorID(bytes: Array($0)) }), let key = row["scope"] as String?,
            let scope = Scope(key: key)
        else {
            throw StoreError(.corrupt, "操作记录已损坏")
        }
        return Op(
            id: OpID(actor: actor, counter: UInt64(row["counter"] as Int64)),
            hlc: HLC(rawValue: UInt64(bitPattern: row["hlc"] as Int64)), scope: scope, principal: row["principal"],
            schemaVersion: UInt16(row["schema"] as Int), body: try Op.Body(encoded: Array(row["body"] as Data)))
    }

    // MARK: - Status

    /// Identity, counts, sync state and state hash.
    public func status() throws(StoreError) -> BookStatus {
        let hash = try stateHash()
        return try read { db in
            let ops = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM op")) ?? 0
            let customers = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM customer")) ?? 0
            let lastSync = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?"), arguments: [SyncKey.lastSync])
            let device = try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?"), arguments: [SyncKey.device])
            return BookStatus(
                path: path, principal: principal, actor: actor, device: device, customers: customers, ops: ops,
                unsyncedOps: try unsyncedOpCount(db), lastSync: lastSync.map { UInt64($0) },
                stateHash: StateDigest.hex(hash))
        }
    }

    /// How a query finds lowercased `text` in the customer rows' search text (`c` is `customer`): through the trigram
    /// index for three characters or more where the book keeps one, else by scanning (the trigram index cannot match
    /// shorter text, and the centre keeps none). The customers whose index entry lags their text
    /// (`customer_fts_pending`, migration v10) are scanned, and their entries, which may hold an older text, ignored;
    /// `CROSS JOIN` keeps those few rows the outer loop (without it SQLite scanned every customer for them).
    package static func textMatch(
        _ text: String, db: Database
    ) throws -> (condition: String, arguments: StatementArguments) {
        guard text.count >= 3, try hasSearchIndex(db) else { return ("instr(c.search, ?) > 0", [text]) }
        let phrase = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        return (
            """
            c.rowid IN (
                SELECT rowid FROM customer_fts WHERE customer_fts MATCH ?
                AND rowid NOT IN (SELECT rowid FROM customer_fts_pending)
                UNION ALL
                SELECT p.rowid FROM customer_fts_pending p CROSS JOIN customer t ON t.rowid = p.rowid
                WHERE instr(t.search, ?) > 0)
            """,
            [phrase, text]
        )
    }

    /// Brings the search index up to date: the pending customers' entries are rewritten from their rows (what the
    /// 256th pending row does by trigger, migration v10, and ``Book/catchUpSearchIndexIfDue()`` between commands).
    /// Nothing without an index.
    package static func catchUpSearchIndex(_ db: Database) throws {
        guard try hasSearchIndex(db) else { return }
        try db.execute(
            sql: """
                INSERT INTO customer_fts (customer_fts, rowid, search)
                SELECT 'delete', rowid, search FROM customer_fts_pending WHERE search IS NOT NULL;
                INSERT INTO customer_fts (rowid, search)
                SELECT c.rowid, c.search FROM customer_fts_pending p JOIN customer c ON c.rowid = p.rowid;
                DELETE FROM customer_fts_pending;
                """)
    }

    /// Writes the search index anew from the customer rows (a purge's last step, so that no segment keeps a purged
    /// customer's text), with nothing left pending.
    static func rebuildSearchIndex(_ db: Database) throws {
        guard try hasSearchIndex(db) else { return }
        try db.execute(
            sql: "INSERT INTO customer_fts (customer_fts) VALUES ('rebuild'); DELETE FROM customer_fts_pending")
    }

    /// Whether the book keeps its full-text search index (every device does; the centre drops it,
    /// ``dropSearchIndex(_:)``). Without it a text query scans the customer rows' search text.
    package static func hasSearchIndex(_ db: Database) throws -> Bool {
        // Read through ``DirectStatement``: the shell asks after every command (``catchUpSearchIndexIfDue()``).
        let exists = DirectStatement(
            try db.cachedStatement(sql: "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'customer_fts'"), db: db)
        exists.reset()
        defer { exists.reset() }
        return try exists.step()
    }
}
