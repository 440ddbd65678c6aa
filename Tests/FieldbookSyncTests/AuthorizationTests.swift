import Crypto
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Testing

/// A malicious device of manager M001 (A) tries every message it can send to read or write manager M002's (B)
/// customers (SECURITY.md "malicious device"; SPEC [W-14.5]). The device is authenticated honestly, then speaks
/// to a ``ServerSession`` directly, sending what no honest client would.
@Suite("Authorization: a device reaches only its own principal's data")
struct AuthorizationTests {
    /// A central node with A's and B's devices; B has synced a customer (赵敏) and a private task.
    struct World {
        var harness: SyncHarness
        let a: TestDevice
        let b: TestDevice
        let theirs: EntityID
        let theirTask: EntityID
    }

    static let time = HLC(milliseconds: 1_795_395_900_000, logical: 0)

    static func world() throws -> World {
        var (harness, a, b, _) = try SessionTests.setUp()
        let theirs = try SessionTests.add(b, "赵敏", [FieldAssignment(Schema.F.phone, .text("13512345678"))])
        let theirTask = try b.book.write { tx in
            try tx.create(.task, scope: .principal("M002"), fields: [FieldAssignment(Schema.F.text, .text("回访赵敏"))])
        }
        #expect(try harness.sync(b).summary?.verified == true)
        return World(harness: harness, a: a, b: b, theirs: theirs, theirTask: theirTask)
    }

    /// Authenticates `device` on a new server session, claiming `actor` (its own book's by default), and returns the
    /// session and WELCOME's held counter; `nil` if the server refused the authentication.
    static func open(
        _ harness: inout SyncHarness, _ device: TestDevice, actor: ActorID? = nil
    ) throws -> (session: ServerSessionDriver, held: UInt64)? {
        var server = ServerSessionDriver(replica: harness.central, nonce: harness.nonce())
        let hello = Message.Hello(
            version: Preamble.version, device: device.token.device, actor: actor ?? device.book.actor, nonce: harness.nonce(),
            schema: Schema.version)
        guard case .send(.challenge(let challenge)) = server.receive(.hello(hello)).first else { return nil }
        let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge)
        let mac = HMAC<SHA256>.authenticationCode(for: transcript, using: SymmetricKey(data: device.token.secret))
        guard case .send(.welcome(let welcome)) = server.receive(.auth(Message.Auth(mac: Array(mac)))).first else {
            return nil
        }
        return (server, welcome.held)
    }

    /// A's op with counter `counter`, in `scope`, signed as principal M001 unless told otherwise.
    static func op(
        _ a: TestDevice, _ counter: UInt64, scope: Scope, principal: String = "M001", actor: ActorID? = nil, _ body: Op.Body
    ) -> Op {
        Op(
            id: OpID(actor: actor ?? a.book.actor, counter: counter), hlc: HLC(milliseconds: time.milliseconds + counter, logical: 0),
            scope: scope, principal: principal, body: body)
    }

    /// Whether the central node holds the op.
    static func stored(_ central: CentralDatabase, _ id: OpID) throws -> Bool {
        try central.book.ops(of: id.actor, after: id.counter - 1, limit: 1).first?.id == id
    }

    static func errors(_ actions: [ServerSessionDriver.Action]) -> [ErrorCode] {
        actions.compactMap { if case .send(.error(let error)) = $0 { return error.code } else { return nil } }
    }

    static func ack(_ actions: [ServerSessionDriver.Action]) -> Message.Ack? {
        actions.lazy.compactMap { if case .send(.ack(let ack)) = $0 { return ack } else { return nil } }.first
    }

    /// Everything the server sends A on a PULL: the ops and the purge entries.
    static func pulled(_ actions: [ServerSessionDriver.Action]) -> (ops: [Op], purged: [EntityID]) {
        var ops: [Op] = []
        var purged: [EntityID] = []
        for case .send(let message) in actions {
            if case .ops(let batch) = message { ops += batch.operations }
            if case .purge(let purge) = message { purged += purge.entries.map(\.customer) }
        }
        return (ops, purged)
    }

    @Test("every forged write is refused, stored nowhere, and B's data stays as it was")
    func forgedWrites() throws {
        var world = try Self.world()
        let a = world.a
        let before = try world.harness.central.book.stateHash(scope: .customer(world.theirs))
        let beforeTask = try world.harness.central.book.stateHash(scope: .principal("M002"))
        var (server, held) = try #require(try Self.open(&world.harness, a))
        #expect(held == 0)
        let mine = EntityID(high: 0x0190_0000_0000_7001, low: 1)
        let forged: [(String, Op, ErrorCode)] = [
            ("edit B's customer", Self.op(a, 1, scope: .customer(world.theirs), .set(entity: world.theirs, field: Schema.F.phone, value: .text("13000000000"), pred: [])), .scopeViolation),
            ("tag B's customer", Self.op(a, 2, scope: .customer(world.theirs), .add(entity: world.theirs, field: Schema.F.tags, element: "x")), .scopeViolation),
            ("re-create B's customer", Self.op(a, 3, scope: .customer(world.theirs), .create(kind: .customer, entity: world.theirs, fields: [FieldAssignment(Schema.F.name, .text("假"))])), .permissionDenied),
            ("a task in B's principal scope", Self.op(a, 4, scope: .principal("M002"), .create(kind: .task, entity: EntityID(high: 0x0190_0000_0000_7002, low: 1), fields: [FieldAssignment(Schema.F.text, .text("x"))])), .scopeViolation),
            ("edit B's private task", Self.op(a, 5, scope: .principal("M002"), .set(entity: world.theirTask, field: Schema.F.done, value: .bool(true), pred: [])), .scopeViolation),
            ("a customer created for B", Self.op(a, 6, scope: .customer(mine), .create(kind: .customer, entity: mine, fields: [FieldAssignment(Schema.F.name, .text("新")), FieldAssignment(Schema.F.owner, .text("M002"))])), .permissionDenied),
            ("a customer created with a co-coverer", Self.op(a, 7, scope: .customer(mine), .create(kind: .customer, entity: mine, fields: [FieldAssignment(Schema.F.name, .text("新")), FieldAssignment(Schema.F.cocoverers, .text("M002"))])), .permissionDenied),
            ("an op signed as principal M002", Self.op(a, 8, scope: .principal("M002"), principal: "M002", .create(kind: .task, entity: EntityID(high: 0x0190_0000_0000_7003, low: 1), fields: [FieldAssignment(Schema.F.text, .text("x"))])), .permissionDenied),
        ]
        for (index, (what, op, code)) in forged.enumerated() {
            let actions = server.receive(.ops(Message.Ops(seq: UInt64(index + 1), operations: [op])))
            #expect(Self.errors(actions) == [code], "\(what)")
            // Refused ops count as held, so an honest device is never blocked by one; nothing was stored.
            #expect(Self.ack(actions)?.held == op.id.counter, "\(what)")
            #expect(try !Self.stored(world.harness.central, op.id), "\(what)")
            #expect(!server.isClosed, "a refusal is recoverable: \(what)")
        }
        // Admin-only fields on A's own customer: owner, co-coverers.
        let own = Self.op(a, 9, scope: .customer(mine), .create(kind: .customer, entity: mine, fields: [FieldAssignment(Schema.F.name, .text("新"))]))
        #expect(Self.errors(server.receive(.ops(Message.Ops(seq: 9, operations: [own])))).isEmpty)
        for (counter, body) in [
            (UInt64(10), Op.Body.set(entity: mine, field: Schema.F.owner, value: .text("M002"), pred: [])),
            (11, .add(entity: mine, field: Schema.F.cocoverers, element: "W001")),
            (12, .remove(entity: mine, field: Schema.F.cocoverers, element: "W001", observed: [])),
        ] {
            let actions = server.receive(.ops(Message.Ops(seq: counter, operations: [Self.op(a, counter, scope: .customer(mine), body)])))
            #expect(Self.errors(actions) == [.permissionDenied], "\(body)")
        }
        let created = try #require(try world.harness.central.book.snapshot(of: mine))
        #expect(created.value(Schema.F.owner) != .text("M002"))
        #expect(created.sets[Schema.F.cocoverers, default: []].isEmpty)
        #expect(try world.harness.central.book.stateHash(scope: .customer(world.theirs)) == before)
        #expect(try world.harness.central.book.stateHash(scope: .principal("M002")) == beforeTask)
        // The refusals are in the audit trail, with nothing of their content.
        let log = try world.harness.central.deviceLog(String(a.token.device.hex.prefix(8)), limit: nil)
        #expect(log.entries.filter { $0.refusal != nil }.map(\.op.counter) == Array(1...8) + [10, 11, 12])
        #expect(log.entries.filter { $0.refusal == nil }.map(\.change) == ["create customer name"])
        // And B, syncing, sees none of it.
        #expect(try world.harness.sync(world.b).summary?.opsReceived == 0)
        #expect(try world.b.book.snapshot(of: world.theirs)?.text(Schema.F.phone) == "13512345678")
    }

    @Test("ops signed for another actor are never stored, and a device cannot take another replica's actor")
    func foreignActor() throws {
        var world = try Self.world()
        let a = world.a
        var (server, _) = try #require(try Self.open(&world.harness, a))
        // B's actor, B's principal scope, B's next counter: the server ignores whose actor the op claims.
        let next = try world.harness.central.held(of: world.b.book.actor) + 1
        let stolen = Self.op(
            a, next, scope: .principal("M002"), principal: "M002", actor: world.b.book.actor,
            .create(kind: .task, entity: EntityID(high: 0x0190_0000_0000_7004, low: 1), fields: [FieldAssignment(Schema.F.text, .text("x"))]))
        let actions = server.receive(.ops(Message.Ops(seq: 1, operations: [stolen])))
        #expect(Self.errors(actions) == [.permissionDenied])
        #expect(try !Self.stored(world.harness.central, stolen.id))
        #expect(try world.harness.central.held(of: world.b.book.actor) == next - 1)

        // A device that has never synced claims B's actor in its HELLO, or the central node's own: refused.
        let laptop = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_700, seed: 11)),
            token: try world.harness.central.addDevice(for: "M001", address: "x:1"))
        #expect(try Self.open(&world.harness, laptop, actor: world.b.book.actor) == nil)
        #expect(try Self.open(&world.harness, laptop, actor: world.harness.central.book.actor) == nil)
        // A's device, once bound to A's book, cannot come back as another actor either.
        #expect(try Self.open(&world.harness, a, actor: laptop.book.actor) == nil)
        // The laptop can still enrol honestly.
        #expect(try Self.open(&world.harness, laptop) != nil)
    }

    @Test("pulls with forged cursors, a resync, and B's own cursor give A only its own scope")
    func forgedPulls() throws {
        var world = try Self.world()
        let a = world.a
        let mine = try SessionTests.add(a, "王芳")
        #expect(try world.harness.sync(a).summary?.verified == true)
        _ = try SessionTests.add(world.b, "孙丽")
        #expect(try world.harness.sync(world.b).summary?.verified == true)
        let bCursor = try world.b.book.syncCursor()
        let last = try world.harness.central.status().lastLSN
        for (what, pull) in [
            ("cursor 0", Message.Pull(cursor: 0)), ("B's cursor", Message.Pull(cursor: bCursor)),
            ("cursor 1", Message.Pull(cursor: 1)), ("a cursor past the end", Message.Pull(cursor: last + 1_000)),
            ("the largest cursor", Message.Pull(cursor: .max)), ("a resync", Message.Pull(cursor: bCursor, resync: true)),
        ] {
            var (server, _) = try #require(try Self.open(&world.harness, a))
            let actions = server.receive(.pull(pull))
            #expect(Self.errors(actions).isEmpty, "\(what)")
            let (ops, purged) = Self.pulled(actions)
            #expect(ops.allSatisfy { $0.principal == "M001" && $0.scope != .principal("M002") }, "\(what)")
            #expect(!ops.contains { $0.scope.customer != nil && $0.scope.customer != mine }, "\(what)")
            #expect(!purged.contains(mine), "\(what)")
        }
        // A's book, synced normally afterwards, still holds only its own customer.
        #expect(try world.harness.sync(a).summary?.verified == true)
        #expect(try a.book.customerCount() == 1)
    }

    @Test("before AUTH nothing but HELLO is accepted; a revoked device and a replayed AUTH fail")
    func unauthenticated() throws {
        var world = try Self.world()
        let a = world.a
        for message in [
            Message.pull(Message.Pull(cursor: 0)),
            .ops(Message.Ops(seq: 1, operations: [Self.op(a, 1, scope: .customer(world.theirs), .set(entity: world.theirs, field: Schema.F.note, value: .text("x"), pred: []))])),
        ] {
            var server = ServerSessionDriver(replica: world.harness.central, nonce: world.harness.nonce())
            let actions = server.receive(message)
            #expect(Self.errors(actions) == [.unexpectedMessage])
            #expect(server.isClosed)
            #expect(Self.pulled(actions).ops.isEmpty)
        }
        // A HELLO with B's device and A's secret: the MAC is wrong.
        let impostor = TestDevice(
            book: a.book, token: EnrolmentToken(address: "x:1", device: world.b.token.device, secret: a.token.secret))
        #expect(try Self.open(&world.harness, impostor) == nil)
        // Replay: the same HELLO and AUTH on a new session, whose challenge differs.
        var first = ServerSessionDriver(replica: world.harness.central, nonce: world.harness.nonce())
        let hello = Message.Hello(version: Preamble.version, device: a.token.device, actor: a.book.actor, nonce: world.harness.nonce(), schema: Schema.version)
        guard case .send(.challenge(let challenge)) = first.receive(.hello(hello)).first else {
            Issue.record("no challenge")
            return
        }
        let mac = HMAC<SHA256>.authenticationCode(
            for: Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge),
            using: SymmetricKey(data: a.token.secret))
        let auth = Message.Auth(mac: Array(mac))
        guard case .send(.welcome) = first.receive(.auth(auth)).first else {
            Issue.record("the genuine AUTH must pass")
            return
        }
        var replay = ServerSessionDriver(replica: world.harness.central, nonce: world.harness.nonce())
        _ = replay.receive(.hello(hello))
        #expect(Self.errors(replay.receive(.auth(auth))) == [.authFailed])
        // Revoked: even a correct MAC fails, and an open session cannot be reused by re-sending AUTH.
        try world.harness.central.revokeDevice(String(a.token.device.hex.prefix(8)))
        var revoked = ServerSessionDriver(replica: world.harness.central, nonce: world.harness.nonce())
        _ = revoked.receive(.hello(hello))
        #expect(Self.errors(revoked.receive(.auth(auth))).count == 1)
        #expect(revoked.isClosed)
        #expect(try Self.open(&world.harness, a) == nil)
    }
}
