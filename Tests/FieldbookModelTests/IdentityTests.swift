import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Testing

@Suite("IDs and clocks")
struct IdentityTests {
    @Test func entityIDTextRoundTripsAndStartsRandom() {
        var random = SplitMix64(seed: 9)
        var prefixes = Set<String>()
        for _ in 0..<200 {
            let id = EntityID.make(milliseconds: 1_795_000_000_000, using: &random)
            #expect(id.text.count == EntityID.textLength)
            #expect(EntityID(text: id.text) == id)
            #expect(EntityID(text: id.text.uppercased()) == id)
            #expect(id.milliseconds == 1_795_000_000_000)
            prefixes.insert(id.short)
        }
        // Same millisecond, yet short IDs differ: the text begins with the random bytes.
        #expect(prefixes.count == 200)
        #expect(EntityID(text: "not-an-id") == nil)
    }

    @Test func idsSortByCreationTime() {
        var random = SplitMix64(seed: 3)
        let a = EntityID.make(milliseconds: 1000, using: &random)
        let b = EntityID.make(milliseconds: 2000, using: &random)
        #expect(a < b)
    }

    @Test func base32() {
        #expect(Base32.encode([0xff, 0x00]) == "zw00")
        #expect(Base32.decode("zw00", byteCount: 2) == [0xff, 0x00])
        #expect(Base32.normalize("ZWoI") == "zw01")
        #expect(Base32.normalize("王") == nil)
    }

    @Test func actorHex() {
        let actor = ActorID(high: 0x0123_4567_89ab_cdef, low: 42)
        #expect(actor.hex == "0123456789abcdef000000000000002a")
        #expect(ActorID(hex: actor.hex) == actor)
        #expect(ActorID(hex: "zz") == nil)
    }

    @Test func clockIsMonotonicWhenTheWallClockGoesBack() {
        var clock = HybridClock(last: .zero)
        let a = clock.tick(now: 10_000)
        let b = clock.tick(now: 9_000)
        let c = clock.tick(now: 9_500)
        let d = clock.tick(now: 20_000)
        #expect(a < b && b < c && c < d)
        #expect(b.milliseconds == 10_000 && b.logical == 1)
        #expect(d == HLC(milliseconds: 20_000, logical: 0))
    }

    @Test func clockObservesRemoteReadings() {
        var clock = HybridClock(last: .zero)
        clock.observe(HLC(milliseconds: 50_000, logical: 7))
        #expect(clock.tick(now: 1_000) == HLC(milliseconds: 50_000, logical: 8))
    }

    @Test func logicalCounterOverflowBorrowsTheNextSecond() {
        var clock = HybridClock(last: HLC(milliseconds: 5_000, logical: .max))
        #expect(clock.tick(now: 1) == HLC(milliseconds: 6_000, logical: 0))
        // A millisecond reading observed from an older replica: the borrowed value is the next whole second.
        var observed = HybridClock(last: HLC(milliseconds: 5_250, logical: .max))
        #expect(observed.tick(now: 1) == HLC(milliseconds: 6_000, logical: 0))
    }

    @Test func readingsAreWholeSecondsOrderedByTheLogicalCounter() {
        var clock = HybridClock(last: .zero)
        let readings = [1_000, 1_999, 1_500, 2_001, 2_999, 61_234].map { clock.tick(now: $0) }
        #expect(readings == [
            HLC(milliseconds: 1_000, logical: 0), HLC(milliseconds: 1_000, logical: 1), HLC(milliseconds: 1_000, logical: 2),
            HLC(milliseconds: 2_000, logical: 0), HLC(milliseconds: 2_000, logical: 1), HLC(milliseconds: 61_000, logical: 0),
        ])
        // After a millisecond reading observed from an older replica, later ticks stay above it, and become whole
        // seconds again once the wall clock passes it.
        clock.observe(HLC(milliseconds: 70_400, logical: 3))
        #expect(clock.tick(now: 70_900) == HLC(milliseconds: 70_400, logical: 4))
        #expect(clock.tick(now: 71_100) == HLC(milliseconds: 71_000, logical: 0))
    }

    @Test func bodiesRoundTripThroughTheStoreEncoding() throws {
        var generator = HistoryGenerator(seed: 11)
        let history = generator.generate(replicas: 3, steps: 150)
        for op in history.all {
            #expect(try Operation.Body(encoded: op.body.encoded) == op.body)
        }
        #expect(throws: ModelError.self) { try Operation.Body(encoded: []) }
        #expect(throws: ModelError.self) { try Operation.Body(encoded: [9, 1, 2]) }
        let sample = history.all[0].body.encoded
        #expect(throws: ModelError.self) { try Operation.Body(encoded: Array(sample.dropLast())) }
        #expect(throws: ModelError.self) { try Operation.Body(encoded: sample + [0]) }
    }
}
