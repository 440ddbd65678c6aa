import FieldbookCentral
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB

extension CentralDatabase {
    /// The principal registered under `code`, or `nil`: what ``AdministrationRules`` decide from.
    static func principalRecord(_ code: String, db: Database) throws -> PrincipalRecord? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT code, name, role, deactivated FROM principal WHERE code = ?"), arguments: [code])
        else { return nil }
        return PrincipalRecord(
            code: row["code"], name: row["name"], role: PrincipalRole(rawValue: row["role"]),
            deactivated: (row["deactivated"] as Int64?) != nil)
    }

    /// Checks who is acting (``AdministrationRules/checkAdministrator(_:record:)``).
    static func check(_ admin: Administrator, db: Database) throws {
        try AdministrationRules.checkAdministrator(admin, record: principalRecord(admin.code, db: db))
    }

    // MARK: - Coverage changes with the branch's rules

    /// Gives a customer to another owner: a manager or a remote manager, active.
    ///
    /// - Throws: ``CentralError`` (nothing changed) for an unknown customer or principal, a principal of another
    ///   role, a deactivated one, or an administrator who may not act.
    @discardableResult
    public func assign(_ customer: String, to principal: String, by admin: Administrator) throws -> AdminOutcome {
        try adminChange(customer, by: admin) { writer, id, db in
            try AdministrationRules.checkOwner(principal, record: Self.principalRecord(principal, db: db))
            return try writer.set(id, Schema.F.owner, .text(principal)) != nil
        }
    }

    /// Adds a wealth-center advisor as co-coverer of a VIP (钻石, 私人银行).
    ///
    /// - Throws: ``CentralError`` (nothing changed) for a customer of another tier, a principal who is not an active
    ///   advisor, or an administrator who may not act.
    @discardableResult
    public func cocover(_ customer: String, with principal: String, by admin: Administrator) throws -> AdminOutcome {
        try adminChange(customer, by: admin) { writer, id, db in
            try AdministrationRules.checkCocoverer(principal, record: Self.principalRecord(principal, db: db))
            try AdministrationRules.checkCocoverable(id, tier: Self.centralCustomer(id, db: db)?.tier)
            return try writer.add(id, Schema.F.cocoverers, principal) != nil
        }
    }

    /// Ends a co-coverage: the advisor's devices purge the customer at their next sync ("no longer co-covered").
    @discardableResult
    public func uncover(_ customer: String, with principal: String, by admin: Administrator) throws -> AdminOutcome {
        try adminChange(customer, by: admin) { writer, id, _ in
            guard try writer.remove(id, Schema.F.cocoverers, principal) != nil else {
                throw AdministrationRules.notCocovering(principal, customer: id)
            }
            return true
        }
    }

    /// Moves every customer `from` owns (archived ones too) to `to`, in one transaction; with `dryRun`, only lists
    /// them.
    ///
    /// - Returns: The customers moved (or that would move), by name.
    public func assignAll(from: String, to: String, by admin: Administrator, dryRun: Bool) throws -> [CentralCustomer] {
        try AdministrationRules.checkMove(from: from, to: to)
        return try book.database.write { db in
            try Self.check(admin, db: db)
            try AdministrationRules.requireRegistered(from, record: Self.principalRecord(from, db: db))
            try AdministrationRules.checkOwner(to, record: Self.principalRecord(to, db: db))
            let ids = try Self.ownedCustomers(of: from, db: db)
            var moved = try ids.compactMap { try Self.centralCustomer($0, db: db) }
            moved.sort { ($0.name, $0.id.text) < ($1.name, $1.id.text) }
            if dryRun || moved.isEmpty { return moved }
            var writer = try CentralWriter(self, db: db, author: admin.code)
            for customer in moved { try writer.set(customer.id, Schema.F.owner, .text(to)) }
            try writer.finish()
            return try moved.compactMap { try Self.centralCustomer($0.id, db: db) }
        }
    }

    /// Deactivates a principal: every device is revoked (its secret deleted) and no device can be added again.
    ///
    /// - Returns: How many devices were revoked now, how many customers the principal still owns, and whether it was
    ///   active before.
    public func deactivate(_ code: String, by admin: Administrator) throws -> (devices: Int, owned: Int, wasActive: Bool) {
        try book.database.write { db in
            try Self.check(admin, db: db)
            let record = try AdministrationRules.checkDeactivation(
                of: code, record: Self.principalRecord(code, db: db), by: admin)
            let owned = try Self.ownedCustomers(of: code, db: db).count
            try db.cachedStatement(
                sql: "UPDATE device SET revoked = 1, secret = X'' WHERE principal = ? AND revoked = 0").execute(arguments: [code])
            let devices = db.changesCount
            if !record.deactivated {
                try db.cachedStatement(
                    sql: "UPDATE principal SET deactivated = ?, deactivated_by = ? WHERE code = ?").execute(
                    arguments: [Int64(book.options.now()), admin.code, code])
            }
            return (devices, owned, !record.deactivated)
        }
    }

    /// Whether a principal was deactivated.
    public func isDeactivated(_ code: String) throws -> Bool {
        try book.database.read { db in try Self.principalRecord(code, db: db)?.deactivated == true }
    }

    /// Checks an administrator without changing anything (`admin` commands that write no op).
    public func checkAdministrator(_ admin: Administrator) throws {
        try book.database.read { db in try Self.check(admin, db: db) }
    }

    /// One coverage change on one customer, with its rules, in one transaction; ops carry `admin` as principal.
    private func adminChange(
        _ reference: String, by admin: Administrator,
        _ change: (inout CentralWriter, EntityID, Database) throws -> Bool
    ) throws -> AdminOutcome {
        try book.database.write { db in
            try Self.check(admin, db: db)
            let id = try book.resolveCustomer(reference, in: db)
            let before = try Book.owner(of: id, db: db)
            var writer = try CentralWriter(self, db: db, author: admin.code)
            let changed = try change(&writer, id, db)
            try writer.finish()
            guard let customer = try Self.centralCustomer(id, db: db) else { throw CentralError("找不到这个客户") }
            return AdminOutcome(customer: customer, changed: changed, previousOwner: before)
        }
    }

    // MARK: - The master file

    /// Customers whose name, phone or note contains `text`, or whose short ID starts with it (4+ characters), by
    /// name; then those whose name's pinyin or initials match it (`wf`, `wangfang`); archived ones too.
    public func findCustomers(_ text: String) throws -> [CentralCustomer] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CentralError("要查找的内容不能为空") }
        var ids = try book.find(text: trimmed, includeArchived: true, limit: 1_000_000).map(\.id)
        if trimmed.count >= EntityID.minimumPrefix, let resolved = try? book.resolveCustomer(trimmed), !ids.contains(resolved) {
            ids.append(resolved)
        }
        // Two or more letters also match names by pinyin and initials (`wf`, `wangfang`), through the key the
        // projector keeps on each customer row; listed after the direct matches.
        let direct = Set(ids)
        let byPinyin =
            NamePinyin.query(trimmed) == nil
            ? []
            : try book.find(CustomerQuery(text: trimmed, includeArchived: true)).matches
                .filter { $0.byPinyin && !direct.contains($0.customer.id) }.map(\.customer.id)
        return try book.database.read { db in
            let byName: (CentralCustomer, CentralCustomer) -> Bool = { ($0.name, $0.id.text) < ($1.name, $1.id.text) }
            return try ids.compactMap { try Self.centralCustomer($0, db: db) }.sorted(by: byName)
                + byPinyin.compactMap { try Self.centralCustomer($0, db: db) }.sorted(by: byName)
        }
    }

    /// Every customer matching all the filters given (owner, co-coverer, canonical tier), archived ones too, by name.
    ///
    /// - Throws: ``CentralError`` for a principal nobody registered.
    public func customers(owner: String?, cocoverer: String?, tier: String?) throws -> [CentralCustomer] {
        try book.database.read { db in
            for code in [owner, cocoverer].compactMap({ $0 }) {
                try AdministrationRules.requireRegistered(code, record: Self.principalRecord(code, db: db))
            }
            let ids = try Book.customers(owner: owner, cocoverer: cocoverer, tier: tier, db: db)
            return try ids.compactMap { try Self.centralCustomer($0, db: db) }.sorted { ($0.name, $0.id.text) < ($1.name, $1.id.text) }
        }
    }

    /// The customers whose owner is `code` now.
    static func ownedCustomers(of code: String, db: Database) throws -> [EntityID] {
        try Book.customers(ownedBy: code, db: db)
    }

    /// A customer with its coverage, or `nil` when the centre holds no such customer.
    static func centralCustomer(_ id: EntityID, db: Database) throws -> CentralCustomer? {
        guard let row = try Book.customerSummary(id, db: db) else { return nil }
        return CentralCustomer(
            id: id, name: row.name, tier: row.tier, owner: try Book.owner(of: id, db: db),
            cocoverers: try Book.cocoverers(of: id, db: db), archived: row.archived)
    }

    /// Whether `principal` ever owned `customer` before its current owner: an owner value of it was superseded.
    /// Tells a reassignment (the old owner's devices hear "已改由 M002 管户") from the end of a co-coverage.
    static func wasOwner(_ principal: String, of customer: EntityID, db: Database) throws -> Bool {
        try Book.wasOwner(principal, of: customer, db: db)
    }
}

/// Writes the centre's own ops (coverage changes) inside the caller's transaction: the centre's actor and counters,
/// its clock, and the acting administrator as principal. What `BookTransaction` does for a device, for the two
/// admin-only fields, with one difference: the principal is the administrator's code, not the book's.
struct CentralWriter {
    private let db: Database
    private let book: Book
    private let author: String
    private var counter: UInt64
    private var clock: HybridClock
    private var projector: Projector
    private(set) var appended: [Op] = []

    init(_ central: CentralDatabase, db: Database, author: String) throws {
        self.db = db
        self.book = central.book
        self.author = author
        (counter, clock) = try book.ownSequence(db)
        projector = try Projector(db)
    }

    /// Sets a register, superseding every live value; `nil` when it already holds exactly this one value.
    @discardableResult
    mutating func set(_ entity: EntityID, _ field: FieldID, _ value: Value) throws -> Op? {
        let live = try book.liveValues(entity, field, in: db)
        if live.count == 1, live[0].value.canonicalBytes == value.canonicalBytes { return nil }
        // In the register's key order (actor, counter), as the centre has always named them.
        let pred = live.map(\.id).sorted()
        return try append(.set(entity: entity, field: field, value: value, pred: pred), entity: entity)
    }

    /// Adds a set element; `nil` when it is present.
    @discardableResult
    mutating func add(_ entity: EntityID, _ field: FieldID, _ element: String) throws -> Op? {
        guard try observed(entity, field, element).isEmpty else { return nil }
        return try append(.add(entity: entity, field: field, element: element), entity: entity)
    }

    /// Removes every observed addition of a set element; `nil` when it is absent.
    @discardableResult
    mutating func remove(_ entity: EntityID, _ field: FieldID, _ element: String) throws -> Op? {
        let seen = try observed(entity, field, element)
        guard !seen.isEmpty else { return nil }
        return try append(.remove(entity: entity, field: field, element: element, observed: seen), entity: entity)
    }

    private func observed(_ entity: EntityID, _ field: FieldID, _ element: String) throws -> [OpID] {
        try Book.additions(element, of: field, on: entity, db: db)
    }

    private mutating func append(_ body: Op.Body, entity: EntityID) throws -> Op {
        guard let record = try Book.entityRecord(entity, db: db) else { throw CentralError("找不到这个客户") }
        counter += 1
        let op = Op(
            id: OpID(actor: book.actor, counter: counter), hlc: clock.tick(now: book.options.now()), scope: record.scope,
            principal: author, body: body)
        if let problem = op.structuralProblem { throw CentralError(problem) }
        guard try projector.append(op) else { throw CentralError("中心节点的操作计数器已损坏：操作编号重复") }
        appended.append(op)
        return op
    }

    /// Finishes the projection, saves the counter and clock, and gives each op a log sequence number.
    mutating func finish() throws {
        try projector.finish()
        guard !appended.isEmpty else { return }
        try Book.saveOwnSequence(counter: counter, clock: clock, db: db)
        let now = Int64(book.options.now())
        for op in appended {
            try db.cachedStatement(
                sql: "INSERT INTO lsn (actor, counter, scope, device, at) VALUES (?, ?, ?, NULL, ?)").execute(
                arguments: [Data(op.id.actor.bytes), Int64(op.id.counter), op.scope.key, now])
        }
    }
}
