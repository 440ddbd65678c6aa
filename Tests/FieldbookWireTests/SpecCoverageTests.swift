// SpecCoverageTests.swift: every [W-…] tag of protocol/SPEC.md is cited by a vector or a test (SPEC §1).
import Foundation
import Testing

@Suite("Spec coverage")
struct SpecCoverageTests {
    /// The tags `[W-§.n]` defined in SPEC.md.
    static func specTags() throws -> Set<String> {
        let text = try String(contentsOf: WireVectors.root.appendingPathComponent("protocol/SPEC.md"), encoding: .utf8)
        return tags(in: text, bracketed: true)
    }

    /// Every `W-<digits>(.<digits>)*` in a text (inside brackets only, when `bracketed`).
    static func tags(in text: String, bracketed: Bool) -> Set<String> {
        let pattern = bracketed ? #"\[(W-[0-9]+(?:\.[0-9]+)+)\]"# : #"(W-[0-9]+(?:\.[0-9]+)+)"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
    }

    @Test("SPEC.md defines tags and every one is cited by a vector or a test")
    func everyTagIsCited() throws {
        let defined = try Self.specTags()
        #expect(defined.count > 40)
        var cited = Set<String>()
        for v in WireVectors.load() { cited.formUnion(v.spec) }
        let testDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for file in try FileManager.default.contentsOfDirectory(atPath: testDirectory.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: testDirectory.appendingPathComponent(file), encoding: .utf8)
            // Only citations in test code count, not the definitions this test reads from SPEC.md.
            cited.formUnion(Self.tags(in: text, bracketed: false))
        }
        let missing = defined.subtracting(cited).sorted()
        #expect(missing.isEmpty, "tags cited by no vector or test: \(missing)")
    }

    @Test("vectors and tests cite only tags SPEC.md defines")
    func noDanglingCitations() throws {
        let defined = try Self.specTags()
        for v in WireVectors.load() {
            for tag in v.spec { #expect(defined.contains(tag), "\(v.testDescription) cites undefined \(tag)") }
        }
    }
}
