import FieldbookCentral
import FieldbookModel
import Foundation
import NIOCore
import PostgresNIO

/// The master file on PostgreSQL: customers with their displayed values and coverage, read from the projection
/// inside the caller's transaction (`admin find`, `admin customers`, the reports, and resolving what an administrator
/// typed for a customer).
///
/// The PostgreSQL store keeps no `customer` table: a customer's name, tier and archived flag are the display winners
/// of its registers (`reg_value`, greatest `(hlc, actor, counter)` first, as `RegisterWinner` and
/// `MVRegister.precedes` order them), its owner and co-coverers are the `coverage` row the projector keeps.
enum PostgresMasterFile {
    /// One customer as the master file reads it.
    struct Row {
        var id: EntityID
        var name = ""
        var tier: String?
        var archived = false
        var phone = ""
        var note = ""
        var familiarity: String?
        var owner: String?
        var cocoverers: [String] = []

        /// What the administration shows of it.
        var central: CentralCustomer {
            CentralCustomer(id: id, name: name, tier: tier, owner: owner, cocoverers: cocoverers, archived: archived)
        }

        /// The text `admin find` searches, lowercased as the SQLite book keeps its `search` column.
        var search: String { [name, phone, note].joined(separator: "\n").lowercased() }
    }

    /// The fields a ``Row`` reads.
    static let fields: [FieldID] = [
        Schema.F.name, Schema.F.tier, Schema.F.archived, Schema.F.phone, Schema.F.note, Schema.F.familiarity,
    ]

    /// The SQL of the winner order within a register (``RegisterWinner``'s, for `reg_value` aliased `r`).
    static let winnerOrder = "r.hlc DESC, r.actor DESC, r.counter DESC"

    /// The created customers with their displayed values: those of `ids`, or every one when `ids` is `nil`.
    static func rows(_ ids: [EntityID]?, connection: PostgresConnection, logger: Logger) async throws -> [Row] {
        if let ids, ids.isEmpty { return [] }
        let all = ids == nil
        let wanted = (ids ?? []).map { ByteBuffer(bytes: $0.bytes) }
        let rows = try await connection.query(
            """
            SELECT c.customer, c.owner, c.cocoverers, r.field, r.value
            FROM coverage c LEFT JOIN reg_value r ON r.entity = c.customer AND r.field = ANY(\(fields.map { Int32($0.rawValue) }))
            WHERE \(all) OR c.customer = ANY(\(wanted))
            ORDER BY c.customer, r.field, \(unescaped: winnerOrder)
            """, logger: logger)
        var result: [Row] = []
        var seen: Set<FieldID> = []
        for try await (idBytes, owner, cocoverers, number, bytes) in rows.decode((Data, String?, [String], Int32?, Data?).self) {
            guard let id = EntityID(bytes: Array(idBytes)) else { continue }
            if result.last?.id != id {
                result.append(Row(id: id, owner: owner, cocoverers: Array(Set(cocoverers)).sorted()))
                seen = []
            }
            // The first row of each register is its winner; the others are conflict siblings.
            guard let number, let bytes, seen.insert(FieldID(rawValue: UInt16(number))).inserted else { continue }
            var reader = ByteReader(Array(bytes))
            let value = try Value.decode(from: &reader)
            switch FieldID(rawValue: UInt16(number)) {
            case Schema.F.name: result[result.count - 1].name = value.text ?? ""
            case Schema.F.tier: result[result.count - 1].tier = value.text
            case Schema.F.archived: result[result.count - 1].archived = value.isTrue
            case Schema.F.phone: result[result.count - 1].phone = value.text ?? ""
            case Schema.F.note: result[result.count - 1].note = value.text ?? ""
            case Schema.F.familiarity: result[result.count - 1].familiarity = value.text
            default: break
            }
        }
        return result
    }

    /// One customer, or `nil` when the centre holds no such created customer.
    static func customer(_ id: EntityID, connection: PostgresConnection, logger: Logger) async throws -> CentralCustomer? {
        try await rows([id], connection: connection, logger: logger).first?.central
    }

    /// The master file's order: by name, then ID.
    static func byName(_ a: CentralCustomer, _ b: CentralCustomer) -> Bool { (a.name, a.id.text) < (b.name, b.id.text) }

    /// Every customer matching all the filters given (owner, co-coverer, canonical tier), archived ones too, by name.
    static func customers(
        owner: String?, cocoverer: String?, tier: String?, connection: PostgresConnection, logger: Logger
    ) async throws -> [CentralCustomer] {
        var ids: [EntityID]?
        if owner != nil || cocoverer != nil {
            var found: [EntityID] = []
            for try await bytes in try await connection.query(
                """
                SELECT customer FROM coverage
                WHERE (\(owner)::text IS NULL OR owner = \(owner))
                    AND (\(cocoverer)::text IS NULL OR cocoverers @> ARRAY[\(cocoverer)::text])
                """, logger: logger
            ).decode(Data.self) {
                if let id = EntityID(bytes: Array(bytes)) { found.append(id) }
            }
            ids = found
        }
        return try await rows(ids, connection: connection, logger: logger)
            .filter { tier == nil || $0.tier == tier }.map(\.central).sorted(by: byName)
    }

    /// `admin find`: customers whose name, phone or note contains `text` (case-insensitively), or that `text` names
    /// as a unique short-ID prefix or exact name, by name; then those whose name's pinyin or initials match it
    /// (`wf`, `wangfang`); archived ones too. The same answer as the SQLite store's.
    static func find(_ text: String, connection: PostgresConnection, logger: Logger) async throws -> [CentralCustomer] {
        let lowered = text.lowercased()
        let all = try await rows(nil, connection: connection, logger: logger)
        var direct = all.filter { $0.search.contains(lowered) }
        if text.count >= EntityID.minimumPrefix, let resolved = try? resolve(text, among: all), !direct.contains(where: { $0.id == resolved }),
            let row = all.first(where: { $0.id == resolved })
        {
            direct.append(row)
        }
        var byPinyin: [Row] = []
        if let query = NamePinyin.query(lowered) {
            let directIDs = Set(direct.map(\.id))
            var pinyin = NamePinyin()
            byPinyin = all.filter { row in
                !directIDs.contains(row.id) && NamePinyin.matches(query, key: pinyin.key(row.name))
            }
        }
        return direct.map(\.central).sorted(by: byName) + byPinyin.map(\.central).sorted(by: byName)
    }

    /// Resolves what an administrator typed for a customer: a unique prefix (4+ characters) of its ID, or an exact
    /// name only one customer has, as the book's `resolveCustomer` does, with its messages.
    ///
    /// Reads only names and IDs (one register of every customer, and the `coverage` keys), then the few candidates.
    static func resolve(_ reference: String, connection: PostgresConnection, logger: Logger) async throws -> EntityID {
        var candidates: [EntityID] = []
        for try await bytes in try await connection.query(
            """
            SELECT w.entity FROM (
                SELECT DISTINCT ON (r.entity) r.entity, r.value FROM reg_value r JOIN coverage c ON c.customer = r.entity
                WHERE r.field = \(Int32(Schema.F.name.rawValue))
                ORDER BY r.entity, \(unescaped: winnerOrder)
            ) w WHERE w.value = \(ByteBuffer(bytes: Value.text(reference).canonicalBytes))
            LIMIT 20
            """, logger: logger
        ).decode(Data.self) {
            if let id = EntityID(bytes: Array(bytes)) { candidates.append(id) }
        }
        if reference.count >= EntityID.minimumPrefix, let prefix = Base32.normalize(reference) {
            for try await bytes in try await connection.query("SELECT customer FROM coverage", logger: logger).decode(Data.self) {
                guard let id = EntityID(bytes: Array(bytes)), id.text.hasPrefix(prefix), !candidates.contains(id) else { continue }
                candidates.append(id)
            }
        }
        if candidates.count == 1 { return candidates[0] }
        return try resolve(reference, among: try await rows(candidates, connection: connection, logger: logger))
    }

    private static func resolve(_ reference: String, among rows: [Row]) throws -> EntityID {
        var candidates = rows.filter { $0.name == reference }
        if reference.count >= EntityID.minimumPrefix, let prefix = Base32.normalize(reference) {
            for row in rows where row.id.text.hasPrefix(prefix) && !candidates.contains(where: { $0.id == row.id }) {
                candidates.append(row)
            }
        }
        if candidates.count == 1 { return candidates[0].id }
        if candidates.isEmpty { throw CentralError("找不到这个客户：请用 find 查找，再用短 ID（至少 4 位）或完整姓名") }
        // Each candidate with what tells them apart without showing them: the phone's last four digits and the tier.
        let list = candidates.sorted { $0.id.text < $1.id.text }.prefix(8).map { row -> String in
            var marks: [String] = []
            if row.phone.count >= 4 { marks.append("尾号\(row.phone.suffix(4))") }
            if let tier = row.tier { marks.append(tier) }
            return "\(row.id.short) \(mask(row.name))" + (marks.isEmpty ? "" : "（\(marks.joined(separator: "，"))）")
        }.joined(separator: "、")
        throw CentralError("有 \(candidates.count) 个客户符合：\(list)；请改用短 ID")
    }

    /// A name with all but its first character masked (`王**`), as the book's `Book.mask`.
    static func mask(_ name: String) -> String {
        guard let first = name.first else { return "" }
        return String(first) + String(repeating: "*", count: max(1, name.count - 1))
    }
}
