import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import NIOCore
import Testing

/// Protocol version 3: entities named by their creating op travel as (actor, counter), version-3 and version-2 devices
/// still sync with a version-4 centre, and nobody may create another op's entity first (protocol/SPEC.md §4.4, §5,
/// §8.6, §10). Version 4's own tests: ``ProtocolVersionFourTests``.
@Suite("Protocol version 3")
struct ProtocolVersionThreeTests {
    /// The OPS messages of a session, both directions.
    static func opsMessages(_ messages: [Message]) -> [Message.Ops] {
        messages.compactMap { if case .ops(let ops) = $0 { return ops } else { return nil } }
    }

    @Test("version-3 devices sync customers named by their creating op with a version-4 centre, and the batches carry them as (actor, counter) (W-5.7, W-8.6.9)")
    func versionThreeSyncs() throws {
        var (harness, a, _, _) = try SessionTests.setUp()
        let wang = try SessionTests.add(a, "王芳", [FieldAssignment(Schema.F.tier, .text("钻石"))])
        let li = try SessionTests.add(a, "李明")
        #expect(wang.isDerived && li.isDerived && wang != li)
        var seen: [Message] = []
        #expect(try harness.sync(a, version: 3, sent: { seen.append($0) }).summary?.verified == true)
        let pushed = Self.opsMessages(seen)
        #expect(!pushed.isEmpty && pushed.allSatisfy { $0.version == 3 })
        // The push's entities are all derived: the batch is smaller than the same ops in version 2.
        let ops = pushed.flatMap(\.operations)
        var three = ByteBuffer()
        var two = ByteBuffer()
        let threeBytes = try three.writeMessage(.ops(Message.Ops(seq: 1, operations: ops, version: 3)))
        let twoBytes = try two.writeMessage(.ops(Message.Ops(seq: 1, operations: ops, version: 2)))
        #expect(threeBytes <= twoBytes - 2 * 8, "version 3: \(threeBytes) bytes, version 2: \(twoBytes)")

        // A second device of M001 pulls them, in version 3, and agrees.
        let laptop = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_900, seed: 21)),
            token: try harness.central.addDevice(for: "M001", address: "x:1"))
        seen = []
        #expect(try harness.sync(laptop, version: 3, sent: { seen.append($0) }).summary?.verified == true)
        #expect(Self.opsMessages(seen).allSatisfy { $0.version == 3 })
        #expect(try laptop.book.snapshot(of: wang) != nil && laptop.book.snapshot(of: li) != nil)
        #expect(try laptop.book.stateHash() == a.book.stateHash())
    }

    @Test("a version-2 device syncs with a version-4 centre: every batch of its session is version 2, both ways (W-5.7, W-8.1.2)")
    func versionTwoDeviceSyncs() throws {
        var (harness, a, _, _) = try SessionTests.setUp()
        _ = try SessionTests.add(a, "王芳")
        #expect(try harness.sync(a).summary?.verified == true)
        // The old device: its book has what a version-2 Fieldbook made (UUIDv7 IDs are still valid), and it also
        // relays derived ones written by version-3 devices, in full.
        let old = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_601_000, seed: 22)),
            token: try harness.central.addDevice(for: "M001", address: "x:1"))
        let mine = try SessionTests.add(old, "陈静")
        var seen: [Message] = []
        #expect(try harness.sync(old, version: 2, sent: { seen.append($0) }).summary?.verified == true)
        let hello = seen.compactMap { if case .hello(let hello) = $0 { return hello } else { return nil } }
        #expect(hello.map(\.version) == [2])
        let batches = Self.opsMessages(seen)
        #expect(batches.count >= 2, "a push and a pull")
        #expect(batches.allSatisfy { $0.version == 2 })
        // Read as version 3, a version-2 batch with entities does not give the same ops.
        for batch in batches where !batch.operations.isEmpty {
            var buffer = ByteBuffer()
            try buffer.writeMessage(.ops(batch))
            let asThree = try? buffer.readMessage(version: 3)
            #expect(asThree != .ops(Message.Ops(seq: batch.seq, backfill: batch.backfill, operations: batch.operations, compressed: batch.compressed, version: 3)))
        }
        #expect(try harness.sync(a).summary?.verified == true)
        #expect(try a.book.snapshot(of: mine) != nil)
        #expect(try a.book.stateHash() == old.book.stateHash())
    }

    @Test("the centre refuses a HELLO of a version it does not run (W-8.1.2)")
    func unknownHelloVersion() throws {
        var (harness, a, _, _) = try SessionTests.setUp()
        for version: UInt8 in [1, 5] {
            var server = ServerSessionDriver(replica: harness.central, nonce: harness.nonce())
            let hello = Message.Hello(version: version, device: a.token.device, actor: a.book.actor, nonce: harness.nonce(), schema: Schema.version)
            let actions = server.receive(.hello(hello))
            #expect(AuthorizationTests.errors(actions) == [.unsupportedVersion], "version \(version)")
        }
    }

    @Test("a forged create of another device's next derived ID is refused; the victim's create of it succeeds (W-10.9, W-14.5)")
    func squattingIsRefused() throws {
        var world = try AuthorizationTests.world()
        let (a, b) = (world.a, world.b)
        // B's next op will be counter n + 1: its entity's ID is known to anyone who knows B's actor.
        let n = try b.replica.ownOps(after: 0, limit: 10_000).last!.id.counter
        let target = EntityID.derived(actor: b.book.actor, counter: n + 1)
        let ownWrong = EntityID.derived(actor: a.book.actor, counter: 7)
        let aBefore = try a.book.stateHash()
        let bBefore = try b.book.stateHash()

        guard let opened = try AuthorizationTests.open(&world.harness, a) else {
            Issue.record("A could not authenticate")
            return
        }
        var session = opened.session
        #expect(opened.held == 0)
        let forged = [
            // B's next customer, claimed as A's own.
            AuthorizationTests.op(a, 1, scope: .customer(target), .create(kind: .customer, entity: target, fields: [
                FieldAssignment(Schema.F.name, .text("抢注")), FieldAssignment(Schema.F.owner, .text("M001")),
            ])),
            // A's own actor, but not this op's counter.
            AuthorizationTests.op(a, 2, scope: .customer(ownWrong), .create(kind: .customer, entity: ownWrong, fields: [
                FieldAssignment(Schema.F.name, .text("错号")), FieldAssignment(Schema.F.owner, .text("M001")),
            ])),
        ]
        let actions = session.receive(try SyncHarness.roundTrip(.ops(Message.Ops(seq: 1, operations: forged))))
        #expect(AuthorizationTests.errors(actions) == [.permissionDenied, .permissionDenied])
        let words = actions.compactMap { if case .send(.error(let error)) = $0 { return error.message } else { return nil } }
        #expect(words.allSatisfy { $0.contains("新记录的编号不是由创建它的这个操作得出的") }, "\(words)")
        #expect(AuthorizationTests.ack(actions)?.held == 2, "refused ops count as held")
        for op in forged { #expect(try !AuthorizationTests.stored(world.harness.central, op.id)) }

        // The victim creates its next customer: it is the target, and the centre takes it.
        let created = try SessionTests.add(b, "赵敏的朋友")
        #expect(created == target)
        let summary = try #require(try world.harness.sync(b).summary)
        #expect(summary.verified && summary.opsSent == 1)
        let stored = try world.harness.central.book.snapshot(of: target)
        #expect(stored?.value(Schema.F.name) == .text("赵敏的朋友") && stored?.author == "M002")
        // Nobody's book changed but by the victim's own create.
        #expect(try a.book.stateHash() == aBefore)
        #expect(try world.harness.sync(a).summary?.verified == true)
        #expect(try a.book.snapshot(of: target) == nil)
        #expect(try b.book.stateHash() != bBefore)
    }
}
