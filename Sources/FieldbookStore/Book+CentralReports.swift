import FieldbookModel
import Foundation
import GRDB

/// Named queries for the centre's reports and master file (`fieldbook admin report …`, `admin customers`): each
/// runs inside the caller's transaction, so one report reads one snapshot.
extension Book {
    /// Streams every created, non-archived entity of a kind with the display winners of `fields`, one entity at a time
    /// and in entity ID order, holding only the current entity in memory.
    ///
    /// - Parameters:
    ///   - kind: The kind of entity (contacts, purchases, …).
    ///   - fields: The fields whose winners ``EntityWinners/values`` should carry.
    ///   - db: The caller's transaction.
    ///   - body: Called once per entity.
    package static func forEachLiveEntity(
        _ kind: EntityKind, fields: [FieldID], db: Database, _ body: (EntityWinners) throws -> Void
    ) throws {
        let wanted = fields + [Schema.F.archived]
        let placeholders = wanted.map { _ in "?" }.joined(separator: ", ")
        // The winner first within each (entity, field), so the first row of a register is its winner.
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT e.id, k.key AS scope, e.author, e.created_hlc, r.field, r.value
                FROM entity e JOIN scope_key k ON k.no = e.scope
                LEFT JOIN reg_value r ON r.entity = e.id AND r.field IN (\(placeholders)) \(RegisterWinner.actorJoin("r", outer: true))
                WHERE e.kind = ?
                ORDER BY e.id, r.field, \(RegisterWinner.ordering("r"))
                """,
            arguments: StatementArguments(wanted.map { Int($0.rawValue) } + [Int(kind.rawValue)]))
        var current: EntityWinners?
        func flush() throws {
            if let entity = current, entity.values[Schema.F.archived]?.isTrue != true { try body(entity) }
        }
        while let row = try cursor.next() {
            let data = row["id"] as Data
            guard let id = EntityID(bytes: Array(data)) else { continue }
            if current?.id != id {
                try flush()
                current = EntityWinners(
                    id: id, scope: Scope(key: row["scope"]), author: row["author"] ?? "",
                    created: HLC(rawValue: UInt64(bitPattern: row["created_hlc"] ?? 0)), values: [:])
            }
            guard let number = row["field"] as Int?, let bytes = row["value"] as Data? else { continue }
            let field = FieldID(rawValue: UInt16(number))
            guard current!.values[field] == nil else { continue }  // a conflict sibling, not the winner
            var reader = ByteReader(Array(bytes))
            current!.values[field] = try Value.decode(from: &reader)
        }
        try flush()
    }

    /// The customers of some tiers that are not archived (the coverage report's VIPs), in no particular order.
    package static func liveCustomers(tiers: [String], db: Database) throws -> [CustomerSummary] {
        guard !tiers.isEmpty else { return [] }
        let rows = try Row.fetchAll(
            db,
            sql: "SELECT id, name, tier FROM customer WHERE archived = 0 AND tier IN (\(tiers.map { _ in "?" }.joined(separator: ", ")))",
            arguments: StatementArguments(tiers))
        return rows.compactMap { row in
            EntityID(bytes: Array(row["id"] as Data)).map {
                CustomerSummary(id: $0, name: row["name"], tier: row["tier"], archived: false)
            }
        }
    }

    /// A created customer's name, tier and archived flag, or `nil` when the book holds no such customer.
    package static func customerSummary(_ id: EntityID, db: Database) throws -> CustomerSummary? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT name, tier, archived FROM customer WHERE id = ?"), arguments: [Data(id.bytes)])
        else { return nil }
        return CustomerSummary(id: id, name: row["name"], tier: row["tier"], archived: row["archived"])
    }

    /// Every customer (archived ones too) matching all the filters given, in no particular order: owned by `owner`
    /// (any live owner value), co-covered by `cocoverer`, of canonical tier `tier`. No filter: every customer.
    package static func customers(owner: String?, cocoverer: String?, tier: String?, db: Database) throws -> [EntityID] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let owner {
            conditions.append("EXISTS (SELECT 1 FROM reg_value r WHERE r.entity = c.id AND r.field = ? AND r.value = ?)")
            arguments += [Int(Schema.F.owner.rawValue), Data(Value.text(owner).canonicalBytes)]
        }
        if let cocoverer {
            conditions.append("EXISTS (SELECT 1 FROM set_add s WHERE s.entity = c.id AND s.field = ? AND s.element = ?)")
            arguments += [Int(Schema.F.cocoverers.rawValue), cocoverer]
        }
        if let tier {
            conditions.append("c.tier = ?")
            arguments += [tier]
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Data.fetchAll(db, sql: "SELECT c.id FROM customer c \(filter)", arguments: arguments)
            .compactMap { EntityID(bytes: Array($0)) }
    }
}
