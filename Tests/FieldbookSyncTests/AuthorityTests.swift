import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Testing

/// Issue 14: the centre decides authority from its own records, never from what an op declares, and no field work is
/// lost to a coverage change. Each attack is spoken by a raw session as a modified client would, and each test checks
/// that it had no effect on the victim's book, the centre or anyone's clock, not only that an error came back.
@Suite("Authority at the centre: derived scope, values, clocks, and offline work across coverage changes")
struct AuthorityTests {
    /// B (M002) owns 赵敏 with a phone and a note, synced; A (M001) owns 王芳, synced.
    struct World {
        var harness: SyncHarness
        let a: TestDevice
        let b: TestDevice
        let w: TestDevice
        let theirs: EntityID
        let mine: EntityID
    }

    static func world() throws -> World {
        var (harness, a, b, w) = try SessionTests.setUp()
        let theirs = try SessionTests.add(b, "赵敏", [FieldAssignment(Schema.F.phone, .text("13512345678"))])
        try b.book.write { tx in try tx.set(theirs, Schema.F.note, .text("只在周末联系")) }
        let mine = try SessionTests.add(a, "王芳")
        #expect(try harness.sync(b).summary?.verified == true)
        #expect(try harness.sync(a).summary?.verified == true)
        return World(harness: harness, a: a, b: b, w: w, theirs: theirs, mine: mine)
    }

    /// Pushes forged ops from A on a fresh authenticated session; returns the actions.
    static func push(_ world: inout World, _ ops: [Op]) throws -> [ServerSessionDriver.Action] {
        var (server, _) = try #require(try AuthorizationTests.open(&world.harness, world.a))
        return server.receive(.ops(Message.Ops(seq: 1, operations: ops)))
    }

    /// A's next counters, continuing what the centre holds.
    static func next(_ world: World) throws -> UInt64 { try world.harness.central.held(of: world.a.book.actor) + 1 }

    /// What the centre and B hold of B's customer, and B's clock: all must be unchanged by an attack.
    static func victim(_ world: inout World) throws -> [[UInt8]] {
        _ = try world.harness.sync(world.b)
        return [
            try world.harness.central.book.stateHash(scope: .customer(world.theirs)),
            try world.b.book.stateHash(),
            try world.harness.central.book.stateHash(scope: .global),
        ]
    }

    /// [W-10.5] [W-14.5] authority is derived from the centre's records.
    @Test("take-over by a forged create: a global contact whose entity is B's customer, owner M001, a year ahead")
    func takeOver() throws {
        var world = try Self.world()
        let before = try Self.victim(&world)
        let yearAhead = HLC(milliseconds: 1_795_395_600_000 + 365 * 86_400_000, logical: 0)
        let counter = try Self.next(world)
        let forged = [
            Op(
                id: OpID(actor: world.a.book.actor, counter: counter), hlc: yearAhead, scope: .global, principal: "M001",
                body: .create(kind: .contact, entity: world.theirs, fields: [FieldAssignment(Schema.F.owner, .text("M001"))])),
            // The same without the clock and owner tricks: still a create of an entity that exists.
            Op(
                id: OpID(actor: world.a.book.actor, counter: counter + 1), hlc: AuthorizationTests.time, scope: .customer(world.theirs),
                principal: "M001", body: .create(kind: .customer, entity: world.theirs, fields: [FieldAssignment(Schema.F.name, .text("假"))])),
        ]
        let actions = try Self.push(&world, forged)
        #expect(AuthorizationTests.errors(actions) == [.permissionDenied, .permissionDenied])
        #expect(AuthorizationTests.ack(actions)?.held == counter + 1)
        for op in forged { #expect(try !AuthorizationTests.stored(world.harness.central, op.id)) }
        // A's next pull brings nothing of B's customer; B's book, the centre and B's clock are as they were.
        #expect(try world.harness.sync(world.a).summary?.verified == true)
        #expect(try world.a.book.snapshot(of: world.theirs) == nil)
        #expect(try Self.victim(&world) == before)
        #expect(try world.b.book.clockReading().milliseconds < yearAhead.milliseconds - 300 * 86_400_000)
        #expect(try world.b.book.verifyProjections() == [])
        try world.b.book.write { tx in try tx.set(world.theirs, Schema.F.note, .text("改约周日")) }
        #expect(try world.harness.sync(world.b).summary?.verified == true)
    }

    /// [W-10.5] the declared scope must be the one the centre's records give the entity.
    @Test("writes to B's customer declared in global, in A's own customer's scope, or under B's customer are refused")
    func foreignWrites() throws {
        var world = try Self.world()
        let before = try Self.victim(&world)
        let counter = try Self.next(world)
        let a = world.a
        func op(_ n: UInt64, _ scope: Scope, _ body: Op.Body) -> Op {
            Op(id: OpID(actor: a.book.actor, counter: counter + n), hlc: AuthorizationTests.time, scope: scope, principal: "M001", body: body)
        }
        let contact = EntityID(high: 0x0190_0000_0000_7001, low: 7)  // a UUIDv7: a version-8 one would be refused for its name (W-10.9)
        let forged: [(String, Op, ErrorCode)] = [
            ("note in global", op(0, .global, .set(entity: world.theirs, field: Schema.F.note, value: .text("x"), pred: [])), .permissionDenied),
            ("phone in A's customer's scope", op(1, .customer(world.mine), .set(entity: world.theirs, field: Schema.F.phone, value: .text("13000000000"), pred: [])), .permissionDenied),
            ("tag in global", op(2, .global, .add(entity: world.theirs, field: Schema.F.tags, element: "x")), .permissionDenied),
            ("a contact under B's customer", op(3, .customer(world.theirs), .create(kind: .contact, entity: contact, fields: [FieldAssignment(Schema.F.text, .text("x"))])), .scopeViolation),
            ("a customer kind in global", op(4, .global, .create(kind: .task, entity: contact, fields: [])), .permissionDenied),
            ("a product under a customer", op(5, .customer(world.mine), .create(kind: .product, entity: contact, fields: [])), .permissionDenied),
            ("an entity the centre never saw", op(6, .customer(world.mine), .set(entity: contact, field: Schema.F.note, value: .text("x"), pred: [])), .permissionDenied),
            ("a field of another kind", op(7, .customer(world.mine), .set(entity: world.mine, field: Schema.F.due, value: .date(Day(year: 2026, month: 12, day: 1)!), pred: [])), .permissionDenied),
            ("a value of the wrong type", op(8, .customer(world.mine), .set(entity: world.mine, field: Schema.F.birthday, value: .text("昨天"), pred: [])), .permissionDenied),
        ]
        var (server, _) = try #require(try AuthorizationTests.open(&world.harness, world.a))
        for (index, (what, forgedOp, code)) in forged.enumerated() {
            let actions = server.receive(.ops(Message.Ops(seq: UInt64(index + 1), operations: [forgedOp])))
            #expect(AuthorizationTests.errors(actions) == [code], "\(what)")
            #expect(AuthorizationTests.ack(actions)?.held == forgedOp.id.counter, "\(what)")
            #expect(try !AuthorizationTests.stored(world.harness.central, forgedOp.id), "\(what)")
        }
        #expect(try Self.victim(&world) == before)
        #expect(try world.harness.central.check().problems.isEmpty)
    }

    /// [W-10.6] values keep the shell's rules at the centre; [W-10.8] clocks.
    @Test("a global product with ESC, NUL and 60 KB of text, or clocked a year ahead, reaches no device")
    func hostileGlobalOps() throws {
        var world = try Self.world()
        let before = try Self.victim(&world)
        let counter = try Self.next(world)
        let product = EntityID(high: 0x0190_0000_0000_9001, low: 9)
        let escape = "\u{1B}[2J\u{1B}[31m理财\u{0}"
        let long = String(repeating: "长", count: 20_000)  // 60 KB of UTF-8
        let bad: [Op] = [
            Op(
                id: OpID(actor: world.a.book.actor, counter: counter), hlc: AuthorizationTests.time, scope: .global, principal: "M001",
                body: .create(kind: .product, entity: product, fields: [FieldAssignment(Schema.F.name, .text(escape))])),
            Op(
                id: OpID(actor: world.a.book.actor, counter: counter + 1), hlc: AuthorizationTests.time, scope: .global, principal: "M001",
                body: .create(kind: .product, entity: product, fields: [FieldAssignment(Schema.F.name, .text(long))])),
            Op(
                id: OpID(actor: world.a.book.actor, counter: counter + 2),
                hlc: HLC(milliseconds: 1_795_395_600_000 + 365 * 86_400_000, logical: 0), scope: .global, principal: "M001",
                body: .create(kind: .product, entity: product, fields: [FieldAssignment(Schema.F.name, .text("稳健理财"))])),
        ]
        let actions = try Self.push(&world, bad)
        #expect(AuthorizationTests.errors(actions) == [.permissionDenied, .permissionDenied, .permissionDenied])
        for op in bad { #expect(try !AuthorizationTests.stored(world.harness.central, op.id)) }
        #expect(try Self.victim(&world) == before)
        #expect(try world.b.book.products().isEmpty)
        // The words name the change and the rule, never the value.
        for case .send(.error(let error)) in actions {
            #expect(!error.message.contains("理财") && !error.message.contains("长长"))
        }
        // The same product, honest, is accepted and reaches B.
        let honest = Op(
            id: OpID(actor: world.a.book.actor, counter: counter + 3), hlc: AuthorizationTests.time, scope: .global, principal: "M001",
            body: .create(kind: .product, entity: product, fields: [FieldAssignment(Schema.F.name, .text("稳健理财")), FieldAssignment(FieldID(rawValue: 80), .text("WJ01"))]))
        #expect(AuthorizationTests.errors(try Self.push(&world, [honest])).isEmpty)
        _ = try world.harness.sync(world.b)
        let products = try world.b.book.products()
        #expect(products.map(\.name) == ["稳健理财"], "\(products)")
    }

    /// [W-10.8] a received op never moves a device's clock past its wall clock plus the bound.
    @Test("an op clocked a year ahead that reaches a book does not move its clock a year")
    func receivedClockIsBounded() throws {
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000, seed: 4))
        let other = ActorID(bytes: Array(repeating: 7, count: 16))!
        let customer = EntityID(high: 0x0190_0000_0000_9101, low: 1)
        let ahead = HLC(milliseconds: 1_795_395_600_000 + 365 * 86_400_000, logical: 0)
        try book.applyRemote([
            Op(id: OpID(actor: other, counter: 1), hlc: ahead, scope: .customer(customer), principal: "M002",
               body: .create(kind: .customer, entity: customer, fields: [FieldAssignment(Schema.F.name, .text("李明"))]))
        ])
        try book.observe(ahead)
        let clock = try book.clockReading()
        // The fixed test clock moves a few milliseconds per reading.
        #expect(clock.milliseconds <= 1_795_395_600_000 + HLC.aheadBound + 1_000)
        let edit = try #require(try book.write { tx in try tx.set(customer, Schema.F.note, .text("x")) })
        #expect(edit.hlc.milliseconds <= 1_795_395_600_000 + HLC.aheadBound + 1_000)
    }

    /// [W-10.6] a device never applies a value that breaks the rules, whatever sent it.
    @Test("a received op with an escape sequence is not applied and never shown")
    func receivedInvalidValue() throws {
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000, seed: 5))
        let other = ActorID(bytes: Array(repeating: 9, count: 16))!
        let customer = EntityID(high: 0x0190_0000_0000_9201, low: 1)
        let result = try book.applyRemote([
            Op(id: OpID(actor: other, counter: 1), hlc: AuthorizationTests.time, scope: .customer(customer), principal: "M002",
               body: .create(kind: .customer, entity: customer, fields: [FieldAssignment(Schema.F.name, .text("\u{1B}]0;x\u{7}王"))]))
        ])
        #expect(result.invalid == 1 && result.applied == 0)
        #expect(try book.find(includeArchived: true).isEmpty)
    }

    /// A device whose clock runs far ahead is told so and pushes nothing, so nothing of its work is refused.
    @Test("a device clock far ahead of the centre: sync stops before pushing, in words, and nothing is lost")
    func deviceClockAhead() throws {
        var (harness, _, _, _) = try SessionTests.setUp()
        let fast = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000 + 3 * 86_400_000, seed: 8)),
            token: try harness.central.addDevice(for: "M001", address: "127.0.0.1:7420"))
        _ = try SessionTests.add(fast, "王芳")
        guard case .failed(let error) = try harness.sync(fast) else {
            Issue.record("a device 3 days ahead must not sync")
            return
        }
        #expect(error.code == .clockAhead && error.message.contains("3 天"), "\(error.message)")
        #expect(try harness.central.held(of: fast.book.actor) == 0)
        #expect(try fast.book.status().unsyncedOps == 1)
    }

    /// [W-10.7] offline work on a customer reassigned meanwhile is stored and reaches the new owner.
    @Test("offline call, note and task on a customer reassigned meanwhile reach the new owner; the old device purges it")
    func reassignedOffline() throws {
        var world = try Self.world()
        let zhou = try SessionTests.add(world.a, "周强")
        #expect(try world.harness.sync(world.a).summary?.verified == true)
        // Offline: a call, a note and a follow-up task.
        let (call, task) = try world.a.book.write { tx in
            let call = try tx.create(.contact, scope: .customer(zhou), fields: [FieldAssignment(Schema.F.channel, .text("call")), FieldAssignment(Schema.F.text, .text("电话回访，想了解养老理财"))])
            try tx.set(zhou, Schema.F.note, .text("下月有一笔定期到期"))
            let task = try tx.create(.task, scope: .customer(zhou), fields: [FieldAssignment(Schema.F.text, .text("寄产品说明书"))])
            return (call, task)
        }
        // Meanwhile the admin reassigns 周强 to M002.
        try world.harness.central.assign(zhou.short, to: "M002")
        let summary = try #require(try world.harness.sync(world.a).summary)
        #expect(summary.rejected == 0 && summary.refusals.isEmpty)
        #expect(summary.opsSent == 3)
        #expect(summary.purged.map(\.customer) == [zhou])
        #expect(summary.purged.first?.newOwner == "M002")
        #expect(try world.a.book.snapshot(of: zhou) == nil)
        // The new owner has all of it, in the customer's history.
        #expect(try world.harness.sync(world.b).summary?.verified == true)
        let history = try world.b.book.history(of: .customer(zhou))
        #expect(history.filter { $0.principal == "M001" }.count == 4)  // A's create, call, note, task
        #expect(try world.b.book.snapshot(of: call) != nil && world.b.book.snapshot(of: task) != nil)
        #expect(try world.b.book.snapshot(of: zhou)?.text(Schema.F.note) == "下月有一笔定期到期")
        // Once A has shown it applied the purge (a later pull), a write to 周强 from A is refused.
        #expect(try world.harness.sync(world.a).summary?.verified == true)
        let late = Op(
            id: OpID(actor: world.a.book.actor, counter: try Self.next(world)), hlc: AuthorizationTests.time, scope: .customer(zhou),
            principal: "M001", body: .set(entity: zhou, field: Schema.F.note, value: .text("x"), pred: []))
        let actions = try Self.push(&world, [late])
        #expect(AuthorizationTests.errors(actions) == [.scopeViolation])
        guard case .send(.error(let error)) = actions.first else { return }
        #expect(error.message.contains(zhou.short))
        // The centre's audit names the customer by its short ID, the change and why; never a value.
        let refused = try #require(try world.harness.central.deviceLog(world.a.token.device.hex).entries.last)
        #expect(refused.refusal == .scopeViolation && refused.customer == zhou.short)
        #expect(refused.change == "修改备注" && refused.reason?.contains("不在本设备的范围内") == true)
    }

    /// [W-10.7] the same for a co-coverage that ended.
    @Test("offline work of an advisor whose co-coverage ended meanwhile reaches the owner")
    func uncoveredOffline() throws {
        var world = try Self.world()
        try world.harness.central.cocover(world.mine.short, with: "W001")
        #expect(try world.harness.sync(world.w).summary?.verified == true)
        let visit = try world.w.book.write { tx in
            try tx.create(.contact, scope: .customer(world.mine), fields: [FieldAssignment(Schema.F.channel, .text("visit")), FieldAssignment(Schema.F.text, .text("到店面谈"))])
        }
        try world.harness.central.uncover(world.mine.short, with: "W001")
        let summary = try #require(try world.harness.sync(world.w).summary)
        #expect(summary.rejected == 0 && summary.verified)
        #expect(summary.purged.map(\.customer) == [world.mine])
        #expect(try world.w.book.snapshot(of: world.mine) == nil)
        #expect(try world.harness.sync(world.a).summary?.verified == true)
        #expect(try world.a.book.snapshot(of: visit)?.text(Schema.F.text) == "到店面谈")
    }

    /// Enrolment: a token is bound to its principal and usable by one book once; a revoked device's secret is gone.
    @Test("a token for another principal, a used token and a revoked device are each refused in words")
    func enrolment() throws {
        var (harness, a, _, _) = try SessionTests.setUp()
        _ = try SessionTests.add(a, "王芳")
        // A book of M001 enrolled with a token issued for M002 stops before pushing anything.
        let foreign = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000, seed: 21)),
            token: try harness.central.addDevice(for: "M002", address: "127.0.0.1:7420"))
        _ = try SessionTests.add(foreign, "李明")
        guard case .failed(let wrong) = try harness.sync(foreign) else { Issue.record("a token of M002 synced M001's book"); return }
        #expect(wrong.message.contains("M002") && wrong.message.contains("M001"), "\(wrong.message)")
        #expect(try harness.central.held(of: foreign.book.actor) == 0)
        #expect(try harness.central.book.find(includeArchived: true).isEmpty)
        // A's token, used by A's book, then presented by a second book.
        #expect(try harness.sync(a).summary?.verified == true)
        let second = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000, seed: 22)), token: a.token)
        guard case .failed(let used) = try harness.sync(second) else { Issue.record("a used token enrolled a second book"); return }
        #expect(used.message.contains("已被另一个账本用过"), "\(used.message)")
        // Revocation deletes the secret at the centre; the device is told it was revoked.
        #expect(try harness.central.enrolment(of: a.token.device)?.secret.count == 32)
        try harness.central.revokeDevice(a.token.device.hex)
        #expect(try harness.central.enrolment(of: a.token.device)?.secret.isEmpty == true)
        guard case .failed(let revoked) = try harness.sync(a) else { Issue.record("a revoked device synced"); return }
        #expect(revoked.code == .revoked)
    }

    /// [W-9.8] [W-9.9] a purge applied in a session cut before DONE makes the next PULL a resync.
    @Test("a purge applied in a cut session, then the customer comes back: the next pull resyncs and brings it whole")
    func purgeInCutSession() throws {
        var world = try Self.world()
        let zhou = try SessionTests.add(world.a, "周强")
        #expect(try world.harness.sync(world.a).summary?.verified == true)
        try world.harness.central.assign(zhou.short, to: "M002")
        #expect(try world.harness.sync(world.b).summary?.verified == true)
        try world.b.book.write { tx in try tx.set(zhou, Schema.F.note, .text("李经理接手")) }
        #expect(try world.harness.sync(world.b).summary?.verified == true)
        // HELLO, CHALLENGE, AUTH, WELCOME, PULL, PURGE: the purge is applied, then the connection breaks.
        guard case .dropped = try world.harness.sync(world.a, dropAfter: 6) else { Issue.record("expected a cut session"); return }
        #expect(try world.a.book.snapshot(of: zhou) == nil)
        #expect(try world.a.book.needsResync())
        try world.harness.central.assign(zhou.short, to: "M001")
        let summary = try #require(try world.harness.sync(world.a).summary)
        #expect(summary.verified && summary.resynced)
        #expect(try world.a.book.snapshot(of: zhou)?.text(Schema.F.note) == "李经理接手")
        #expect(try world.a.book.ops(in: .customer(zhou)).count == world.harness.central.book.ops(in: .customer(zhou)).count)
        #expect(try !world.a.book.needsResync())
    }

    /// Concurrent writes of the same value leave no open conflict.
    @Test("two people setting the same value concurrently is no conflict")
    func sameValueIsNoConflict() throws {
        var world = try Self.world()
        try world.harness.central.cocover(world.mine.short, with: "W001")
        #expect(try world.harness.sync(world.w).summary?.verified == true)
        try world.a.book.write { tx in try tx.set(world.mine, Schema.F.phone, .text("13900139000")) }
        try world.w.book.write { tx in try tx.set(world.mine, Schema.F.phone, .text("13900139000")) }
        _ = try world.harness.sync(world.a)
        _ = try world.harness.sync(world.w)
        _ = try world.harness.sync(world.a)
        #expect(try world.a.book.conflicts().isEmpty)
        #expect(try world.w.book.conflicts().isEmpty)
        #expect(try world.a.book.snapshot(of: world.mine)?.text(Schema.F.phone) == "13900139000")
    }
}
