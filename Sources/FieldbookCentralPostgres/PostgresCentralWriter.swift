import FieldbookCentral
import FieldbookModel
import Foundation
import PostgresNIO

/// Writes the centre's own ops (an administrator's coverage changes) inside the caller's transaction: the centre's
/// actor and counters, its clock, and the acting administrator as principal. What the SQLite store's `CentralWriter`
/// does, on PostgreSQL.
///
/// ``start(author:connection:logger:)`` locks the centre's `held` row first (the first lock of every writer, in the
/// lock order of docs/DECISIONS.md), so two administrators on two servers take turns, and what a change reads (the
/// owner and co-coverers, which only the centre writes) cannot move before its op is stored. ``finish()`` stores the
/// ops through the push path (`PostgresProjector.store`), which takes the scope locks and, last, the LSN head.
///
/// ```swift
/// var writer = try await PostgresCentralWriter.start(author: "X001", connection: connection, logger: logger)
/// try await writer.set(customer, Schema.F.owner, .text("M002"))
/// try await writer.finish()   // nothing else in the transaction after this but COMMIT
/// ```
struct PostgresCentralWriter {
    private let connection: PostgresConnection
    private let logger: Logger
    private let actor: ActorID
    private let author: String
    private var counter: UInt64
    private var clock: HybridClock
    /// The ops written so far, in order.
    private(set) var appended: [Op] = []

    private init(connection: PostgresConnection, logger: Logger, actor: ActorID, author: String, counter: UInt64, clock: HybridClock) {
        self.connection = connection
        self.logger = logger
        self.actor = actor
        self.author = author
        self.counter = counter
        self.clock = clock
    }

    /// Locks the centre's counter and reads where its ops continue.
    ///
    /// - Parameter author: The administrator's code, recorded as the principal of every op.
    static func start(author: String, connection: PostgresConnection, logger: Logger) async throws -> PostgresCentralWriter {
        let actor = try await centralActor(connection: connection, logger: logger)
        let held = try await PostgresCentralStore.held(actor, connection: connection, logger: logger, lock: true)
        // The last own op's counter and clock reading: the counter never goes back, the clock never repeats.
        var logged: (counter: Int64, hlc: Int64) = (0, 0)
        for try await row in try await connection.query(
            "SELECT counter, hlc FROM op WHERE actor = \(Data(actor.bytes)) ORDER BY counter DESC LIMIT 1", logger: logger
        ).decode((Int64, Int64).self) {
            logged = row
        }
        return PostgresCentralWriter(
            connection: connection, logger: logger, actor: actor, author: author,
            counter: max(held, UInt64(max(logged.counter, 0))),
            clock: HybridClock(last: HLC(rawValue: UInt64(bitPattern: logged.hlc))))
    }

    /// The centre's own actor (made by the first migration, kept in `setting`).
    static func centralActor(connection: PostgresConnection, logger: Logger) async throws -> ActorID {
        for try await hex in try await connection.query("SELECT value FROM setting WHERE key = 'actor'", logger: logger)
            .decode(String.self)
        {
            if let actor = ActorID(hex: hex) { return actor }
        }
        throw PostgresStoreError("中心数据库缺少中心节点自己的操作者编号（setting actor）")
    }

    /// Sets a register, superseding every live value; `nil` when it already holds exactly this one value.
    @discardableResult
    mutating func set(_ entity: EntityID, _ field: FieldID, _ value: Value) async throws -> Op? {
        var live: [(OpID, [UInt8])] = []
        for try await (actorBytes, counter, bytes) in try await connection.query(
            """
            SELECT actor, counter, value FROM reg_value
            WHERE entity = \(Data(entity.bytes)) AND field = \(Int32(field.rawValue))
            """, logger: logger
        ).decode((Data, Int64, Data).self) {
            guard let actor = ActorID(bytes: Array(actorBytes)) else { continue }
            live.append((OpID(actor: actor, counter: UInt64(counter)), Array(bytes)))
        }
        if live.count == 1, live[0].1 == value.canonicalBytes { return nil }
        // In the register's key order (actor, counter), as the centre has always named them.
        let pred = live.map(\.0).sorted()
        return try await append(.set(entity: entity, field: field, value: value, pred: pred), entity: entity)
    }

    /// Adds a set element; `nil` when it is present.
    @discardableResult
    mutating func add(_ entity: EntityID, _ field: FieldID, _ element: String) async throws -> Op? {
        guard try await observed(entity, field, element).isEmpty else { return nil }
        return try await append(.add(entity: entity, field: field, element: element), entity: entity)
    }

    /// Removes every observed addition of a set element; `nil` when it is absent.
    @discardableResult
    mutating func remove(_ entity: EntityID, _ field: FieldID, _ element: String) async throws -> Op? {
        let seen = try await observed(entity, field, element)
        guard !seen.isEmpty else { return nil }
        return try await append(.remove(entity: entity, field: field, element: element, observed: seen), entity: entity)
    }

    /// The tags of the live additions of one set element: what a removal must observe.
    private func observed(_ entity: EntityID, _ field: FieldID, _ element: String) async throws -> [OpID] {
        var tags: [OpID] = []
        for try await (actorBytes, counter) in try await connection.query(
            """
            SELECT actor, counter FROM set_add
            WHERE entity = \(Data(entity.bytes)) AND field = \(Int32(field.rawValue)) AND element = \(element)
            ORDER BY actor, counter
            """, logger: logger
        ).decode((Data, Int64).self) {
            if let actor = ActorID(bytes: Array(actorBytes)) { tags.append(OpID(actor: actor, counter: UInt64(counter))) }
        }
        return tags
    }

    private mutating func append(_ body: Op.Body, entity: EntityID) async throws -> Op {
        var scope: Scope?
        for try await key in try await connection.query(
            "SELECT scope FROM entity WHERE id = \(Data(entity.bytes)) AND kind IS NOT NULL", logger: logger
        ).decode(String.self) {
            scope = Scope(key: key)
        }
        guard let scope else { throw CentralError("找不到这个客户") }
        counter += 1
        let op = Op(
            id: OpID(actor: actor, counter: counter), hlc: clock.tick(now: PostgresCentralStore.nowMilliseconds()), scope: scope,
            principal: author, body: body)
        if let problem = op.structuralProblem { throw CentralError(problem) }
        appended.append(op)
        return op
    }

    /// Saves the counter and stores the ops (projection, then the LSN head and the op rows). Nothing may follow in
    /// the transaction but COMMIT.
    mutating func finish() async throws {
        guard !appended.isEmpty else { return }
        try await connection.query(
            "UPDATE held SET held = \(Int64(counter)) WHERE actor = \(Data(actor.bytes))", logger: logger)
        _ = try await PostgresProjector.store(
            appended, device: nil, at: Int64(PostgresCentralStore.nowMilliseconds()), connection: connection, logger: logger)
        appended = []
    }
}
