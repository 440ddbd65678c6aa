import Crypto
import FieldbookCentral
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation
import GRDB

/// The central node's database: a `Book` holding every op of the bank (the consolidated book), plus principals,
/// devices, the log sequence and per-device sync state, all in one SQLite file (`central.sqlite`).
///
/// It answers server sessions (``CentralReplica``) and administration (`fieldbook admin`).
///
/// ```swift
/// let central = try CentralDatabase.open(at: "/srv/fieldbook/central.sqlite")
/// try central.addPrincipal("M001", name: "张经理", role: .manager)
/// let token = try central.addDevice(for: "M001", address: "10.0.0.5:7420")
/// ```
public final class CentralDatabase: CentralReplica, @unchecked Sendable {
    // @unchecked because every member is immutable, the database queue serializes all writes and the reader pool
    // gives each read its own connection.

    /// The consolidated book.
    public let book: Book
    private let seal: SecretSeal
    /// Read-only connections to the same file (WAL), so that pull plans and reports read their own snapshot while a
    /// push writes; `nil` in memory, where reads go through the book's queue.
    private let readers: DatabasePool?

    private init(book: Book, seal: SecretSeal, readers: DatabasePool? = nil) throws {
        self.book = book
        self.seal = seal
        self.readers = readers
        try Self.migrator.migrate(book.database)
    }

    /// How many pulls and reports read at once beside the writer.
    static let readerCount = 4

    private static func readerPool(at path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.maximumReaderCount = readerCount
        configuration.busyMode = .timeout(2)
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// Runs a read-only closure on a consistent snapshot: a reader of the pool, or the book's queue in memory.
    func readSnapshot<T>(_ body: (Database) throws -> T) throws -> T {
        if let readers { return try readers.read(body) }
        return try Book.snapshotRead(database, body)
    }

    /// Opens the central database, creating it (and its key file, `PATH.key`, mode 0600) on first use.
    public static func open(at path: String, options: BookOptions = .system) throws -> CentralDatabase {
        let book =
            FileManager.default.fileExists(atPath: path)
            ? try Book.open(at: path, options: options)
            : try Book.create(at: path, principal: "central", name: "中心节点", options: options)
        let central = try CentralDatabase(book: book, seal: try SecretSeal(keyFile: path + ".key"))
        // Opened after the migrations, which the readers must see.
        return try CentralDatabase(book: central.book, seal: central.seal, readers: try readerPool(at: path))
    }

    /// A central database in memory, for tests.
    public static func inMemory(options: BookOptions = .system) throws -> CentralDatabase {
        try CentralDatabase(
            book: try Book.inMemory(principal: "central", options: options), seal: SecretSeal(key: SymmetricKey(size: .bits256)))
    }

    private var database: DatabaseQueue { book.database }

    private func now64() -> Int64 { Int64(book.options.now()) }

    // MARK: - Administration

    /// Adds a principal.
    ///
    /// - Throws: ``CentralError`` if the code exists or is not a valid employee code.
    public func addPrincipal(_ code: String, name: String, role: PrincipalRole) throws {
        try AdministrationRules.checkNewCode(code)
        try database.write { db in
            guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM principal WHERE code = ?"), arguments: [code]) != true else {
                throw CentralError("员工 \(code) 已存在")
            }
            try db.cachedStatement(
                sql: "INSERT INTO principal (code, name, role, created) VALUES (?, ?, ?, ?)").execute(
                arguments: [code, name, role.rawValue, now64()])
        }
    }

    /// Enrols a new device for a principal and returns its token, which is shown once and not kept in clear.
    public func addDevice(for principal: String, address: String) throws -> EnrolmentToken {
        var generator = SystemRandomNumberGenerator()
        let device = DeviceID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })!
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let sealed = try seal.seal(secret)
        try database.write { db in
            try AdministrationRules.checkEnrolment(for: principal, record: Self.principalRecord(principal, db: db))
            try db.cachedStatement(
                sql: "INSERT INTO device (id, principal, secret, created) VALUES (?, ?, ?, ?)").execute(
                arguments: [Data(device.bytes), principal, sealed, now64()])
        }
        return EnrolmentToken(address: address, device: device, secret: secret, principal: principal)
    }

    /// Revokes a device by its ID or a unique prefix of its hex form (at least 4 characters).
    ///
    /// - Returns: The full device ID.
    @discardableResult
    public func revokeDevice(_ reference: String) throws -> DeviceID {
        try database.write { db in
            let device = try resolveDevice(reference, db: db)
            // The secret goes with the enrolment: nothing the centre keeps can authenticate the device again.
            try db.cachedStatement(sql: "UPDATE device SET revoked = 1, secret = X'' WHERE id = ?").execute(arguments: [Data(device.bytes)])
            return device
        }
    }

    private func resolveDevice(_ reference: String, db: Database) throws -> DeviceID {
        let prefix = reference.lowercased()
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw CentralError("设备 ID 至少写 4 位十六进制") }
        let matches = try Data.fetchAll(db.cachedStatement(sql: "SELECT id FROM device")).compactMap { DeviceID(bytes: Array($0)) }
            .filter { $0.hex.hasPrefix(prefix) }
        guard matches.count == 1 else {
            throw CentralError(matches.isEmpty ? "找不到设备 \(reference)" : "设备 ID \(reference) 不唯一，请多写几位")
        }
        return matches[0]
    }

    /// Changes a customer's owning manager. The old owner's devices purge the customer at their next sync; the new
    /// owner's devices receive its full history.
    ///
    /// The mechanism without the branch's rules and with the centre (`central`) as the ops' principal: for tests and
    /// the simulator, which exercise the protocol under any coverage. `fieldbook admin` calls
    /// ``assign(_:to:by:)``, which checks the rules and records the administrator.
    public func assign(_ customer: String, to principal: String) throws {
        try requirePrincipal(principal)
        try centralChange(customer) { writer, id in try writer.set(id, Schema.F.owner, .text(principal)) }
    }

    /// Adds a co-coverer to a customer (no rules; see ``cocover(_:with:by:)``).
    public func cocover(_ customer: String, with principal: String) throws {
        try requirePrincipal(principal)
        try centralChange(customer) { writer, id in try writer.add(id, Schema.F.cocoverers, principal) }
    }

    /// Ends a co-coverage (see ``uncover(_:with:by:)``).
    public func uncover(_ customer: String, with principal: String) throws {
        try centralChange(customer) { writer, id in
            guard try writer.remove(id, Schema.F.cocoverers, principal) != nil else {
                throw CentralError("\(principal) 没有协同这个客户")
            }
        }
    }

    private func requirePrincipal(_ code: String) throws {
        let exists = try Book.snapshotRead(database) { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM principal WHERE code = ?"), arguments: [code]) == true
        }
        guard exists else { throw CentralError("没有员工 \(code)：先运行 admin principal add") }
    }

    /// A change of the central book by the centre itself, with a log sequence number for each op, in one transaction.
    private func centralChange(_ reference: String, _ change: (inout CentralWriter, EntityID) throws -> Void) throws {
        try database.write { db in
            let id = try book.resolveCustomer(reference, in: db)
            var writer = try CentralWriter(self, db: db, author: book.principal)
            try change(&writer, id)
            try writer.finish()
        }
    }

    /// Counts and the state of every device, for `admin status`.
    public func status() throws -> CentralStatus {
        try Book.snapshotRead(database) { db in
            let principals = try Row.fetchAll(db.cachedStatement(sql: "SELECT code, name, role, deactivated FROM principal ORDER BY code")).map {
                CentralStatus.Principal(
                    code: $0["code"], name: $0["name"], role: $0["role"], deactivated: ($0["deactivated"] as Int64?) != nil)
            }
            let devices = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT id, principal, revoked, last_sync, actor FROM device ORDER BY principal, created")
            ).map { row in
                CentralStatus.Device(
                    id: DeviceID(bytes: Array(row["id"] as Data))!.hex, principal: row["principal"], revoked: row["revoked"],
                    lastSync: (row["last_sync"] as Int64?).map { UInt64($0) }, enrolled: row["actor"] != nil)
            }
            let book = try Book.counts(db)
            return CentralStatus(
                principals: principals, devices: devices, customers: book.customers, ops: book.ops,
                lastLSN: UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(lsn) FROM lsn")) ?? 0))
        }
    }

    // MARK: - CentralReplica

    public func enrolment(of device: DeviceID) throws -> DeviceEnrolment? {
        guard
            let row = try readSnapshot({ db in
                try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT principal, secret, actor, revoked FROM device WHERE id = ?"), arguments: [Data(device.bytes)])
            })
        else { return nil }
        let actor = (row["actor"] as Data?).flatMap { ActorID(bytes: Array($0)) }
        // A revoked device's secret was deleted (``revokeDevice(_:)``).
        if row["revoked"] as Bool { return DeviceEnrolment(secret: [], principal: row["principal"], actor: actor, revoked: true) }
        return DeviceEnrolment(secret: try seal.open(row["secret"]), principal: row["principal"], actor: actor, revoked: false)
    }

    public func bind(_ device: DeviceID, actor: ActorID) throws {
        try database.write { db in
            // An actor known here already (another device's, or the centre's own) cannot be taken over: the device
            // could then push ops in its name (SECURITY.md).
            let taken =
                try actor == book.actor
                || Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM device WHERE actor = ?"), arguments: [Data(actor.bytes)]) == true
                || Book.hasOps(of: actor, db: db)
            guard !taken else { throw SyncError(.authFailed, "the actor belongs to another replica") }
            try db.cachedStatement(
                sql: "UPDATE device SET actor = ? WHERE id = ? AND actor IS NULL").execute(
                arguments: [Data(actor.bytes), Data(device.bytes)])
        }
    }

    public func held(of actor: ActorID) throws -> UInt64 {
        try readSnapshot { db in try Self.held(actor, db: db) }
    }

    private static func held(_ actor: ActorID, db: Database) throws -> UInt64 {
        UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT held FROM held WHERE actor = ?"), arguments: [Data(actor.bytes)]) ?? 0)
    }

    public func now() throws -> HLC {
        HLC(milliseconds: book.options.now(), logical: 0)
    }

    public func push(_ ops: [Op], from account: DeviceAccount) throws -> PushOutcome {
        try push([PushRequest(ops: ops, account: account)])[0].get()
    }

    /// Stores several devices' pushes in one transaction (group commit, ``GroupCommitWriter``): a push that fails
    /// gets its own error and leaves no write behind (``writeGroup(_:)``), and the others commit together, with one
    /// sync of the log for all of them.
    ///
    /// Each push sees the ones before it in `requests` as committed (its held counter, its authority records), exactly
    /// as if they had been stored one after the other in that order, and their ops take log sequence numbers in that
    /// order. The numbers become visible to pulls all at once, at the commit, so the LSN invariant holds (SPEC
    /// [W-9.10]). The results, in the order of `requests`, are final only when this returns: only then may a session
    /// acknowledge its push.
    ///
    /// - Throws: The error of the transaction itself (it could not begin or commit): then nothing of any push is stored.
    public func push(_ requests: [PushRequest]) throws -> [Result<PushOutcome, any Error>] {
        try writeGroup(requests.map { request in { db in try self.store(request, db: db) } })
    }

    /// Runs pieces of write work in one transaction, in order, as if each had been committed on its own: a piece that
    /// throws gets its own error and leaves no write behind, and the others commit together.
    ///
    /// Optimistic: the pieces run with no savepoint between them (a savepoint makes SQLite copy every page a piece
    /// first changes into its sub-journal). When a piece throws, the whole transaction rolls back and the group runs
    /// again without it, so a failure costs one more transaction; the pieces are pure functions of the database, so
    /// running one again gives what it would have given.
    ///
    /// - Throws: The error of the transaction itself (it could not begin or commit): then nothing of any piece is
    ///   stored.
    func writeGroup<T>(_ pieces: [(Database) throws -> T]) throws -> [Result<T, any Error>] {
        var failed: [Int: any Error] = [:]
        while true {
            var failure: (index: Int, error: any Error)?
            do {
                let values = try database.write { db -> [T?] in
                    var values = [T?](repeating: nil, count: pieces.count)
                    for (index, piece) in pieces.enumerated() where failed[index] == nil {
                        do {
                            values[index] = try piece(db)
                        } catch {
                            failure = (index, error)
                            throw error
                        }
                    }
                    return values
                }
                return pieces.indices.map { index in failed[index].map { .failure($0) } ?? .success(values[index]!) }
            } catch {
                // The transaction itself failed (not one of its pieces): nothing of the group is stored.
                guard let piece = failure else { throw error }
                failed[piece.index] = piece.error
            }
        }
    }

    /// Validates and stores one push inside the caller's transaction, at the centre's time now.
    func store(_ request: PushRequest, db: Database) throws -> PushOutcome {
        try store(request.ops, from: request.account, now: now64(), clock: now(), db: db)
    }

    /// Validates and stores one push inside the caller's transaction.
    private func store(_ ops: [Op], from account: DeviceAccount, now: Int64, clock: HLC, db: Database) throws -> PushOutcome {
        var held = try Self.held(account.actor, db: db)
        var outcome = PushOutcome(held: held)
        // Authority from the centre's own records (ScopePolicy), read in this transaction.
        let records = CentralAuthority(db: db, principal: account.principal, device: account.device)
        let logged = try db.cachedStatement(
            sql: "INSERT INTO lsn (actor, counter, scope, device, at) VALUES (?, ?, ?, ?, ?)")
        var projector = try Projector(db)
        var created: [String] = []
        let batch = PushBatch(ops, actor: account.actor, held: held)
        outcome.denied = batch.foreign
        outcome.gap = batch.gap
        for op in batch.continuing {
            if let refusal = try ScopePolicy.refusal(of: op, from: account, now: clock, records: records) {
                try db.cachedStatement(
                    sql: """
                        INSERT INTO refused (actor, counter, code, at, reason, customer, change)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """).execute(
                    arguments: [
                        Data(op.id.actor.bytes), Int64(op.id.counter), Int(refusal.code.rawValue), now,
                        refusal.reasonNumber, refusal.customer?.short, refusal.change,
                    ])
                if refusal.code == .scopeViolation { outcome.outOfScope += 1 } else { outcome.denied += 1 }
                outcome.refusals.append(refusal)
            } else if try projector.append(op) {
                try logged.execute(
                    arguments: [Data(op.id.actor.bytes), Int64(op.id.counter), op.scope.key, Data(account.device.bytes), now])
                if case .create(.customer, let customer, _) = op.body {
                    records.forget(customer)
                    created.append(Scope.customer(customer).key)
                }
            }
            held += 1
        }
        try projector.finish()
        try Self.recordHeld(created, by: account.device, db: db)
        try db.cachedStatement(
            sql: "INSERT INTO held (actor, held) VALUES (?, ?) ON CONFLICT(actor) DO UPDATE SET held = excluded.held").execute(
            arguments: [Data(account.actor.bytes), Int64(held)])
        outcome.held = held
        return outcome
    }

    /// Records that a device holds customers it created: they join every scope snapshot the device has (a device
    /// with none gets one at cursor 0, which no PULL can name as known). Without this, a customer created on a
    /// device and reassigned before the device's next DONE would be in no snapshot, so never purged from the device
    /// (SPEC [W-9.9]), and the device's offline work on it would be refused ([W-10.7]).
    static func recordHeld(_ keys: [String], by device: DeviceID, db: Database) throws {
        guard !keys.isEmpty else { return }
        let id = Data(device.bytes)
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT cursor, scopes FROM scope_snapshot WHERE device = ?"), arguments: [id])
        if rows.isEmpty {
            try db.cachedStatement(
                sql: "INSERT INTO scope_snapshot (device, cursor, scopes) VALUES (?, 0, ?)").execute(
                arguments: [id, keys.sorted().joined(separator: " ")])
        }
        for row in rows {
            var scopes = Set((row["scopes"] as String).split(separator: " ").map(String.init))
            scopes.formUnion(keys)
            try db.cachedStatement(
                sql: "UPDATE scope_snapshot SET scopes = ? WHERE device = ? AND cursor = ?").execute(
                arguments: [scopes.sorted().joined(separator: " "), id, row["cursor"] as Int64])
        }
    }

    /// Every customer scope in any scope snapshot the device still has at the centre: what it may hold (a snapshot is
    /// dropped only once the device has shown, by naming a later cursor, that it applied what followed).
    static func snapshotUnion(of device: DeviceID, db: Database) throws -> Set<String> {
        var union: Set<String> = []
        for list in try String.fetchAll(
            db.cachedStatement(sql: "SELECT scopes FROM scope_snapshot WHERE device = ?"), arguments: [Data(device.bytes)])
        {
            for key in list.split(separator: " ") { union.insert(String(key)) }
        }
        return union
    }

    public func pull(for account: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64 = 0) throws -> PullPlan {
        let planned = try pullPlan(for: account, cursor: cursor, resync: resync, resume: resume)
        try database.write { db in try recordPull(planned, db: db) }
        return planned.plan
    }

    /// A pull's plan, read from one snapshot, and what ``recordPull(_:db:)`` must write for it.
    struct PlannedPull: Sendable {
        /// What to send.
        var plan: PullPlan
        /// The device, the cursor it named, and whether that cursor was a DONE's it still holds.
        var device: DeviceID
        var cursor: UInt64
        var known: Bool
        /// The scopes the device holds after this pull, sorted.
        var scopes: [String]
    }

    /// Plans a pull from one snapshot, beside any push that is writing; writes nothing.
    func pullPlan(for account: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64) throws -> PlannedPull {
        // A cursor is the device's word: one past SQLite's integers (forged) counts as unknown, like any other.
        let cursor = min(cursor, UInt64(Int64.max))
        let device = Data(account.device.bytes)
        // The plan is read from one snapshot, beside any push that is writing; only the snapshot record it leaves is
        // written after, in a short transaction. The snapshot's highest LSN is the new cursor: ops committed after
        // it come in the next pull (the LSN invariant, SPEC [W-9.10]).
        let (plan, known, scopes) = try readSnapshot { db -> (PullPlan, Bool, [String]) in
            let customers = try Book.customers(coveredBy: account.principal, db: db)
            var current = Set(customers.map { Scope.customer($0).key })
            current.insert(Scope.principal(account.principal).key)
            current.insert(Scope.global.key)
            let last = UInt64(try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(lsn) FROM lsn")) ?? 0)

            // What the device holds. A device names a known cursor only while it holds exactly the scopes of the
            // DONE that gave it that cursor: a client that applied a purge or a backfill and then lost the session
            // asks for a resync (SPEC [W-9.8]). Otherwise (a fresh device, a resync, a cursor that is no DONE's, as
            // after a pull cut between two delta batches) it may hold anything it was ever given that the centre
            // has not seen it move past: every snapshot still kept is purged where it left the scope, and the whole
            // current scope is sent as backfill.
            var previous: Set<String> = []
            var known = false
            if cursor > 0, !resync,
                let list = try String.fetchOne(
                    db.cachedStatement(sql: "SELECT scopes FROM scope_snapshot WHERE device = ? AND cursor = ?"), arguments: [device, Int64(cursor)])
            {
                previous = Set(list.split(separator: " ").map(String.init))
                known = true
            } else {
                previous = try Self.snapshotUnion(of: account.device, db: db)
            }

            var purges: [Message.Purge.Entry] = []
            for key in previous.subtracting(current).sorted() {
                guard let customer = Scope(key: key)?.customer else { continue }
                let owner = try Book.owner(of: customer, db: db)
                // Reassigned only for a former owner: an advisor whose co-coverage ended hears that, not that the
                // customer's owner changed.
                let reassigned = try owner != nil && owner != account.principal && Self.wasOwner(account.principal, of: customer, db: db)
                purges.append(
                    reassigned
                        ? Message.Purge.Entry(customer: customer, reason: .reassigned, newOwner: owner)
                        : Message.Purge.Entry(customer: customer, reason: .coverageEnded))
            }
            let kept = known ? current.intersection(previous) : []
            let entered = current.subtracting(kept)
            var backfill: [Op] = []
            for key in entered.sorted() {
                if let scope = Scope(key: key) { backfill += try Book.ops(in: scope, db: db) }
            }
            var delta: [(lsn: UInt64, op: Op)] = []
            // A cut pull from this known cursor applied its delta up to `resume` (it had no purge or backfill, or the
            // device would ask for a resync): the delta resumes after it (SPEC [W-9.12]).
            let start = known && resume > cursor && resume <= last ? resume : cursor
            if !kept.isEmpty, last > start {
                // Scan the whole log after the start when it is short; when the bank wrote much more than this
                // device covers, seek each of the device's scopes on the (scope, lsn) index instead.
                var rows: [Row] = []
                if last - start <= UInt64(kept.count) * 8 {
                    rows = try Row.fetchAll(
                        db.cachedStatement(sql: "SELECT lsn, actor, counter, scope FROM lsn WHERE lsn > ? AND lsn <= ? ORDER BY lsn"),
                        arguments: [Int64(start), Int64(last)])
                } else {
                    for key in kept {
                        rows += try Row.fetchAll(
                            db.cachedStatement(sql: "SELECT lsn, actor, counter, scope FROM lsn WHERE scope = ? AND lsn > ? AND lsn <= ?"),
                            arguments: [key, Int64(start), Int64(last)])
                    }
                    rows.sort { ($0["lsn"] as Int64) < ($1["lsn"] as Int64) }
                }
                for row in rows where kept.contains(row["scope"] as String) {
                    let actor = ActorID(bytes: Array(row["actor"] as Data))!
                    // The device has its own ops already.
                    guard actor != account.actor,
                        let op = try Book.op(OpID(actor: actor, counter: UInt64(row["counter"] as Int64)), db: db)
                    else { continue }
                    delta.append((UInt64(row["lsn"] as Int64), op))
                }
            }
            let hash = try Book.stateHash(of: current.compactMap(Scope.init(key:)), db: db)
            let plan = PullPlan(purges: purges, backfill: backfill, delta: delta, cursor: last, stateHash: hash)
            return (plan, known, current.sorted())
        }
        return PlannedPull(plan: plan, device: account.device, cursor: cursor, known: known, scopes: scopes)
    }

    /// Records a planned pull's scope snapshot and the device's last sync, in the caller's transaction (the store
    /// writes it in the group of the pushes waiting then, ``GroupCommitWriter``).
    func recordPull(_ planned: PlannedPull, db: Database) throws {
        let (device, cursor, known, plan, scopes) =
            (Data(planned.device.bytes), planned.cursor, planned.known, planned.plan, planned.scopes)
        // A known cursor shows the device holds exactly that snapshot: every other one (older, or of a pull it
        // never finished) can no longer describe it. The named one stays until the device names a later cursor,
        // because until then it may not have applied this pull's purges, and its offline work on a customer
        // purged here is still accepted (SPEC [W-10.7]).
        if known {
            try db.cachedStatement(
                sql: "DELETE FROM scope_snapshot WHERE device = ? AND cursor NOT IN (?, ?)").execute(
                arguments: [device, Int64(cursor), Int64(plan.cursor)])
        }
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO scope_snapshot (device, cursor, scopes) VALUES (?, ?, ?)").execute(
            arguments: [device, Int64(plan.cursor), scopes.joined(separator: " ")])
        try db.cachedStatement(sql: "UPDATE device SET last_sync = ? WHERE id = ?").execute(arguments: [now64(), device])
    }
}
