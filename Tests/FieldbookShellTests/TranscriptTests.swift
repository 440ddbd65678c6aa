import Foundation
import Testing

@Suite("Shell transcripts")
struct TranscriptTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test func thereAreTranscripts() {
        #expect(Self.names.count >= 4)
    }

    /// Each transcript is run whole and compared whole. On a difference the actual session is written beside it as
    /// `NAME.actual` so that `diff` shows what changed.
    @Test(arguments: names)
    func transcript(name: String) throws {
        let url = Self.folder.appendingPathComponent(name)
        let expected = try String(contentsOf: url, encoding: .utf8)
        let actual = try TranscriptRunner().run(expected)
        let actualURL = url.appendingPathExtension("actual")
        if actual != expected {
            try actual.write(to: actualURL, atomically: true, encoding: .utf8)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
            let where_ = first.map { "line \($0.offset + 1):\n  expected: \($0.element.0)\n  actual:   \($0.element.1)" }
                ?? "lengths differ (\(expectedLines.count) vs \(actualLines.count) lines)"
            Issue.record("transcript \(name) differs at \(where_)\n(whole actual session in \(actualURL.path))")
        } else {
            try? FileManager.default.removeItem(at: actualURL)
        }
    }
}
