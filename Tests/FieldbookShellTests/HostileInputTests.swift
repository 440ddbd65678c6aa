import FieldbookModel
import FieldbookShell
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// Malformed and hostile input on every shell path (issue 9): each is refused with one clear line, exit code 1 or 2,
/// no customer data in the message, and nothing written.
@Suite("Hostile input to the shell")
struct HostileInputTests {
    let directory = TemporaryDirectory()

    func book() throws -> Book {
        let book = try CSVTests.book()
        CSVTests.run(book, "add 王芳 phone=13912345678")
        return book
    }

    /// Runs `line` and expects a clean refusal that changed nothing.
    func expectRefused(
        _ book: Book, _ line: String, containing fragment: String? = nil, because label: String = "",
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let ops = try book.opCount()
        let hash = try book.stateHash()
        let result = CSVTests.run(book, line)
        #expect([1, 2].contains(result.code), "\(label): exit \(result.code)", sourceLocation: sourceLocation)
        #expect(result.error.count == 1, "\(result.error)", sourceLocation: sourceLocation)
        if let fragment {
            #expect(result.error.first?.contains(fragment) == true, "\(result.error)", sourceLocation: sourceLocation)
        }
        #expect(!result.error.joined().contains("王芳") && !result.error.joined().contains("13912345678"),
                sourceLocation: sourceLocation)
        #expect(try book.opCount() == ops, "nothing written", sourceLocation: sourceLocation)
        #expect(try book.stateHash() == hash, sourceLocation: sourceLocation)
    }

    func file(_ bytes: [UInt8]) throws -> String {
        let path = directory.file("input-\(UUID().uuidString.prefix(8)).csv")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("malformed CSV files: nothing half-imported, in a dry run or for real")
    func malformedCSV() throws {
        let book = try book()
        var random = SplitMix64(seed: 9)
        let header = Array("name,phone,note\n".utf8)
        let good = Array((0..<500).map { "客户\($0),139\(String(format: "%08d", $0)),好\n" }.joined().utf8)
        let files: [(String, [UInt8])] = [
            ("invalid UTF-8", header + good + [0xFF, 0xFE, 0x41] + Array(",13800138001,坏\n".utf8)),
            ("a NUL byte", header + good + Array("赵\u{0}敏,13800138001,坏\n".utf8)),
            ("binary noise", (0..<4096).map { _ in UInt8(truncatingIfNeeded: random.next()) }),
            ("UTF-16 with a byte-order mark", [0xFF, 0xFE] + Array("name\n李明\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })),
            ("a field of 20,000 characters", header + good + Array("赵敏,13800138001,\(String(repeating: "长", count: 20_000))\n".utf8)),
            ("a header of 5,000 columns", Array(("name," + (0..<5_000).map { "c\($0)" }.joined(separator: ",") + "\n李明\n").utf8)),
            ("an empty file", []),
        ]
        for (label, bytes) in files {
            let path = try file(bytes)
            for command in ["import csv \(path) --dry-run", "import csv \(path)"] {
                try expectRefused(book, command, because: label)
            }
        }
        try expectRefused(book, "import csv \(directory.path)")
        try expectRefused(book, "import csv \(directory.file("missing.csv"))")
    }

    @Test("malformed command lines: clear errors, nothing written")
    func malformedLines() throws {
        let book = try book()
        try expectRefused(book, "add \"没有闭合")
        try expectRefused(book, "add 赵敏 note=\(String(repeating: "长", count: 20_000))", containing: "太长")
        try expectRefused(book, "set 王芳 note=\(String(repeating: "长", count: 6_000))", containing: "太长")
        try expectRefused(book, "add 赵敏 phone=\(String(repeating: "1", count: 100_000))")
        try expectRefused(book, "add 赵敏 aum=\(String(repeating: "9", count: 400))")
        try expectRefused(book, "add 赵敏 birthday=99999-99-99")
        try expectRefused(book, "add 赵敏 \(String(repeating: "x=1 ", count: 2_000))")
        try expectRefused(book, "tag 王芳 +\(String(repeating: "标", count: 41))")
        try expectRefused(book, "contact 王芳 call 聊了 next=\(String(repeating: "+", count: 50))d")
        try expectRefused(book, "find \(String(repeating: "(", count: 10_000)) --limit -1")
        try expectRefused(book, "show \u{0}\u{7}\u{1B}[2J")
        try expectRefused(book, "add 赵\u{1B}[2J敏", containing: "控制字符")
        try expectRefused(book, "set 王芳 note=好\u{0}坏", containing: "控制字符")
        try expectRefused(book, String(repeating: "帮", count: 100_000))
        // Just under the limit is fine.
        let fits = CSVTests.run(book, "set 王芳 note=\(String(repeating: "长", count: 5_000))")
        #expect(fits.code == 0, "\(fits.error)")
    }
}
