// DerivedEntityTests.swift: entity IDs named by their creating op, and version 3's entities table (SPEC §4.4, §8.6).
@testable import FieldbookModel
import NIOCore
import Testing

@testable import FieldbookWire

@Suite("Derived entity IDs and the version-3 entities table")
struct DerivedEntityTests {
    @Test("the worked example of SPEC §4.4 (W-4.4.2)")
    func workedExample() {
        let one = EntityID.derived(actor: Sample.actorA, counter: 1)
        #expect(one == EntityID(high: 0x71ec_7dbf_e490_8591, low: 0x9bcf_7a0c_392b_a9a4))
        #expect(EntityID.derived(actor: Sample.actorA, counter: 2).low == 0xb996_f0c7_b8f5_2d9b)
        #expect(EntityID.derivedMultiplier &* EntityID.derivedInverse == 1)
        #expect(one.isDerived && !Sample.customer.isDerived)
        #expect(one.high >> 12 & 0xF == 8 && one.low >> 62 == 0b10, "version 8, variant 10")
        let key = EntityID.DerivationKey(actor: Sample.actorA)
        #expect(key.entity(counter: 1) == one && key.counter(of: one) == 1)
    }

    @Test("one actor's IDs are distinct and invert to their counters; another actor's do not invert (W-4.4.2)")
    func inverse() {
        var rng = SplitMix64(seed: 7)
        let key = EntityID.DerivationKey(actor: Sample.actorA)
        let other = EntityID.DerivationKey(actor: Sample.actorB)
        #expect(key.high != other.high)
        var seen = Set<EntityID>()
        var shorts = Set<String>()
        for counter in (1...2_000).map(UInt64.init) + (0..<200).map({ _ in 1 + rng.next() % (EntityID.derivedCounterLimit - 1) }) {
            let id = EntityID.derived(actor: Sample.actorA, counter: counter)
            #expect(key.counter(of: id) == counter)
            #expect(other.counter(of: id) == nil)
            #expect(seen.insert(id).inserted)
            if counter <= 2_000 { shorts.insert(id.short) }
            #expect(EntityID(text: id.text) == id)
        }
        // Short IDs of one actor's first 2 000 customers never collide (the spread permutes the low 30 bits), and
        // consecutive ones differ in most of their 6 characters.
        #expect(shorts.count == 2_000)
        let first = EntityID.derived(actor: Sample.actorA, counter: 1).short
        let second = EntityID.derived(actor: Sample.actorA, counter: 2).short
        #expect(zip(first, second).filter { $0 != $1 }.count >= 4, "\(first) \(second)")
        #expect(key.counter(of: Sample.customer) == nil)
    }

    @Test("only its own op may create a version-8 ID (W-10.9)")
    func creationRule() {
        let id = EntityID.derived(actor: Sample.actorA, counter: 5)
        #expect(id.isValidCreation(by: OpID(actor: Sample.actorA, counter: 5)))
        #expect(!id.isValidCreation(by: OpID(actor: Sample.actorA, counter: 6)))
        #expect(!id.isValidCreation(by: OpID(actor: Sample.actorB, counter: 5)))
        // Counters at and past 2^62 derive nothing: the same ID reduced modulo 2^62 is not theirs.
        #expect(!id.isValidCreation(by: OpID(actor: Sample.actorA, counter: EntityID.derivedCounterLimit + 5)))
        // Any other layout is created freely (UUIDv7 books of version 2).
        #expect(Sample.customer.isValidCreation(by: OpID(actor: Sample.actorB, counter: 99)))
    }

    /// A random batch: ops of three actors (a fourth only referenced by `pred`) on entities of every layout, UUIDv7,
    /// derived from an actor of the batch, derived from an actor absent from it, and version 8 but derived from
    /// nobody.
    static func randomBatch(_ rng: inout SplitMix64) -> [FieldbookModel.Operation] {
        let authors = [Sample.actorA, Sample.actorB, Sample.actorC]
        let referenced = ActorID(high: 0xd4d4_d4d4_d4d4_d4d4, low: 7)
        let absent = ActorID(high: 0xe5e5_e5e5_e5e5_e5e5, low: 9)
        var counters: [ActorID: UInt64] = [:]
        func entity() -> EntityID {
            switch rng.next() % 6 {
            case 0: return EntityID.make(milliseconds: Sample.t0 + rng.next() % 1_000_000, using: &rng)
            case 1: return EntityID.derived(actor: absent, counter: 1 + rng.next() % 50)
            case 2: return EntityID.derived(actor: referenced, counter: 1 + rng.next() % 50)
            case 3: return EntityID(high: rng.next() & ~0xF000 | 0x8000, low: rng.next() & 0x3FFF_FFFF_FFFF_FFFF | 1 << 63)
            case 4: return EntityID.derived(actor: authors[Int(rng.next() % 3)], counter: EntityID.derivedCounterLimit - 1 - rng.next() % 3)
            default: return EntityID.derived(actor: authors[Int(rng.next() % 3)], counter: 1 + rng.next() % 40)
            }
        }
        return (0..<Int(rng.next() % 40)).map { n in
            let actor = authors[Int(rng.next() % 3)]
            let counter = counters[actor, default: rng.next() % 5] + 1 + rng.next() % 2
            counters[actor] = counter
            let body: FieldbookModel.Operation.Body
            switch rng.next() % 4 {
            case 0:
                // Mostly what devices make: the op's own derived ID.
                let id = rng.next() % 3 == 0 ? entity() : EntityID.derived(actor: actor, counter: counter)
                body = .create(kind: .contact, entity: id, fields: [FieldAssignment(Schema.F.text, .text("记录\(n)"))])
            case 1:
                body = .set(entity: entity(), field: Schema.F.tier, value: .text("金"), pred: [OpID(actor: referenced, counter: 3)])
            case 2: body = .add(entity: entity(), field: Schema.F.tags, element: "标签\(n % 3)")
            default: body = .remove(entity: entity(), field: Schema.F.tags, element: "标签1", observed: [OpID(actor: actor, counter: 1)])
            }
            return Sample.op(counter, UInt64(n) * 37, actor: actor, scope: rng.next() % 2 == 0 ? .global : .customer(entity()), body)
        }
    }

    static func encode(_ ops: [FieldbookModel.Operation], version: UInt8) throws -> [UInt8] {
        var buffer = ByteBuffer()
        try OpBatch.encode(ops, version: version, into: &buffer)
        return buffer.readBytes(length: buffer.readableBytes)!
    }

    static func decode(_ bytes: [UInt8], version: UInt8) throws -> [FieldbookModel.Operation] {
        var r = PayloadReader(ByteBuffer(bytes: bytes), version: version)
        return try OpBatch.decode(&r, version: version)
    }

    @Test("encode then decode is the identity, and the encoding is canonical, for random batches of every ID layout (W-8.6.6, W-8.6.9)")
    func roundTripProperty() throws {
        var rng = SplitMix64(seed: 2026)
        var derivedSeen = 0
        for _ in 0..<300 {
            let ops = Self.randomBatch(&rng)
            for version: UInt8 in [2, 3, 4] {
                let bytes = try Self.encode(ops, version: version)
                let back = try Self.decode(bytes, version: version)
                #expect(back == ops)
                // Canonical: what decodes re-encodes to the same bytes, and the same ops in another order of
                // first use give tables with the same entities.
                #expect(try Self.encode(back, version: version) == bytes)
            }
            let three = try Self.encode(ops, version: 3)
            let two = try Self.encode(ops, version: 2)
            #expect(three.count <= two.count + 1, "version 3 adds one count byte at most")
            let entities = Set(ops.flatMap { op -> [EntityID] in
                var ids = [op.body.entity]
                if case .customer(let c) = op.scope { ids.append(c) }
                return ids
            })
            let actors = Set(ops.map(\.id.actor) + ops.flatMap { op -> [ActorID] in
                switch op.body {
                case .set(_, _, _, let pred): return pred.map(\.actor)
                case .remove(_, _, _, let observed): return observed.map(\.actor)
                default: return []
                }
            })
            let derivable = entities.filter { id in actors.contains { EntityID.DerivationKey(actor: $0).counter(of: id).map { $0 >= 1 } ?? false } }
            derivedSeen += derivable.count
            // Each derivable entity costs at least a byte less than its full entry (11 to 17 bytes against 2 to 10),
            // and version 3 adds the derived list's count (one byte below 128 entries).
            #expect(three.count + derivable.count <= two.count + 1, "version 2: \(two.count), version 3: \(three.count)")
        }
        #expect(derivedSeen > 1_000, "the generator made too few derived IDs to test")
    }

    @Test("a batch of one actor's new customers costs a few bytes per entity in version 3 (W-8.6.9)")
    func derivedEntitiesAreSmall() throws {
        let ops = (1...200).map { (n: UInt64) in
            let id = EntityID.derived(actor: Sample.actorA, counter: n)
            return Sample.op(n, n, scope: .customer(id), .create(kind: .customer, entity: id, fields: []))
        }
        let two = try Self.encode(ops, version: 2)
        let three = try Self.encode(ops, version: 3)
        // Full entries cost 11 to 17 bytes each; derived ones 2 here (actor index 0, Δ 1).
        #expect(two.count - three.count >= 200 * 9, "version 2: \(two.count), version 3: \(three.count)")
        #expect(try Self.decode(three, version: 3) == ops)
    }

    @Test("the decoder rejects a full entry an actor of the batch derives, even one only referenced; one from an absent actor is full (W-8.6.9)")
    func fullEntryThatShouldBeDerived() throws {
        // Actor B is in the actors table (as a pred's actor would be) and derives the full entry: malformed.
        let twoActors = "02" + H.actor + Hex.encode(Sample.actorB.bytes)
        let full = "01" + H.full(EntityID.derived(actor: Sample.actorB, counter: 4))
        var frame = ByteBuffer(bytes: Hex.decode(H.ops(H.batch(actors: twoActors, entities: full)))!)
        #expect(throws: WireError.self) { _ = try frame.readMessage(version: 3) }
        // The same bytes are a good version-2 batch but for the derived list's count, which version 2 does not have.
        var two = ByteBuffer(bytes: Hex.decode(H.ops(H.batch(actors: twoActors, entities: full, derived: nil)))!)
        #expect(try two.readMessage(version: 2) != nil)
        // A derived ID whose actor the batch does not name is written in full, and read back.
        let absent = EntityID.derived(actor: ActorID(high: 1, low: 2), counter: 4)
        let other = [Sample.op(1, 0, scope: .global, .set(entity: absent, field: Schema.F.tier, value: .null, pred: []))]
        let bytes = try Self.encode(other, version: 3)
        #expect(try Self.decode(bytes, version: 3) == other)
        #expect(bytes.count == (try Self.encode(other, version: 2)).count + 1)
    }
}
