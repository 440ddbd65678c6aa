import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import NIOCore
import Testing

/// Protocol version 4: a replica's readings are whole seconds and travel in a clock column that counts seconds, and
/// devices of versions 3 and 4 keep converging through one centre (protocol/SPEC.md §4.5, §5, §8.7).
@Suite("Protocol version 4")
struct ProtocolVersionFourTests {
    @Test("a version-4 device's readings are whole seconds; its push is smaller than in version 3; version-4 and version-3 devices converge on it (W-4.5.3, W-8.7.7, W-5.7)")
    func wholeSecondsTravel() throws {
        var (harness, a, _, _) = try SessionTests.setUp()
        let wang = try SessionTests.add(a, "王芳", [FieldAssignment(Schema.F.tier, .text("钻石"))])
        try a.book.write { tx in _ = try tx.set(wang, Schema.F.note, .text("约了周末面谈")) }
        _ = try SessionTests.add(a, "李明")
        var seen: [Message] = []
        #expect(try harness.sync(a, sent: { seen.append($0) }).summary?.verified == true)
        // The device's pushes: the OPS before its PULL (the centre's come after).
        let beforePull = seen.prefix { if case .pull = $0 { return false } else { return true } }
        let pushed = ProtocolVersionThreeTests.opsMessages(Array(beforePull))
        let ops = pushed.flatMap(\.operations)
        #expect(ops.count >= 3 && pushed.allSatisfy { $0.version == 4 })
        // The book's test clock moves a millisecond per reading; the readings are its seconds, ordered by the
        // logical counter.
        #expect(ops.allSatisfy { $0.hlc.milliseconds % 1_000 == 0 })
        #expect(zip(ops, ops.dropFirst()).allSatisfy { $0.hlc < $1.hlc }, "\(ops.map(\.hlc))")
        var four = ByteBuffer()
        var three = ByteBuffer()
        let fourBytes = try four.writeMessage(.ops(Message.Ops(seq: 1, operations: ops, version: 4)))
        let threeBytes = try three.writeMessage(.ops(Message.Ops(seq: 1, operations: ops, version: 3)))
        #expect(fourBytes < threeBytes, "version 4: \(fourBytes) bytes, version 3: \(threeBytes)")

        // A second device of M001 pulls in version 4, an older one in version 3: both hold what A holds.
        let laptop = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_900, seed: 31)),
            token: try harness.central.addDevice(for: "M001", address: "x:1"))
        let old = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_601_700, seed: 32)),
            token: try harness.central.addDevice(for: "M001", address: "x:2"))
        seen = []
        #expect(try harness.sync(laptop).summary?.verified == true)
        #expect(try harness.sync(old, version: 3, sent: { seen.append($0) }).summary?.verified == true)
        #expect(ProtocolVersionThreeTests.opsMessages(seen).allSatisfy { $0.version == 3 })
        #expect(try laptop.book.stateHash() == a.book.stateHash())
        #expect(try old.book.stateHash() == a.book.stateHash())

        // Concurrent edits of one field from the version-3 and the version-4 device stay visible as a conflict on
        // every replica, in the same order.
        try old.book.write { tx in _ = try tx.set(wang, Schema.F.tier, .text("私人银行")) }
        try laptop.book.write { tx in _ = try tx.set(wang, Schema.F.tier, .text("金葵花")) }
        #expect(try harness.sync(old, version: 3).summary?.verified == true)
        #expect(try harness.sync(laptop).summary?.verified == true)
        #expect(try harness.sync(old, version: 3).summary?.verified == true)
        #expect(try harness.sync(a).summary?.verified == true)
        let hashes = try [a, laptop, old].map { try $0.book.stateHash() }
        #expect(Set(hashes).count == 1)
        let tiers = try [a, laptop, old].map { device in
            let snapshot = try device.book.snapshot(of: wang)
            return snapshot?.fields[Schema.F.tier]?.map(\.value) ?? []
        }
        #expect(tiers.allSatisfy { Set($0) == [.text("私人银行"), .text("金葵花")] }, "\(tiers)")
    }
}
