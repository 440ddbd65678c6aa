import FieldbookWire
import Testing

/// ``PurgeReason/kind`` is the closed view of the open reason byte (issue 19): each known byte has its case, an
/// unknown byte keeps its value, and the spec names in ``PurgeReason/description`` do not change.
@Suite("Purge reasons")
struct PurgeReasonTests {
    @Test func knownBytesHaveTheirKind() {
        #expect(PurgeReason.reassigned.kind == .reassigned)
        #expect(PurgeReason.coverageEnded.kind == .coverageEnded)
        #expect(PurgeReason.accessRevoked.kind == .accessRevoked)
        #expect(PurgeReason.erased.kind == .erased)
        #expect(PurgeReason(rawValue: 0).kind == .unknown(0))
        #expect(PurgeReason(rawValue: 9).kind == .unknown(9))
    }

    @Test func descriptionsAreTheSpecNames() {
        let names = (0...5).map { PurgeReason(rawValue: UInt8($0)).description }
        #expect(names == ["reason0", "reassigned", "coverageEnded", "accessRevoked", "erased", "reason5"])
    }
}
