import FieldbookShell
import Testing

@Suite("Tokenizer, tables and JSON")
struct ShellUnitTests {
    @Test func tokenizer() throws {
        #expect(try Tokenizer.split("add 王芳 phone=13800138000 tier=钻石") == [["add", "王芳", "phone=13800138000", "tier=钻石"]])
        #expect(try Tokenizer.split("add 王芳; find 王") == [["add", "王芳"], ["find", "王"]])
        #expect(try Tokenizer.split("set 王芳 note='老客户; 爱喝茶'") == [["set", "王芳", "note=老客户; 爱喝茶"]])
        #expect(try Tokenizer.split(#"set 王芳 note="说 \"好\"""#) == [["set", "王芳", #"note=说 "好""#]])
        #expect(try Tokenizer.split(#"contact 王芳 call a\ b"#) == [["contact", "王芳", "call", "a b"]])
        #expect(try Tokenizer.split("find 王 # 找姓王的") == [["find", "王"]])
        #expect(try Tokenizer.split("tag 王芳 +#1") == [["tag", "王芳", "+#1"]])
        #expect(try Tokenizer.split("find\u{3000}王") == [["find", "王"]])
        #expect(try Tokenizer.split("   ;; # nothing") == [])
        #expect(try Tokenizer.split("add ''") == [["add", ""]])
        #expect(throws: ShellError.self) { try Tokenizer.split("add '王芳") }
        #expect(throws: ShellError.self) { try Tokenizer.split("add 王芳\\") }
    }

    @Test func arguments() throws {
        let parsed = try Arguments(["王芳", "+VIP", "-沙龙"], command: Commands.find("tag")!)
        #expect(parsed.positionals == ["王芳"])
        #expect(parsed.edits.map(\.element) == ["VIP", "沙龙"])
        #expect(parsed.edits.map(\.add) == [true, false])
        let added = try Arguments(["王芳", "+VIP", "tier=钻石", "note=a=b"], command: Commands.find("add")!)
        #expect(added.positionals == ["王芳", "+VIP"])
        #expect(added.assignments.map(\.key) == ["tier", "note"])
        #expect(added.assignments.map(\.value) == ["钻石", "a=b"])
        #expect(try Arguments(["王芳", "--json"], command: Commands.find("show")!).json)
        // Without edits, "-5万" is a word (a movement amount), not a tag removal.
        #expect(try Arguments(["王芳", "-5万"], command: Commands.find("movement")!).positionals == ["王芳", "-5万"])
    }

    @Test func displayWidthAlignsChineseColumns() {
        #expect(DisplayWidth.of("王芳") == 4)
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("欧阳娜娜 A") == 10)
        #expect(DisplayWidth.of("ｆｕｌｌ") == 8)
        var table = TextTable(header: ["ID", "姓名", "层级"])
        table.append(["vqk063", "王芳", "钻石"])
        table.append(["nvk3g4", "欧阳娜娜", "金葵花"])
        table.append(["x", "Li", ""])
        #expect(table.render() == [
            "ID      姓名      层级",
            "vqk063  王芳      钻石",
            "nvk3g4  欧阳娜娜  金葵花",
            "x       Li",
        ])
    }

    @Test func json() {
        let document = JSON.object([
            ("name", .string("王芳 \"小芳\"\n")), ("n", .int(3)), ("tags", .array([])), ("x", .null),
            ("list", .array([.bool(true), .number("1.5")])),
        ])
        #expect(document.render() == """
            {
              "name": "王芳 \\"小芳\\"\\n",
              "n": 3,
              "tags": [],
              "x": null,
              "list": [
                true,
                1.5
              ]
            }
            """)
    }
}
