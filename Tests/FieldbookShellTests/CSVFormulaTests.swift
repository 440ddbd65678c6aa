import FieldbookModel
@testable import FieldbookShell
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// CSV formula neutralisation (issue 15): cells a spreadsheet would run are exported behind an apostrophe, and import
/// takes it off again, so that a round trip is exact.
@Suite("CSV formula guard")
struct CSVFormulaTests {
    @Test("the guard, case by case")
    func cases() {
        let cases: [(value: String, cell: String)] = [
            ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("@SUM(1)", "'@SUM(1)"),
            ("-1+1", "'-1+1"),
            ("+86 138 0013 8000", "'+86 138 0013 8000"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("+", "'+"),
            ("'=x", "''=x"),
            ("''@x", "'''@x"),
            ("'-", "''-"),
            // Plain numbers and everything else: as they are.
            ("-5", "-5"),
            ("+8613800138000", "+8613800138000"),
            ("-1,200.50", "-1,200.50"),
            ("-5%", "-5%"),
            ("3000000", "3000000"),
            ("1975-03-08", "1975-03-08"),
            ("1+1", "1+1"),
            ("'abc", "'abc"),
            ("'", "'"),
            ("''", "''"),
            ("'5", "'5"),
            ("'-5", "'-5"),
            ("王芳", "王芳"),
            ("", ""),
            (" =1", " =1"),
            ("＝1", "＝1"),
        ]
        for (value, cell) in cases {
            #expect(CSVFormulaGuard.export(value) == cell, "\(value.debugDescription)")
            #expect(CSVFormulaGuard.import(cell) == value, "\(cell.debugDescription)")
        }
    }

    /// Every string of up to 4 characters over an alphabet of the characters that matter, and 20,000 longer random
    /// ones: import(export(v)) == v, and no exported cell begins a formula unless it is a plain number.
    @Test("import(export(v)) == v for every short string, and no cell begins a formula")
    func roundTripAll() {
        let alphabet: [String] = ["=", "+", "-", "@", "\t", "\r", "'", "0", "9", ".", ",", "%", "a", "王", " "]
        func check(_ value: String) {
            let cell = CSVFormulaGuard.export(value)
            #expect(CSVFormulaGuard.import(cell) == value, "\(value.debugDescription)")
            if let first = cell.unicodeScalars.first, CSVFormulaGuard.formulaStarts.contains(first) {
                #expect(CSVFormulaGuard.isPlainNumber(Substring(cell).unicodeScalars), "\(cell.debugDescription)")
            }
        }
        var level = [""]
        for _ in 0..<4 {
            level = level.flatMap { prefix in alphabet.map { prefix + $0 } }
            level.forEach(check)
        }
        var random = SplitMix64(seed: 15)
        for _ in 0..<20_000 {
            let count = 5 + Int(random.next() % 12)
            check((0..<count).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }.joined())
        }
    }

    @Test("export csv neutralises formula names, notes and tags; import csv restores them exactly")
    func throughCommands() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("客户.csv")
        let names = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)", "-1+1", "'=x", "+86 138 0013 8000", "'abc", "王芳"]
        let source = try CSVTests.book()
        try source.write { tx in
            for (index, name) in names.enumerated() {
                let id = try tx.create(.customer, scope: nil, fields: [
                    FieldAssignment(Schema.F.name, .text(name)),
                    FieldAssignment(Schema.F.phone, .text("+86138001380\(index)0")),
                    FieldAssignment(Schema.F.note, .text(index == 0 ? "=1+1\n第二行" : "-\(index) 号")),
                ])
                try tx.add(id, Schema.F.tags, index == 1 ? "=WEBSERVICE(\"x\")" : "VIP")
            }
        }
        let exported = CSVTests.run(source, "export csv \(path)")
        #expect(exported.code == 0, "\(exported.error)")

        // What a spreadsheet reads: no cell begins with = + - @ unless it is a plain number.
        let table = try CSVTable.read(path: path)
        #expect(table.records.count == names.count)
        for record in table.records {
            for cell in record.fields {
                if let first = cell.unicodeScalars.first, CSVFormulaGuard.formulaStarts.contains(first) {
                    #expect(CSVFormulaGuard.isPlainNumber(Substring(cell).unicodeScalars), "\(cell.debugDescription)")
                }
            }
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""))
        #expect(text.contains(",'@SUM(1),") && text.contains(",'-1+1,") && text.contains(",''=x,"))
        #expect(text.contains(",'+86 138 0013 8000,") && text.contains(",'abc,") && text.contains(",+8613800138000,"))

        // Into a fresh book: the same values; back into its own book: nothing changes.
        let target = try CSVTests.book("M002", seed: 2)
        let imported = CSVTests.run(target, "import csv \(path)")
        #expect(imported.code == 0, "\(imported.error)")
        #expect(try CSVTests.state(of: target) == CSVTests.state(of: source))
        let names2 = try target.find(includeArchived: true).map(\.name)
        #expect(Set(names2) == Set(names))
        let again = CSVTests.run(source, "import csv \(path)")
        #expect(again.output == ["已导入 \(names.count) 行：新建 0 位，更新 0 位，\(names.count) 位没有变化"])
    }

    @Test("import csv: a CR LF in a note becomes a line feed; a tab or line break in a name is refused where it is")
    func lineEnds() throws {
        let directory = TemporaryDirectory()
        let path = directory.file("a.csv")
        try "name,note\r\n王芳,\"第一行\r\n第二行\r第三行\"\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        let book = try CSVTests.book()
        let result = CSVTests.run(book, "import csv \(path)")
        #expect(result.code == 0, "\(result.error)")
        #expect(try book.snapshot(of: book.resolveCustomer("王芳"))?.text(Schema.F.note) == "第一行\n第二行\n第三行")

        let bad = directory.file("b.csv")
        try "name,address\n李明,好\n李\t明,城东\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = CSVTests.run(book, "import csv \(bad)")
        #expect(refused.code == 1)
        #expect(refused.error.first?.hasPrefix("第 3 行第 1 列：姓名不能含有换行或制表符") == true, "\(refused.error)")
        try "name,address\n李明,\"城东\r\n3 号楼\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let address = CSVTests.run(book, "import csv \(bad)")
        #expect(address.error.first?.hasPrefix("第 2 行第 2 列：地址不能含有换行或制表符") == true, "\(address.error)")
        #expect(try book.customerCount() == 1)
    }
}
