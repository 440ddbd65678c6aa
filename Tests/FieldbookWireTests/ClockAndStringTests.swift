// ClockAndStringTests.swift: version 4's clock column mode, string references and deflate blocks (protocol/SPEC.md
// §8.5, §8.7).
@testable import FieldbookModel
import NIOCore
import Testing

@testable import FieldbookWire

@Suite("Version 4: clock mode, string references, deflate blocks")
struct ClockAndStringTests {
    /// A random batch: one to three authors (principals), clocks in whole seconds or milliseconds, rising or not, with
    /// logical parts, and texts and elements both new and repeated, some naming a principal's string.
    static func randomBatch(_ rng: inout SplitMix64, wholeSeconds: Bool, rising: Bool) -> [FieldbookModel.Operation] {
        let actors = [Sample.actorA, Sample.actorB, Sample.actorC].prefix(Int(rng.next() % 3) + 1)
        let count = Int(rng.next() % 40) + 1
        var clock = Sample.t0 + (rng.next() % 1_000) * 1_000
        var counters: [ActorID: UInt64] = [:]
        return (0..<count).map { n in
            let actor = actors[actors.startIndex + Int(rng.next() % UInt64(actors.count))]
            let counter = (counters[actor] ?? 0) + 1
            counters[actor] = counter
            let step = (rng.next() % 90) * 1_000
            clock = rising || rng.next() % 3 != 0 ? clock + step : clock - min(clock - Sample.t0, step)
            let ms = wholeSeconds ? clock : clock + rng.next() % 1_000
            let logical = rng.next() % 4 == 0 ? UInt16(rng.next() % 5 + 1) : 0
            let text = rng.next() % 3 == 0 ? "M00\(rng.next() % 3 + 1)" : "记录\(rng.next() % 12)"
            let body: FieldbookModel.Operation.Body
            switch rng.next() % 3 {
            case 0: body = .set(entity: Sample.customer, field: Schema.F.note, value: .text(text), pred: [])
            case 1: body = .add(entity: Sample.customer, field: Schema.F.tags, element: text)
            default:
                body = .create(kind: .contact, entity: Sample.contact, fields: [
                    FieldAssignment(Schema.F.channel, .text("visit")), FieldAssignment(Schema.F.text, .text(text)),
                ])
            }
            let principal = actor == Sample.actorA ? "M001" : actor == Sample.actorB ? "M002" : "M003"
            return FieldbookModel.Operation(
                id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: ms, logical: logical),
                scope: n % 5 == 4 ? .principal(principal) : .customer(Sample.customer), principal: principal,
                schemaVersion: 1, body: body)
        }
    }

    /// The encoded batch and the offset of its clock column's mode byte.
    static func encode(_ ops: [FieldbookModel.Operation], version: UInt8) throws -> (bytes: [UInt8], mode: Int) {
        var buffer = ByteBuffer()
        let parts = try OpBatch.encode(ops, version: version, into: &buffer)
        let bytes = buffer.readBytes(length: buffer.readableBytes)!
        // parts: after the strings, the entities table, the scopes table, then each column's start (its length first).
        var column = ByteBuffer(bytes: bytes[parts[5]...])
        _ = try column.readUVarint()
        return (bytes, bytes.count - column.readableBytes)
    }

    @Test("random batches round-trip in version 4 with the clock mode bits set exactly when they apply; a flipped bit is refused (W-8.7.7, W-8.7.8)")
    func modeProperty() throws {
        var rng = SplitMix64(seed: 404)
        var modes = Set<UInt8>()
        for round in 0..<400 {
            let ops = Self.randomBatch(&rng, wholeSeconds: round % 2 == 0, rising: round % 4 < 2)
            let whole = ops.allSatisfy { $0.hlc.milliseconds % 1_000 == 0 }
            var rises = true
            for (a, b) in zip(ops, ops.dropFirst()) where b.hlc.milliseconds < a.hlc.milliseconds { rises = false }
            let (bytes, at) = try Self.encode(ops, version: 4)
            let mode = bytes[at]
            #expect(mode == (whole ? 1 : 0) | (rises ? 2 : 0))
            modes.insert(mode)
            let back = try DerivedEntityTests.decode(bytes, version: 4)
            #expect(back == ops)
            #expect(try Self.encode(back, version: 4).bytes == bytes)
            // Each other mode is refused: a bit set that does not apply decodes wrongly or is caught, one clear that
            // applies is not canonical, and bit 2 is not defined.
            for other: UInt8 in [0, 1, 2, 3, 4] where other != mode {
                var broken = bytes
                broken[at] = other
                #expect(throws: WireError.self, "mode \(mode) written as \(other)") {
                    let decoded = try DerivedEntityTests.decode(broken, version: 4)
                    // A set "never down" bit over a falling clock wraps to a clock past 48 bits, which throws; if a
                    // changed mode ever decoded, it must not give the same ops.
                    if decoded == ops { return }
                    throw WireError(.badBatch, "decoded to other ops")
                }
            }
            // Version 4 is never larger than version 3 by more than its mode byte.
            let three = try Self.encode(ops, version: 3).bytes
            #expect(bytes.count <= three.count + 1, "version 4: \(bytes.count), version 3: \(three.count)")
        }
        #expect(modes == [0, 1, 2, 3], "the generator made every mode")
    }

    @Test("a string reference 0 names the string after the highest referenced so far, counted from the tables' principals (W-8.7.8)")
    func stringReferences() throws {
        // Ops: text "甲" (new: 0), element "乙" (new: 0), text "甲" (repeat: index + 1), text "M002" (a principal: index + 1).
        let ops = [
            Sample.op(1, 0, .set(entity: Sample.customer, field: Schema.F.note, value: .text("甲"), pred: [])),
            Sample.op(2, 0, logical: 1, .add(entity: Sample.customer, field: Schema.F.tags, element: "乙")),
            Sample.op(3, 1_000, .set(entity: Sample.customer, field: Schema.F.note, value: .text("甲"), pred: [])),
            Sample.op(4, 2_000, .set(entity: Sample.customer, field: Schema.F.note, value: .text("M001"), pred: [])),
        ]
        let (bytes, _) = try Self.encode(ops, version: 4)
        #expect(try DerivedEntityTests.decode(bytes, version: 4) == ops)
        // Strings: s0 "M001", s1 "甲", s2 "乙". Value column: text 0 (s1), text 2 (s1 again), text 1 (s0);
        // element column: 0 (s2, after s1).
        let values: [UInt8] = [0x01, 0x00, 0x01, 0x02, 0x01, 0x01]
        let elements: [UInt8] = [0x00]
        #expect(bytes.count >= values.count)
        let hex = Hex.encode(bytes)
        #expect(hex.contains("06" + Hex.encode(values)), "value column \(Hex.encode(values)) in \(hex)")
        #expect(hex.contains("01" + Hex.encode(elements)))
    }

    @Test("a stream with a deflate block per part inflates to its input, whatever the input and the boundaries (W-8.5.8)")
    func blockedDeflateInflates() throws {
        var rng = SplitMix64(seed: 858)
        for round in 0..<60 {
            let count = Int(rng.next() % 20_000)
            // Text-like, repetitive, or incompressible random bytes.
            let input: [UInt8] = (0..<count).map { i in
                switch round % 3 {
                case 0: return UInt8(0xe4 + i % 5)
                case 1: return UInt8(i % 7)
                default: return UInt8(truncatingIfNeeded: rng.next())
                }
            }
            let blocks = (0..<Int(rng.next() % 30)).map { _ in Int(rng.next() % UInt64(count + 2)) }.sorted()
            let stream = Zlib.deflate(input, blocks: blocks)
            #expect(try Zlib.inflate(stream, size: input.count) == input)
        }
        // And a real batch: the blocked stream is the smaller one.
        let ops = Sample.largeOps
        var buffer = ByteBuffer()
        let parts = try OpBatch.encode(ops, version: 4, into: &buffer)
        let raw = buffer.readBytes(length: buffer.readableBytes)!
        #expect(raw.count >= Message.Ops.blockedDeflateMinimum)
        #expect(Zlib.deflate(raw, blocks: parts).count < Zlib.deflate(raw).count)
    }

    @Test("a run of ops in one second writes each logical part as its difference from the previous one (W-8.7.7)")
    func logicalRuns() throws {
        // 2,000 ops in one second, as an import makes them: logical parts 0 … 1,999.
        var clock = HybridClock(last: .zero)
        let ops = (1...2_000).map { n in
            FieldbookModel.Operation(
                id: OpID(actor: Sample.actorA, counter: UInt64(n)), hlc: clock.tick(now: Sample.t0 + UInt64(n % 1_000)),
                scope: .customer(Sample.customer), principal: "M001", schemaVersion: 1,
                body: .set(entity: Sample.customer, field: Schema.F.tier, value: .text("钻石"), pred: []))
        }
        #expect(ops.last!.hlc == HLC(milliseconds: Sample.t0, logical: 1_999))
        let (four, at) = try Self.encode(ops, version: 4)
        let (three, _) = try Self.encode(ops, version: 3)
        #expect(try DerivedEntityTests.decode(four, version: 4) == ops)
        // The clock column: the mode, the first op's seconds (5 bytes), then 1,999 × (flag byte, Δ byte 02).
        var column = ByteBuffer(bytes: four[(at - 2)...])
        let length = try #require(try column.readUVarint())
        #expect(length == 1 + 5 + 1_999 * 2, "clock column \(length) bytes")
        #expect(four.count < three.count - 1_000, "version 4: \(four.count) bytes, version 3: \(three.count)")
        // A difference that leaves 1…65 535 is refused.
        var broken = ops
        broken[1].hlc = HLC(milliseconds: Sample.t0, logical: 65_535)
        let (wrapping, _) = try Self.encode(broken, version: 4)
        #expect(try DerivedEntityTests.decode(wrapping, version: 4) == broken)
        let (bytes, mode) = try Self.encode(Array(ops.prefix(3)), version: 4)
        // Ops 1–3: logical 0, 1, 2; the third's difference 01 (svarint 02) rewritten as −2 (svarint 03): logical 0.
        var bad = bytes
        let third = mode + 1 + 5 + 2 + 1
        #expect(bad[third] == 0x02)
        bad[third] = 0x03
        #expect(throws: WireError.self) { _ = try DerivedEntityTests.decode(bad, version: 4) }
    }
}
