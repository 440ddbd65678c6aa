// FuzzCrasherTests.swift: replays every input in Fixtures/fuzz-crashers/ (style.md rule 14, SPEC Appendix B).
import FieldbookWire
import Foundation
import NIOCore
import Testing

@Suite("Fuzz crashers")
struct FuzzCrasherTests {
    static func crashers() -> [String] {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { return [] }
        let dir = url.appendingPathComponent("fuzz-crashers")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { dir.appendingPathComponent($0).path }
    }

    /// The fuzz target's invariants, run on one input: decode, re-encode, decode again, dump [W-6.7].
    static func check(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        if bytes.first == Preamble.magic[0] {
            guard (try? Preamble.read(from: &buffer)) != nil else { return }
        }
        while true {
            let before = buffer.readerIndex
            guard let message = try? buffer.readMessage() else {
                #expect(buffer.readerIndex == before)
                break
            }
            var out = ByteBuffer()
            #expect(throws: Never.self) { try out.writeMessage(message) }
            #expect((try? out.readMessage()) == message)
        }
        _ = WireDump.annotate(bytes)
    }

    @Test("every checked-in fuzz crasher decodes without crashing and round-trips")
    func replay() throws {
        for path in Self.crashers() {
            let data = try #require(FileManager.default.contents(atPath: path))
            Self.check(Array(data))
        }
    }

    @Test("the seed corpus survives the same checks")
    func corpus() throws {
        for v in WireVectors.load() { Self.check(v.bytes) }
    }
}
