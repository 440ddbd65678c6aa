import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import PropertyBased
import Testing

/// The 256-bit sums the state hash is made of (StateSum, StateDigest).
@Suite("State sums")
struct StateSumTests {
    static func sum(_ random: inout SplitMix64) -> StateSum {
        StateSum(bytes: (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) })!
    }

    @Test func bytesAreLittleEndianAndRoundTrip() {
        let one = StateSum(bytes: [1] + [UInt8](repeating: 0, count: 31))!
        #expect((StateSum.zero + one).bytes == [1] + [UInt8](repeating: 0, count: 31))
        #expect(StateSum(bytes: [UInt8](repeating: 0, count: 31)) == nil)
        // 2^64 − 1 + 1 carries into the second limb.
        let low = StateSum(bytes: [UInt8](repeating: 0xff, count: 8) + [UInt8](repeating: 0, count: 24))!
        #expect((low + one).bytes == [UInt8](repeating: 0, count: 8) + [1] + [UInt8](repeating: 0, count: 23))
        // 2^256 − 1 + 1 wraps to zero, and 0 − 1 back to 2^256 − 1.
        let ones = StateSum(bytes: [UInt8](repeating: 0xff, count: 32))!
        #expect((ones + one).isZero)
        #expect(StateSum.zero - one == ones)
    }

    @Test func additionIsAGroup() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var random = SplitMix64(seed: seed)
            let a = Self.sum(&random), b = Self.sum(&random), c = Self.sum(&random)
            #expect(a + b == b + a)
            #expect((a + b) + c == a + (b + c))
            #expect(a + b - b == a)
            #expect(a - a == .zero)
            #expect(StateSum(bytes: a.bytes) == a)
        }
    }

    @Test func aScopeHashIsTheSumOfItsFactDigestsInAnyOrder() async {
        await propertyCheck(count: 50, input: Gen.uint64()) { seed in
            var random = SplitMix64(seed: seed)
            let facts = (0..<20).map { _ in (0..<(random.next() % 40 + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) } }
            let hash = StateDigest.scopeHash("c:x", facts)
            #expect(StateDigest.scopeHash("c:x", facts.reversed()) == hash)
            // Removing a fact's digest from the sum is the same as never having had the fact.
            let dropped = StateSum(bytes: hash)! - StateDigest.digest(scope: "c:x", fact: facts[0])
            #expect(dropped.bytes == StateDigest.scopeHash("c:x", facts.dropFirst()))
            // The scope key is part of every digest: the same facts elsewhere hash differently.
            #expect(StateDigest.scopeHash("c:y", facts) != hash)
        }
    }

    @Test func digestIsSHA256OverTheDomainTheScopeAndTheFact() {
        // SHA-256("fieldbook-state-v2" 00 | 03 "c:x" | 04 01), little-endian: fixed here so a change shows.
        let digest = StateDigest.digest(scope: "c:x", fact: [4, 1])
        #expect(digest.description == "e90675704286252a6d7331c573d98aafbd498cf9e8c99d6132ba11f7b52746b9")
        #expect(digest != StateDigest.digest(scope: "c:x", fact: [4, 2]))
        #expect(StateDigest.scopeHash("c:x", [[UInt8]]()) == [UInt8](repeating: 0, count: 32))
    }
}
