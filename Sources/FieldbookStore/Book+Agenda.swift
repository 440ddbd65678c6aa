import FieldbookModel
import Foundation
import GRDB

/// Reading the state the agenda and the work log are computed from, in a handful of queries over the projections
/// (one per entity kind), never entity by entity: a book of ~800 customers and a year of contacts reads in one pass.
extension Book {
    /// One entity of a kind with the display winners of some fields.
    struct FieldRow: Sendable {
        var id: EntityID
        var scope: Scope
        var created: HLC
        var author: String
        var values: [FieldID: Value]

        func text(_ field: FieldID) -> String? { values[field]?.text }
        func day(_ field: FieldID) -> Day? { values[field]?.day }
        func integer(_ field: FieldID) -> Int64? { values[field]?.integer }
        var archived: Bool { values[Schema.F.archived] == .bool(true) }
    }

    /// Every created entity of a kind (optionally in one scope) with the display winners of the given fields.
    func rows(kind: EntityKind, fields: [FieldID], scope: Scope? = nil, db: Database) throws -> [FieldRow] {
        let wanted = fields + [Schema.F.archived]
        let list = wanted.map { String($0.rawValue) }.joined(separator: ",")
        var sql = """
            SELECT e.id, k.key AS scope, e.created_hlc, e.author, r.field, r.value FROM entity e
            JOIN scope_key k ON k.no = e.scope
            LEFT JOIN reg_value r ON r.entity = e.id AND r.field IN (\(list)) \(RegisterWinner.actorJoin("r", outer: true))
            WHERE e.kind = ?
            """
        var arguments: StatementArguments = [Int(kind.rawValue)]
        if let scope {
            sql += " AND e.scope = \(Self.scopeNumberSQL)"
            arguments += [scope.key]
        }
        sql += " ORDER BY e.created_hlc, e.id, r.field, \(RegisterWinner.ordering("r"))"
        var result: [FieldRow] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let id = EntityID(bytes: Array(row["id"] as Data))!
            if result.last?.id != id {
                guard let scope = Scope(key: row["scope"]) else { continue }
                result.append(
                    FieldRow(id: id, scope: scope, created: HLC(rawValue: UInt64(bitPattern: row["created_hlc"] as Int64)),
                        author: (row["author"] as String?) ?? "", values: [:]))
            }
            guard let raw = row["field"] as Int?, let bytes = row["value"] as Data? else { continue }
            let field = FieldID(rawValue: UInt16(raw))
            // Rows come winner first within a field: keep the first.
            if result[result.count - 1].values[field] == nil {
                var reader = ByteReader(Array(bytes))
                result[result.count - 1].values[field] = try Value.decode(from: &reader)
            }
        }
        return result
    }

    /// The day of a clock reading in the book's time zone.
    func day(of hlc: HLC) -> Day { Day(milliseconds: hlc.milliseconds, offsetSeconds: options.utcOffsetSeconds) }

    /// Everything the agenda of any day is computed from (see ``Agenda``).
    ///
    /// Archived customers, and the family, purchases and movements of archived customers, are left out; archived
    /// events are too.
    public func agendaInput() throws(StoreError) -> AgendaInput {
        try read { db in
            var input = AgendaInput(principal: principal)
            input.customers = try rows(
                kind: .customer, fields: [Schema.F.name, Schema.F.tier, Schema.F.familiarity, Schema.F.birthday], db: db
            ).filter { !$0.archived }.map {
                AgendaInput.Customer(
                    id: $0.id, name: $0.text(Schema.F.name) ?? "", tier: $0.text(Schema.F.tier),
                    familiarity: $0.text(Schema.F.familiarity), birthday: $0.day(Schema.F.birthday), created: day(of: $0.created))
            }
            input.family = try rows(kind: .family, fields: [Schema.F.name, Schema.F.relation, Schema.F.birthday], db: db)
                .compactMap { row in
                    guard !row.archived, let customer = row.scope.customer, let birthday = row.day(Schema.F.birthday) else {
                        return nil
                    }
                    return AgendaInput.FamilyMember(
                        customer: customer, name: row.text(Schema.F.name) ?? "", relation: row.text(Schema.F.relation) ?? "",
                        birthday: birthday)
                }
            input.contacts = try contacts(db: db)
            input.holdings = try holdings(scope: nil, db: db)
            input.products = Dictionary(uniqueKeysWithValues: try products(db: db).map { (Product.key($0.code), $0) })
            input.movements = try movements(scope: nil, db: db)
            input.tasks = try rows(
                kind: .task, fields: [Schema.F.text, Schema.F.due, Schema.F.done, Schema.F.at, Schema.F.place], db: db
            ).compactMap { row in
                guard !row.archived, row.values[Schema.F.done] != .bool(true), let due = row.day(Schema.F.due) else {
                    return nil
                }
                return AgendaInput.Task(
                    id: row.id, customer: row.scope.customer, text: row.text(Schema.F.text) ?? "", due: due,
                    at: TimeOfDay(row.values[Schema.F.at]), place: AppointmentPlace(row.values[Schema.F.place]))
            }
            input.complaints = try rows(kind: .complaint, fields: [Schema.F.text, Schema.F.date, Schema.F.status], db: db)
                .compactMap { row in
                    guard !row.archived, row.text(Schema.F.status) != ComplaintStatus.closed.rawValue, let customer = row.scope.customer else {
                        return nil
                    }
                    return AgendaInput.Complaint(
                        id: row.id, customer: customer, text: row.text(Schema.F.text) ?? "",
                        day: row.day(Schema.F.date) ?? day(of: row.created))
                }
            input.plan = try worklog(db: db).compactMap { entry in
                guard entry.isPlan, let customer = entry.customer else { return nil }
                return AgendaInput.PlanItem(id: entry.id, customer: customer, day: entry.day, text: entry.text)
            }
            return input
        }
    }

    /// Every contact, with its day, channel and author.
    func contacts(db: Database) throws -> [AgendaInput.Contact] {
        try rows(kind: .contact, fields: [Schema.F.date, Schema.F.channel], db: db).compactMap { row in
            guard !row.archived, let customer = row.scope.customer else { return nil }
            return AgendaInput.Contact(
                customer: customer, day: row.day(Schema.F.date) ?? day(of: row.created),
                channel: row.text(Schema.F.channel) ?? "", author: row.author)
        }
    }

    /// The large movements of one customer's scope, or of the whole book.
    func movements(scope: Scope?, db: Database) throws -> [AgendaInput.Movement] {
        try rows(kind: .movement, fields: [Schema.F.amount, Schema.F.date, Schema.F.note], scope: scope, db: db)
            .compactMap { row in
                guard !row.archived, let customer = row.scope.customer, let amount = row.integer(Schema.F.amount) else {
                    return nil
                }
                return AgendaInput.Movement(
                    id: row.id, customer: customer, amount: amount, day: row.day(Schema.F.date) ?? day(of: row.created),
                    note: row.text(Schema.F.note))
            }
    }

    /// Every large movement of the book, or of one customer, oldest first.
    public func movements(customer: EntityID? = nil) throws(StoreError) -> [AgendaInput.Movement] {
        try read { db in try movements(scope: customer.map(Scope.customer), db: db) }
    }
}
