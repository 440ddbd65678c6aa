// StateHashVector.swift: protocol/vectors/statehash.json, the state hash of a fixed set of ops (SPEC [W-9.11]).
//
// The vector holds an OPS frame of ops, every fact of the state they make with its scope and digest, each scope's
// hash and the overall hash, and a few sums of the 256-bit arithmetic. Written by the VectorGenerator
// (FIELDBOOK_WRITE_VECTORS=1), checked here against FieldbookModel and by tools/peers/statehash.py, which
// recomputes every digest and sum from the text of the spec alone.
import FieldbookModel
import Foundation
import NIOCore
import Testing

@testable import FieldbookWire

enum StateHashVector {
    /// The file's name without `.json`.
    static let file = "statehash"

    static let customer = Sample.customer
    static let contact = Sample.contact
    static let journal = Sample.other
    /// An entity some op names but no create made: its scope holds an op fact yet no created entity, so it hashes
    /// as zero and stays out of the overall hash.
    static let uncreated = EntityID(high: Sample.t0 << 16 | 0x7aaa, low: 0x1)

    /// Ops that make, supersede and remove facts in three scopes, and touch a fourth that stays invisible.
    static var ops: [FieldbookModel.Operation] {
        let a = Sample.actorA, b = Sample.actorB
        return [
            Sample.op(1, 0, .create(kind: .customer, entity: customer, fields: [
                FieldAssignment(Schema.F.name, .text("王芳")), FieldAssignment(Schema.F.tier, .text("金卡")),
            ])),
            Sample.op(2, 1_000, .set(entity: customer, field: Schema.F.tier, value: .text("钻石"), pred: [OpID(actor: a, counter: 1)])),
            Sample.op(3, 2_000, .add(entity: customer, field: Schema.F.tags, element: "高净值")),
            Sample.op(4, 2_500, .add(entity: customer, field: Schema.F.tags, element: "观望")),
            Sample.op(1, 3_000, actor: b, principal: "M002",
                      .remove(entity: customer, field: Schema.F.tags, element: "观望", observed: [OpID(actor: a, counter: 4)])),
            Sample.op(5, 4_000, .create(kind: .contact, entity: contact, fields: [
                FieldAssignment(Schema.F.channel, .text("上门")), FieldAssignment(Schema.F.text, .text("聊了孩子留学的资金安排")),
            ])),
            Sample.op(2, 5_000, actor: b, scope: .principal("M002"), principal: "M002",
                      .create(kind: .worklog, entity: journal, fields: [FieldAssignment(Schema.F.text, .text("晨会"))])),
            Sample.op(6, 6_000, scope: .customer(uncreated),
                      .set(entity: uncreated, field: Schema.F.note, value: .text("先记下"), pred: [])),
        ]
    }

    /// The replica the ops make.
    static var replica: Replica {
        var replica = Replica()
        for op in ops { replica.apply(op) }
        return replica
    }

    /// Every fact with its scope, in a fixed order (the replica's own order is a dictionary's).
    static var facts: [(scope: String, fact: [UInt8])] {
        var all: [(scope: String, fact: [UInt8])] = []
        for (scope, facts) in replica.facts() { all += facts.map { (scope, $0) } }
        // The uncreated entity's scope holds an op fact too; Replica.facts() leaves such a scope out.
        all.append((Scope.customer(uncreated).key, StateDigest.opFact(OpID(actor: Sample.actorA, counter: 6))))
        return all.sorted { ($0.scope, Hex.encode($0.fact)) < ($1.scope, Hex.encode($1.fact)) }
    }

    static let kinds: [UInt8: String] = [1: "entity", 2: "value", 3: "element", 4: "op"]

    /// 256-bit sums that carry and borrow across every limb.
    static var sums: [(a: [UInt8], b: [UInt8])] {
        let ones = [UInt8](repeating: 0xff, count: 32)
        let one = [1] + [UInt8](repeating: 0, count: 31)
        let high = [UInt8](repeating: 0, count: 31) + [0x80]
        let mixed = (0..<32).map { UInt8($0 * 37 & 0xff) }
        return [(ones, one), (one, ones), (high, high), (mixed, ones), ([UInt8](repeating: 0, count: 32), mixed)]
    }

    static func write() throws {
        var frame = ByteBuffer()
        try frame.writeMessage(.ops(.init(seq: 1, operations: ops)))
        let replica = replica
        let scopes = Set(facts.map(\.scope)).sorted()
        let object: [String: Any] = [
            "description": "the state hash of the ops of one OPS frame: each fact with its scope and digest, each scope's "
                + "hash and the overall hash (SPEC §9.10); and 256-bit sums, little-endian",
            "version": Int(Preamble.version),
            "domain": StateDigest.domain,
            "spec": ["W-9.11", "W-8.11.1"],
            "ops": Hex.encode(frame.readableBytesView),
            "facts": facts.map { item -> [String: Any] in
                ["scope": item.scope, "kind": kinds[item.fact[0]]!, "fact": Hex.encode(item.fact),
                 "digest": StateDigest.digest(scope: item.scope, fact: item.fact).bytes.hexString]
            },
            "scopes": scopes.map { key -> [String: Any] in
                ["scope": key, "hash": Hex.encode(replica.stateHash(scope: Scope(key: key)!))]
            },
            "overall": Hex.encode(replica.stateHash()),
            "sums": sums.map { pair -> [String: Any] in
                let a = StateSum(bytes: pair.a)!, b = StateSum(bytes: pair.b)!
                return ["a": Hex.encode(pair.a), "b": Hex.encode(pair.b), "sum": (a + b).bytes.hexString,
                        "difference": (a - b).bytes.hexString]
            },
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: WireVectors.directory.appendingPathComponent(file + ".json"))
    }
}

extension [UInt8] {
    fileprivate var hexString: String { Hex.encode(self) }
}

@Suite("State hash vector")
struct StateHashVectorTests {
    static func load() throws -> [String: Any] {
        let data = try Data(contentsOf: WireVectors.directory.appendingPathComponent(StateHashVector.file + ".json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("the ops of the vector make exactly its facts, digests, scope hashes and overall hash (W-9.11)")
    func replicaMatchesVector() throws {
        let vector = try Self.load()
        #expect(vector["domain"] as? String == StateDigest.domain)
        var frame = ByteBuffer(bytes: Hex.decode(try #require(vector["ops"] as? String))!)
        guard case .ops(let batch) = try frame.readMessage() else { Issue.record("not an OPS frame"); return }
        var replica = Replica()
        for op in batch.operations { replica.apply(op) }

        let facts = try #require(vector["facts"] as? [[String: String]])
        var byScope: [String: [[UInt8]]] = [:]
        for fact in facts {
            let bytes = Hex.decode(fact["fact"]!)!
            #expect(StateDigest.digest(scope: fact["scope"]!, fact: bytes).bytes == Hex.decode(fact["digest"]!)!)
            byScope[fact["scope"]!, default: []].append(bytes)
        }
        // The facts the replica holds, in the scopes with a created entity, are the vector's.
        for (scope, held) in replica.facts() {
            #expect(Set(held) == Set(byScope[scope] ?? []), "facts of \(scope)")
        }
        let scopes = try #require(vector["scopes"] as? [[String: String]])
        var total = StateSum.zero
        for entry in scopes {
            let scope = try #require(Scope(key: entry["scope"]!))
            let hash = Hex.decode(entry["hash"]!)!
            #expect(replica.stateHash(scope: scope) == hash, "hash of \(scope.key)")
            total += StateSum(bytes: hash)!
        }
        // The scope that holds an op but no created entity hashes as zero, though its facts do not sum to zero.
        let invisible = Scope.customer(StateHashVector.uncreated)
        #expect(replica.stateHash(scope: invisible) == [UInt8](repeating: 0, count: 32))
        #expect(!StateDigest.scopeSum(invisible.key, byScope[invisible.key] ?? []).isZero)
        #expect(replica.stateHash() == Hex.decode(try #require(vector["overall"] as? String))!)
        #expect(total.bytes == replica.stateHash())
    }

    @Test("the vector's 256-bit sums and differences wrap modulo 2^256 (W-9.11)")
    func sums() throws {
        let sums = try #require(try Self.load()["sums"] as? [[String: String]])
        #expect(sums.count >= 4)
        for entry in sums {
            let a = StateSum(bytes: Hex.decode(entry["a"]!)!)!, b = StateSum(bytes: Hex.decode(entry["b"]!)!)!
            #expect((a + b).bytes == Hex.decode(entry["sum"]!)!)
            #expect((a - b).bytes == Hex.decode(entry["difference"]!)!)
            #expect(a + b - b == a)
        }
    }
}
