import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

@Suite("fieldbook demo-data end to end")
struct DemoDataTests {
    @Test("creates a book the shell opens, the same for the same seed and date; refuses an existing file")
    func demo() throws {
        let directory = TemporaryDirectory()
        let first = directory.file("demo1.sqlite")
        let second = directory.file("demo2.sqlite")
        for path in [first, second] {
            let made = try Executable.run(["demo-data", "--book", path, "--customers", "40", "--date", "2026-11-23", "--seed", "3"])
            #expect(made.code == 0, "\(made.error)")
            #expect(made.output.hasPrefix("已创建演示账本：\(path)（员工 M001，客户 40 位"), "\(made.output)")
        }
        let status = try Executable.run(["--book", first, "-c", "status --json"])
        #expect(status.code == 0, "\(status.error)")
        #expect(status.output.contains("\"customers\": 40"))
        // Same content; only the replica identity differs, and with it the op IDs that `set`s name and the entity IDs,
        // which are named by their create op (protocol 3): compare every op's clock, scope and entity with each entity
        // written as the counter of its create, and the exported customers without their IDs, rather than the hash.
        let a = try Book.open(at: first)
        let b = try Book.open(at: second)
        #expect(try a.verifyProjections().isEmpty)
        #expect(a.actor != b.actor)
        func shape(_ book: Book) throws -> [String] {
            let key = EntityID.DerivationKey(actor: book.actor)
            func name(_ id: EntityID) -> String { key.counter(of: id).map { "#\($0)" } ?? id.text }
            return try book.allOps().map { op in
                "\(op.hlc) \(op.scope.customer.map(name) ?? op.scope.key) \(name(op.body.entity))"
            }
        }
        #expect(try shape(a) == shape(b))
        for (path, csv) in [(first, "a.csv"), (second, "b.csv")] {
            #expect(try Executable.run(["--book", path, "-c", "export csv \(directory.file(csv))"]).code == 0)
        }
        func withoutIDs(_ csv: String) -> [String] { csv.split(separator: "\n").map { String($0.drop { $0 != "," }) } }
        let exported = try String(contentsOfFile: directory.file("a.csv"), encoding: .utf8)
        #expect(withoutIDs(exported) == withoutIDs(try String(contentsOfFile: directory.file("b.csv"), encoding: .utf8)))
        #expect(exported.split(separator: "\n").count == 41)

        let again = try Executable.run(["demo-data", "--book", first, "--customers", "5"])
        #expect(again.code == 1)
        #expect(again.error.contains("账本已存在"))
        #expect(try Book.open(at: first).customerCount() == 40)
        let bad = try Executable.run(["demo-data", "--book", directory.file("x.sqlite"), "--customers", "0"])
        #expect(bad.code != 0)
        #expect(!FileManager.default.fileExists(atPath: directory.file("x.sqlite")))
    }
}
