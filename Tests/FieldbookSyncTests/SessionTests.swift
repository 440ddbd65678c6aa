import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Testing

@Suite("Sync sessions in memory")
struct SessionTests {
    /// A central node with managers M001 and M002 and advisor W001, and one device each.
    static func setUp() throws -> (SyncHarness, a: TestDevice, b: TestDevice, w: TestDevice) {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: 1_795_395_600_000, seed: 50))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        try central.addPrincipal("M002", name: "李经理", role: .manager)
        try central.addPrincipal("W001", name: "王投顾", role: .advisor)
        func device(_ code: String, seed: UInt64) throws -> TestDevice {
            TestDevice(
                book: try Book.inMemory(principal: code, options: .fixed(milliseconds: 1_795_395_600_000 + seed, seed: seed)),
                token: try central.addDevice(for: code, address: "127.0.0.1:7420"))
        }
        return (SyncHarness(central: central), try device("M001", seed: 1), try device("M002", seed: 2), try device("W001", seed: 3))
    }

    static func add(_ device: TestDevice, _ name: String, _ extra: [FieldAssignment] = []) throws -> EntityID {
        try device.book.write { tx in
            try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text(name))] + extra)
        }
    }

    @Test("push, pull and verify: two state machines talk until done")
    func firstSync() throws {
        var (harness, a, b, _) = try Self.setUp()
        let wang = try Self.add(a, "王芳", [FieldAssignment(Schema.F.tier, .text("钻石"))])
        _ = try Self.add(a, "李明")
        let summary = try #require(try harness.sync(a).summary)
        #expect(summary.opsSent == 2)
        #expect(summary.verified)
        #expect(try a.book.status().unsyncedOps == 0)
        #expect(try harness.central.book.snapshot(of: wang)?.text(Schema.F.name) == "王芳")
        // B covers none of A's customers: it receives nothing of them.
        let other = try #require(try harness.sync(b).summary)
        #expect(other.verified && other.opsReceived == 0)
        #expect(try b.book.customerCount() == 0)
        // Nothing new: a second sync sends and receives nothing and still verifies.
        let again = try #require(try harness.sync(a).summary)
        #expect(again.opsSent == 0 && again.opsReceived == 0 && again.verified)
    }

    @Test("co-coverage: the advisor receives the VIP with its history; concurrent phones conflict on both; resolve clears")
    func coCoverageAndConflicts() throws {
        var (harness, a, _, w) = try Self.setUp()
        let vip = try Self.add(a, "王芳", [FieldAssignment(Schema.F.phone, .text("13800138000")), FieldAssignment(Schema.F.tier, .text("钻石"))])
        try a.book.write { tx in try tx.set(vip, Schema.F.note, .text("喜欢喝茶")) }
        _ = try harness.sync(a)
        try harness.central.cocover(vip.short, with: "W001")
        let joined = try #require(try harness.sync(w).summary)
        #expect(joined.customersAdded == 1 && joined.verified)
        #expect(try w.book.snapshot(of: vip)?.text(Schema.F.note) == "喜欢喝茶")
        #expect(try w.book.history(of: .customer(vip)).count == 3)  // create, note, and the centre's cocover add

        try a.book.write { tx in try tx.set(vip, Schema.F.phone, .text("13900139000")) }
        try w.book.write { tx in try tx.set(vip, Schema.F.phone, .text("13700137000")) }
        #expect(try harness.sync(a).summary?.verified == true)
        #expect(try harness.sync(w).summary?.verified == true)
        #expect(try harness.sync(a).summary?.verified == true)
        for device in [a, w] {
            let conflicts = try device.book.conflicts()
            #expect(conflicts.count == 1)
            #expect(Set(conflicts[0].values.map(\.principal)) == ["M001", "W001"])
        }
        try w.book.write { tx in try tx.set(vip, Schema.F.phone, .text("13700137000")) }
        _ = try harness.sync(w)
        _ = try harness.sync(a)
        #expect(try a.book.conflicts().isEmpty && w.book.conflicts().isEmpty)
        #expect(try a.book.stateHash(scope: .customer(vip)) == w.book.stateHash(scope: .customer(vip)))
    }

    /// [W-8.10.3] purge in one transaction, [W-14.5] the server never sends outside the scope.
    @Test("assign moves a customer: the old owner's next sync purges it, the new owner's brings its history")
    func assignment() throws {
        var (harness, a, b, _) = try Self.setUp()
        let moving = try Self.add(a, "陈静")
        try a.book.write { tx in try tx.add(moving, Schema.F.tags, "理财沙龙") }
        let staying = try Self.add(a, "李明")
        _ = try harness.sync(a)
        try harness.central.assign(moving.short, to: "M002")
        let lost = try #require(try harness.sync(a).summary)
        #expect(lost.purged.map(\.customer) == [moving])
        #expect(lost.purged.first?.reason == .reassigned && lost.purged.first?.newOwner == "M002")
        #expect(lost.verified)
        #expect(try a.book.snapshot(of: moving) == nil)
        #expect(try a.book.ops(in: .customer(moving)).isEmpty)
        #expect(try a.book.snapshot(of: staying) != nil)
        #expect(try a.book.verifyProjections() == [])
        let gained = try #require(try harness.sync(b).summary)
        #expect(gained.customersAdded == 1 && gained.verified)
        #expect(try b.book.snapshot(of: moving)?.sets[Schema.F.tags] == ["理财沙龙"])
        // A's book keeps working and its new ops still push.
        _ = try Self.add(a, "新客户")
        #expect(try harness.sync(a).summary?.opsSent == 1)
    }

    @Test("long notes are split into batches that stay inside the frame limit, both ways")
    func largeBatches() throws {
        var (harness, a, _, _) = try Self.setUp()
        let note = String(repeating: "家里老人身体不好，需要长期护理规划。", count: 300)  // ~16 KB each
        let id = try Self.add(a, "王芳")
        for index in 0..<120 { try a.book.write { tx in try tx.set(id, Schema.F.note, .text(note + "\(index)")) } }
        let pushed = try #require(try harness.sync(a).summary)
        #expect(pushed.opsSent == 121 && pushed.verified)
        // A second device of the same manager pulls all of it (about 2 MB) in several frames.
        let laptop = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_500, seed: 9)),
            token: try harness.central.addDevice(for: "M001", address: "x:1"))
        let pulled = try #require(try harness.sync(laptop).summary)
        #expect(pulled.opsReceived == 121 && pulled.verified)
    }

    /// [W-14.2] an unknown device and a wrong MAC fail alike; [W-11.2.3] a fatal ERROR ends the session.
    @Test("a revoked device, a wrong secret and an unknown device are refused")
    func authentication() throws {
        var (harness, a, _, _) = try Self.setUp()
        guard case .failed(let wrong) = try harness.sync(a, secret: [UInt8](repeating: 7, count: 32)) else {
            Issue.record("a wrong secret must fail")
            return
        }
        #expect(wrong.code == .authFailed)
        let stranger = TestDevice(
            book: a.book, token: EnrolmentToken(address: "x:1", device: DeviceID(bytes: [UInt8](repeating: 1, count: 16))!, secret: a.token.secret))
        guard case .failed(let unknown) = try harness.sync(stranger) else {
            Issue.record("an unknown device must fail")
            return
        }
        #expect(unknown.code == .authFailed)
        // A replayed AUTH: an eavesdropper's copy of a good session's HELLO and AUTH, sent into a new session.
        var client = ClientSessionDriver(device: a.token.device, secret: a.token.secret, replica: a.replica, nonce: harness.nonce())
        var first = ServerSessionDriver(replica: harness.central, nonce: harness.nonce())
        guard case .send(let hello) = client.start()[0], case .send(let challenge) = first.receive(hello)[0],
            case .send(let auth) = try client.receive(challenge)[0], case .send(.welcome) = first.receive(auth)[0]
        else {
            Issue.record("the genuine session must authenticate")
            return
        }
        var replay = ServerSessionDriver(replica: harness.central, nonce: harness.nonce())
        _ = replay.receive(hello)
        let answer = replay.receive(auth)
        guard case .send(.error(let error)) = answer.first else {
            Issue.record("a replayed AUTH must be refused")
            return
        }
        #expect(error.code == .authFailed && error.fatal)
        #expect(replay.isClosed)

        try harness.central.revokeDevice(String(a.token.device.hex.prefix(6)))
        guard case .failed(let revoked) = try harness.sync(a) else {
            Issue.record("a revoked device must fail")
            return
        }
        #expect(revoked.code == .revoked)
    }

    /// [W-14.5] the server checks every pushed op against scope and permissions; [W-10.4] refused ops count as held.
    @Test("ops outside the scope or writing coverage are refused, stored nowhere, and do not block the device")
    func refusals() throws {
        var (harness, a, b, _) = try Self.setUp()
        let theirs = try Self.add(b, "赵敏")
        _ = try harness.sync(b)
        // A forges an edit of B's customer (as a malicious device would) and an owner change.
        let forged = Operation(
            id: OpID(actor: a.book.actor, counter: 1), hlc: HLC(milliseconds: 1_795_395_700_000, logical: 0),
            scope: .customer(theirs), principal: "M001",
            body: .set(entity: theirs, field: Schema.F.note, value: .text("偷看"), pred: []))
        try a.book.applyRemote([forged])
        let mine = try Self.add(a, "王芳")
        let steal = Operation(
            id: OpID(actor: a.book.actor, counter: 3), hlc: HLC(milliseconds: 1_795_395_800_000, logical: 0),
            scope: .customer(mine), principal: "M001",
            body: .set(entity: mine, field: Schema.F.owner, value: .text("M002"), pred: []))
        try a.book.applyRemote([steal])
        let summary = try #require(try harness.sync(a).summary)
        #expect(summary.rejected == 2)  // one scope refusal, one permission refusal
        #expect(summary.opsSent == 3)  // held moves past the refused ops
        #expect(try harness.central.book.snapshot(of: theirs)?.value(Schema.F.note) == nil)
        #expect(try harness.central.book.snapshot(of: mine)?.value(Schema.F.owner) == .text("M001"))
        #expect(try harness.central.book.snapshot(of: mine) != nil)
        // B never sees the forged note.
        _ = try harness.sync(b)
        #expect(try b.book.snapshot(of: theirs)?.value(Schema.F.note) == nil)
    }
}
