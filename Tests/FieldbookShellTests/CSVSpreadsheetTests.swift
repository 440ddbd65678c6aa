import FieldbookModel
import FieldbookShell
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// Spreadsheets as WPS and Excel in China save them (issue 19): GBK/GB18030 and UTF-8 files, every bad cell reported at
/// once, duplicates refused.
@Suite("CSV encodings, all problems and duplicates")
struct CSVSpreadsheetTests {
    static func book(_ principal: String = "M001", seed: UInt64 = 1) throws -> Book {
        try CSVTests.book(principal, seed: seed)
    }

    @discardableResult
    static func run(_ book: Book, _ line: String) -> (code: Int32, output: [String], error: [String]) {
        CSVTests.run(book, line)
    }

    /// Runs the system's `iconv` on a file: the encodings are made and checked by a converter other than ours.
    static func iconv(_ input: String, from: String, to: String, output: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["iconv", "-f", from, "-t", to, "-o", output, input]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "iconv -f \(from) -t \(to)")
    }

    static func names(_ book: Book) throws -> [String] {
        try book.find(includeArchived: true).map(\.name).sorted()
    }

    // MARK: - Encodings

    @Test("a GBK file made by iconv is read as GBK")
    func gbkFile() throws {
        let directory = TemporaryDirectory()
        let text = "姓名,电话,层级,备注,标签\n欧阳娜娜,13912345678,私人银行,\"喜欢旅游, 常去日本\",VIP、理财沙龙\n张伟,13700137000,普通,镕基金,\n"
        try text.write(toFile: directory.file("utf8.csv"), atomically: true, encoding: .utf8)
        try Self.iconv(directory.file("utf8.csv"), from: "UTF-8", to: "GBK", output: directory.file("gbk.csv"))
        let bytes = try #require(FileManager.default.contents(atPath: directory.file("gbk.csv")))
        #expect(String(data: bytes, encoding: .utf8) == nil, "the GBK file is not UTF-8")

        let book = try Self.book()
        let dryRun = Self.run(book, "import csv \(directory.file("gbk.csv")) --dry-run")
        #expect(dryRun.output == ["检查通过，没有导入（--dry-run）（按 GBK/GB18030 编码读取）：共 2 行，将新建 2 位，更新 0 位"])
        let result = Self.run(book, "import csv \(directory.file("gbk.csv"))")
        #expect(result.code == 0, "\(result.error)")
        #expect(result.output == ["已导入 2 行（按 GBK/GB18030 编码读取）：新建 2 位，更新 0 位"])
        #expect(try Self.names(book) == ["张伟", "欧阳娜娜"])
        let id = try book.resolveCustomer("欧阳娜娜")
        let card = try #require(try book.snapshot(of: id))
        #expect(card.text(Schema.F.note) == "喜欢旅游, 常去日本")
        #expect(card.sets[Schema.F.tags] == ["VIP", "理财沙龙"])
        #expect(try book.snapshot(of: try book.resolveCustomer("张伟"))?.text(Schema.F.note) == "镕基金")
    }

    @Test("a GB18030 file with characters GBK lacks (䶮 two bytes, 𠀀 four) is read exactly")
    func gb18030File() throws {
        let directory = TemporaryDirectory()
        try "name,note\n刘䶮,生僻字𠀀和€\n".write(toFile: directory.file("utf8.csv"), atomically: true, encoding: .utf8)
        try Self.iconv(directory.file("utf8.csv"), from: "UTF-8", to: "GB18030", output: directory.file("gb.csv"))
        let book = try Self.book()
        let result = Self.run(book, "import csv \(directory.file("gb.csv"))")
        #expect(result.code == 0, "\(result.error)")
        #expect(try Self.names(book) == ["刘䶮"])
        #expect(try book.snapshot(of: try book.resolveCustomer("刘䶮"))?.text(Schema.F.note) == "生僻字𠀀和€")
    }

    @Test("UTF-8 with and without a byte-order mark")
    func utf8() throws {
        let directory = TemporaryDirectory()
        let body = "name,phone\n王芳,13800138000\n"
        try Data(body.utf8).write(to: URL(fileURLWithPath: directory.file("plain.csv")))
        try (Data([0xEF, 0xBB, 0xBF]) + Data(body.utf8)).write(to: URL(fileURLWithPath: directory.file("bom.csv")))
        for file in ["plain.csv", "bom.csv"] {
            let book = try Self.book()
            let result = Self.run(book, "import csv \(directory.file(file))")
            #expect(result.output == ["已导入 1 行：新建 1 位，更新 0 位"], "\(file): \(result.error)")
            #expect(try Self.names(book) == ["王芳"], "\(file): the header's first title is name, not BOM + name")
        }
    }

    @Test("a file in neither encoding, or in UTF-16, is refused with a Chinese reason and nothing imported")
    func neither() throws {
        let directory = TemporaryDirectory()
        // 0x80 and 0xFF begin no character in UTF-8 or GB18030.
        let bad = Data("name\n".utf8) + Data([0xC0, 0x80, 0xFF, 0x41, 0x0A])
        try bad.write(to: URL(fileURLWithPath: directory.file("bad.csv")))
        var utf16 = Data([0xFF, 0xFE])
        for unit in "name\n王芳\n".utf16 { utf16.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        try utf16.write(to: URL(fileURLWithPath: directory.file("utf16.csv")))
        // A GBK file cut off in the middle of a character.
        try (Data("name\n".utf8) + Data([0xCD, 0xF5, 0xB7])).write(to: URL(fileURLWithPath: directory.file("cut.csv")))
        let book = try Self.book()
        for (file, start) in [("bad.csv", "文件编码无法识别"), ("utf16.csv", "文件是 UTF-16 编码"), ("cut.csv", "文件编码无法识别")] {
            for flags in ["", " --dry-run"] {
                let result = Self.run(book, "import csv \(directory.file(file))\(flags)")
                #expect(result.code == 1)
                #expect(result.error.count == 1)
                #expect(result.error.first?.hasPrefix(start) == true, "\(result.error)")
                #expect(result.error.first?.hasSuffix("没有导入任何客户") == true)
            }
        }
        #expect(try book.opCount() == 0)
    }

    @Test("export --encoding gbk is read back by iconv -f GBK, and imported back exactly, formula guard included")
    func exportGBK() throws {
        let directory = TemporaryDirectory()
        let book = try Self.book()
        Self.run(book, "add 王芳 phone=13800138000 tier=钻石 note='老客户，爱喝\"龙井\", 周末常来'")
        Self.run(book, "add '=HYPERLINK(\"http://x\",\"y\")' note=+1 tier=普通")
        Self.run(book, "tag 王芳 +VIP +理财沙龙")
        let utf8 = Self.run(book, "export csv \(directory.file("utf8.csv"))")
        #expect(utf8.code == 0, "\(utf8.error)")
        let gbk = Self.run(book, "export csv \(directory.file("gbk.csv")) --encoding gbk")
        #expect(gbk.output == ["已导出 2 位客户到 \(directory.file("gbk.csv"))（GBK CSV，Excel/WPS 可直接打开）"])
        let written = try #require(FileManager.default.contents(atPath: directory.file("gbk.csv")))
        #expect(!written.starts(with: [0xEF, 0xBB, 0xBF]), "no UTF-8 byte-order mark in a GBK file")
        #expect(String(data: written, encoding: .utf8) == nil)
        #expect(written.range(of: Data([0xCD, 0xF5, 0xB7, 0xBC])) != nil, "王芳 in GBK")

        try Self.iconv(directory.file("gbk.csv"), from: "GBK", to: "UTF-8", output: directory.file("back.csv"))
        let back = try #require(FileManager.default.contents(atPath: directory.file("back.csv")))
        let original = try #require(FileManager.default.contents(atPath: directory.file("utf8.csv")))
        #expect(Data([0xEF, 0xBB, 0xBF]) + back == original, "the same table as the UTF-8 export, without the BOM")
        #expect(String(decoding: back, as: UTF8.self).contains("\"'=HYPERLINK("), "the formula guard is in the GBK file too")

        let before = try CSVTests.state(of: book)
        let again = Self.run(book, "import csv \(directory.file("gbk.csv"))")
        #expect(again.output == ["已导入 2 行（按 GBK/GB18030 编码读取）：新建 0 位，更新 0 位，2 位没有变化"])
        let fresh = try Self.book("M002", seed: 2)
        let imported = Self.run(fresh, "import csv \(directory.file("gbk.csv"))")
        #expect(imported.code == 0, "\(imported.error)")
        #expect(try CSVTests.state(of: fresh) == before, "GBK export → import is exact")
    }

    @Test("export --encoding gbk with characters GBK lacks writes GB18030 and says so; gb18030 and utf8 are names too")
    func exportBeyondGBK() throws {
        let directory = TemporaryDirectory()
        let book = try Self.book()
        Self.run(book, "add 刘䶮 note=生僻字𠀀")
        let gbk = Self.run(book, "export csv \(directory.file("a.csv")) --encoding=GBK")
        #expect(gbk.output == [
            "已导出 1 位客户到 \(directory.file("a.csv"))（GBK CSV，Excel/WPS 可直接打开；有 2 个字 GBK 里没有，按 GB18030 写出，只认 GBK 的软件会显示成乱码）"
        ])
        try Self.iconv(directory.file("a.csv"), from: "GB18030", to: "UTF-8", output: directory.file("back.csv"))
        let back = String(decoding: try #require(FileManager.default.contents(atPath: directory.file("back.csv"))), as: UTF8.self)
        #expect(back.contains(",刘䶮,") && back.contains(",生僻字𠀀,"))

        let gb = Self.run(book, "export csv \(directory.file("b.csv")) 刘 --encoding gb18030")
        #expect(gb.output == ["已导出 1 位客户到 \(directory.file("b.csv"))（GB18030 CSV，Excel/WPS 可直接打开）"])
        #expect(FileManager.default.contents(atPath: directory.file("a.csv")) == FileManager.default.contents(atPath: directory.file("b.csv")))
        let utf8 = Self.run(book, "export csv \(directory.file("c.csv")) --encoding utf8")
        #expect(utf8.output == ["已导出 1 位客户到 \(directory.file("c.csv"))（UTF-8 CSV，Excel/WPS 可直接打开）"])
        #expect(FileManager.default.contents(atPath: directory.file("c.csv"))?.starts(with: [0xEF, 0xBB, 0xBF]) == true)

        for bad in ["--encoding big5", "--encoding", "--encoding=latin1"] {
            let result = Self.run(book, "export csv \(directory.file("d.csv")) \(bad)")
            #expect(result.code == 2, "\(bad)")
            #expect(result.error == ["--encoding 后面写 gbk、gb18030 或 utf8；用法：export csv 文件 [文字] [条件 …] [tag=标签] [--all] [--force] [--encoding gbk] [--with-id-numbers]"])
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("d.csv")))
    }

    // MARK: - Every problem at once

    static func write(_ text: String, _ directory: TemporaryDirectory, _ name: String = "bad.csv") throws -> String {
        let path = directory.file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("several bad cells are reported together, by place, without their values, and nothing is imported")
    func severalProblems() throws {
        let directory = TemporaryDirectory()
        let path = try Self.write(
            "name,phone,birthday,tier\n欧阳娜娜,13912345678,1980-02-30,钻石\n李明,13900139000,1980-01-01,青铜\n,13700137000,,\n赵敏,13600136000,1981-01-01,普通\n",
            directory)
        let book = try Self.book()
        Self.run(book, "add 王芳 phone=13800138000")
        let ops = try book.opCount()
        for flags in ["", " --dry-run"] {
            let result = Self.run(book, "import csv \(path)\(flags)")
            #expect(result.code == 1)
            #expect(result.output.isEmpty)
            #expect(result.error.count == 4, "\(result.error)")
            for (line, place) in zip(result.error, ["第 2 行第 3 列：日期", "第 3 行第 4 列：", "第 4 行第 1 列：缺少姓名"]) {
                #expect(line.hasPrefix(place), "\(line)")
            }
            #expect(result.error.last == "共 3 处错误；没有导入任何客户")
            let all = result.error.joined()
            #expect(!all.contains("欧阳") && !all.contains("青铜") && !all.contains("1391234"))
        }
        #expect(try book.opCount() == ops)
    }

    @Test("more than 50 problems: the first 50, then how many more")
    func manyProblems() throws {
        let directory = TemporaryDirectory()
        let rows = (0..<60).map { "客户\($0),13900139\(String(format: "%03d", $0)),1980-13-01" }
        let path = try Self.write("name,phone,birthday\n" + rows.joined(separator: "\n") + "\n", directory)
        let book = try Self.book()
        let result = Self.run(book, "import csv \(path)")
        #expect(result.code == 1)
        #expect(result.error.count == 51)
        #expect(result.error.first?.hasPrefix("第 2 行第 3 列：") == true)
        #expect(result.error[49].hasPrefix("第 51 行第 3 列："))
        #expect(result.error.last == "还有 10 处错误（共 60 处）；没有导入任何客户")
        #expect(try book.opCount() == 0)
    }

    @Test("every row with the wrong number of cells, and every bad title, is reported")
    func structure() throws {
        let directory = TemporaryDirectory()
        let book = try Self.book()
        let rows = Self.run(book, "import csv \(try Self.write("name,phone\n李明,13900139000,多\n张伟,13700137000\n赵敏\n", directory))")
        #expect(rows.error.count == 3)
        #expect(rows.error.first?.hasPrefix("第 2 行：这一行有 3 列") == true)
        #expect(rows.error.dropFirst().first?.hasPrefix("第 4 行：这一行有 1 列") == true)
        #expect(rows.error.last == "共 2 处错误；没有导入任何客户")
        let titles = Self.run(book, "import csv \(try Self.write("name,tir,owner\n李明,钻石,M002\n", directory, "t.csv"))")
        #expect(titles.error.count == 3)
        #expect(titles.error.first == "第 1 行第 2 列：未知列名，是否要写 \"tier\"？")
        #expect(titles.error.dropFirst().first?.hasPrefix("第 1 行第 3 列：管户不能导入") == true)
        #expect(try book.opCount() == 0)
    }

    // MARK: - Duplicates

    @Test("a row with an existing customer's name and phone, or ID number, is refused unless --allow-duplicates")
    func duplicates() throws {
        let directory = TemporaryDirectory()
        let book = try Self.book()
        let added = Self.run(book, "add 王芳 phone=13800138000 id_number=11010519491231002X")
        let short = try #require(added.output.first?.split(separator: "[").last?.prefix(6))
        let path = try Self.write(
            """
            姓名,电话,身份证,备注
            王芳,+86 138-0013-8000,,同名同电话
            王芳,13900139000,,同名不同电话：另一位
            李明,13700137000,11010519491231002x,同一身份证
            张伟,,,没有电话
            张伟,,,没有电话的同名不算重复
            赵敏,13600136000,,
            赵敏,13600136000,,文件里的第二行

            """, directory)
        let ops = try book.opCount()
        for flags in ["", " --dry-run"] {
            let result = Self.run(book, "import csv \(path)\(flags)")
            #expect(result.code == 1)
            #expect(result.error == [
                "第 2 行：姓名和电话与已有客户 [\(short)] 相同，可能重复：要更新这位客户请填上导出文件里的 id，确实是另一位客户请加 --allow-duplicates",
                "第 4 行第 3 列：身份证号和已有客户 [\(short)] 相同，可能重复：要更新这位客户请填上导出文件里的 id，确实是另一位客户请加 --allow-duplicates",
                "第 8 行：姓名和电话与第 7 行相同，可能重复：要更新这位客户请填上导出文件里的 id，确实是另一位客户请加 --allow-duplicates",
                "共 3 处错误；没有导入任何客户",
            ])
        }
        #expect(try book.opCount() == ops)

        let allowed = Self.run(book, "import csv \(path) --allow-duplicates")
        #expect(allowed.code == 0, "\(allowed.error)")
        #expect(allowed.output == ["已导入 7 行：新建 7 位，更新 0 位；其中 3 行可能重复（--allow-duplicates），照样新建"])
        #expect(try book.customerCount() == 8)
    }

    @Test("a row with the customer's exported id updates it and is no duplicate; one duplicate alone is one line")
    func idIsNoDuplicate() throws {
        let directory = TemporaryDirectory()
        let book = try Self.book()
        Self.run(book, "add 王芳 phone=13800138000")
        let id = try book.resolveCustomer("王芳")
        let path = try Self.write("id,name,phone,tier\n\(id.text),王芳,13800138000,钻石\n", directory)
        #expect(Self.run(book, "import csv \(path)").output == ["已导入 1 行：新建 0 位，更新 1 位"])
        let without = try Self.write("name,phone\n王芳,13800138000\n", directory, "b.csv")
        let refused = Self.run(book, "import csv \(without)")
        #expect(refused.error == [
            "第 2 行：姓名和电话与已有客户 [\(id.short)] 相同，可能重复：要更新这位客户请填上导出文件里的 id，确实是另一位客户请加 --allow-duplicates；没有导入任何客户"
        ])
    }

    @Test("re-importing an export adds nothing: into its own book by id, into another book refused as duplicates")
    func reimport() throws {
        let directory = TemporaryDirectory()
        let source = try Self.book()
        try CSVTests.generate(into: source, count: 200, seed: 19)
        let path = directory.file("all.csv")
        #expect(Self.run(source, "export csv \(path)").code == 0)
        let state = try CSVTests.state(of: source)
        #expect(Self.run(source, "import csv \(path)").output == ["已导入 200 行：新建 0 位，更新 0 位，200 位没有变化"])
        #expect(try CSVTests.state(of: source) == state)

        let other = try Self.book("M002", seed: 2)
        #expect(Self.run(other, "import csv \(path)").output == ["已导入 200 行：新建 200 位，更新 0 位"])
        let ops = try other.opCount()
        let again = Self.run(other, "import csv \(path)")
        #expect(again.code == 1)
        #expect(again.error.count == 51, "200 duplicates: 50 listed, then the count")
        #expect(again.error.last == "还有 150 处错误（共 200 处）；没有导入任何客户")
        #expect(try other.opCount() == ops)
        #expect(try other.customerCount() == 200)
    }
}
