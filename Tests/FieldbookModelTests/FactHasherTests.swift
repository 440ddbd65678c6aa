import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import PropertyBased
import Testing

/// The state digest fed straight into SHA-256 (``FactHasher``, `StateDigest.*Digest`) against the digest of the
/// fact built as an array: the store's running sums and a full recount must agree byte for byte.
@Suite("Fact hasher")
struct FactHasherTests {
    static func bytes(_ random: inout SplitMix64, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
    }

    static func entity(_ random: inout SplitMix64) -> EntityID { EntityID(bytes: bytes(&random, count: 16))! }

    static func actor(_ random: inout SplitMix64) -> ActorID { ActorID(high: random.next(), low: random.next()) }

    /// Scope keys short and long (a long key crosses the hasher's 64-byte buffer), ASCII and not.
    static func scope(_ random: inout SplitMix64) -> String {
        let keys = ["g", "c:" + entity(&random).text, "p:M001", "p:" + String(repeating: "员工", count: Int(random.next() % 40))]
        return keys[Int(random.next() % UInt64(keys.count))]
    }

    @Test func directDigestsEqualTheDigestsOfTheFacts() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var random = SplitMix64(seed: seed)
            let scope = Self.scope(&random)
            let entity = Self.entity(&random)
            let field = FieldID(rawValue: UInt16(truncatingIfNeeded: random.next()))
            // Counters small and large: the op fact's varint is 1 to 10 bytes.
            let id = OpID(actor: Self.actor(&random), counter: random.next() >> (random.next() % 64))
            let kind = EntityKind(rawValue: UInt8(truncatingIfNeeded: random.next()))
            // Values from empty to several times the buffer.
            let encoded = Self.bytes(&random, count: Int(random.next() % 300))
            let element = String(repeating: "理财沙龙a", count: Int(random.next() % 30))

            #expect(StateDigest.opDigest(id, scope: scope) == StateDigest.digest(scope: scope, fact: StateDigest.opFact(id)))
            #expect(
                StateDigest.entityDigest(entity, kind: kind, scope: scope)
                    == StateDigest.digest(scope: scope, fact: StateDigest.entityFact(entity, kind: kind)))
            #expect(
                StateDigest.valueDigest(entity, field: field, id: id, encodedValue: encoded, scope: scope)
                    == StateDigest.digest(
                        scope: scope, fact: StateDigest.valueFact(entity, field: field, id: id, encodedValue: encoded)))
            #expect(
                StateDigest.elementDigest(entity, field: field, element: element, scope: scope)
                    == StateDigest.digest(scope: scope, fact: StateDigest.elementFact(entity, field: field, element: element)))
        }
    }

    @Test func factsHaveTheSpecifiedLayout() {
        // SPEC §9.10, built here from the IDs' byte arrays, independently of the writers.
        let entity = EntityID(bytes: Array(1...16))!
        let actor = ActorID(bytes: Array(101...116))!
        let id = OpID(actor: actor, counter: 300)
        #expect(StateDigest.opFact(id) == [4] + actor.bytes + [0xac, 0x02])
        #expect(StateDigest.entityFact(entity, kind: EntityKind(rawValue: 7)) == [1] + entity.bytes + [7])
        #expect(
            StateDigest.valueFact(entity, field: FieldID(rawValue: 0x0102), id: id, encodedValue: [9, 9])
                == [2] + entity.bytes + [1, 2] + actor.bytes + [0, 0, 0, 0, 0, 0, 1, 0x2c] + [9, 9])
        #expect(
            StateDigest.elementFact(entity, field: FieldID(rawValue: 5), element: "沙龙")
                == [3] + entity.bytes + [0, 5] + Array("沙龙".utf8))
    }

    @Test func howTheBytesArriveDoesNotChangeTheDigest() async {
        // One byte at a time (the buffer fills and flushes every 64) against whole runs (straight to SHA-256).
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            var random = SplitMix64(seed: seed)
            let fact = Self.bytes(&random, count: Int(random.next() % 400))
            var bytewise = FactHasher(scope: "c:x")
            for byte in fact { bytewise.byte(byte) }
            var split = FactHasher(scope: "c:x")
            let cut = fact.isEmpty ? 0 : Int(random.next() % UInt64(fact.count))
            fact[..<cut].withUnsafeBytes { split.raw($0) }
            fact[cut...].withUnsafeBytes { split.raw($0) }
            let expected = StateDigest.digest(scope: "c:x", fact: fact)
            #expect(bytewise.finalize() == expected)
            #expect(split.finalize() == expected)
        }
    }

    /// Reads the fact back into its parts and digests it the direct way.
    static func directDigest(of fact: [UInt8], scope: String) throws -> StateSum {
        func id(_ at: Int) -> (UInt64, UInt64) {
            (fact[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) }, fact[at + 8..<at + 16].reduce(0) { $0 << 8 | UInt64($1) })
        }
        func entity() -> EntityID { let (h, l) = id(1); return EntityID(high: h, low: l) }
        func field() -> FieldID { FieldID(rawValue: UInt16(fact[17]) << 8 | UInt16(fact[18])) }
        switch fact[0] {
        case 1: return StateDigest.entityDigest(entity(), kind: EntityKind(rawValue: fact[17]), scope: scope)
        case 2:
            let (h, l) = id(19)
            let counter = fact[35..<43].reduce(0) { $0 << 8 | UInt64($1) }
            return StateDigest.valueDigest(
                entity(), field: field(), id: OpID(actor: ActorID(high: h, low: l), counter: counter),
                encodedValue: Array(fact[43...]), scope: scope)
        case 3:
            return StateDigest.elementDigest(
                entity(), field: field(), element: String(decoding: fact[19...], as: UTF8.self), scope: scope)
        default:
            var reader = ByteReader(Array(fact[17...]))
            let (h, l) = id(1)
            return StateDigest.opDigest(OpID(actor: ActorID(high: h, low: l), counter: try reader.uvarint()), scope: scope)
        }
    }

    @Test func theProtocolVectorsFactsDigestAsRecordedBothWays() throws {
        // protocol/vectors/statehash.json (SPEC [W-9.11]), read from the repository.
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/vectors/statehash.json")
        let vector = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let facts = try #require(vector["facts"] as? [[String: String]])
        #expect(facts.count > 10)
        func bytes(_ hex: String) -> [UInt8] {
            var out: [UInt8] = []
            var index = hex.startIndex
            while index < hex.endIndex {
                let next = hex.index(index, offsetBy: 2)
                out.append(UInt8(hex[index..<next], radix: 16)!)
                index = next
            }
            return out
        }
        var kinds: Set<UInt8> = []
        for fact in facts {
            let raw = bytes(fact["fact"]!)
            let expected = bytes(fact["digest"]!)
            kinds.insert(raw[0])
            #expect(StateDigest.digest(scope: fact["scope"]!, fact: raw).bytes == expected)
            #expect(try Self.directDigest(of: raw, scope: fact["scope"]!).bytes == expected)
        }
        #expect(kinds == [1, 2, 3, 4])
    }

    @Test func sumsBindFromTheirBytes() async {
        await propertyCheck(count: 100, input: Gen.uint64()) { seed in
            var random = SplitMix64(seed: seed)
            let bytes = Self.bytes(&random, count: 32)
            let sum = StateSum(bytes: bytes)!
            #expect(sum.bytes == bytes)
            #expect(sum.withUnsafeBytes { Array($0) } == bytes)
            #expect(StateSum(bytes: bytes[...]) == sum)
        }
    }
}
