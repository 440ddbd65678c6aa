import FieldbookModel
import FieldbookShell
import Testing

/// The history file's rule (issue 15): command words, flags, field names and short IDs are kept; every value and
/// every other word is elided.
@Suite struct HistoryFileTests {
    let wang = EntityID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)

    func redact(_ line: String) -> String? {
        HistoryFile.redact(line) { $0 == "王芳" || $0 == wang.short ? wang : nil }
    }

    @Test func valuesAndWordsAreElided() {
        let s = wang.short
        let cases: [(String, String)] = [
            ("set 王芳 phone=13800001111 note='想买理财'", "set \(s) phone=… note=…"),
            ("contact 王芳 call 聊了理财，身份证110101199001011234 next=+7d", "contact \(s) call … next=…"),
            ("find 王 tier=钻石 aum>=50万 --limit 5 --json", "find … tier=… aum>=… --limit … --json"),
            ("add 李四 id_number=11010519491231002X", "add … id_number=…"),
            ("tag 王芳 +VIP -老客户", "tag \(s) +… -…"),
            ("journal 王芳说=好 电话=138", "journal … 电话=…"),
            ("show 王芳; history \(s)", "show \(s); history \(s)"),
            ("frobnicate 13800001111", "… …"),
            ("complaint close 3kgd 已经处理", "complaint close … …"),
            ("export csv /tmp/客户.csv @", "export … … @"),
        ]
        for (typed, saved) in cases { #expect(redact(typed) == saved, "\(typed)") }
        #expect(redact("   ") == nil)
        #expect(redact("add 'unterminated") == nil)
    }

    @Test func savingIsIdempotent() {
        for line in ["set 王芳 phone=13800001111", "find 王 tier=钻石 --json", "tag 王芳 +VIP"] {
            let once = redact(line)
            #expect(once.flatMap(redact) == once)
        }
    }

    @Test func aPurgedCustomerIsFoundByShortID() {
        let other = EntityID(high: 1, low: 2)
        #expect(HistoryFile.mentions("set \(wang.short) note=…", any: [other, wang]))
        #expect(!HistoryFile.mentions("set \(other.short) note=…", any: [wang]))
        #expect(HistoryFile.path(forBook: "/h/book.sqlite") == "/h/book.history")
        #expect(HistoryFile.path(forBook: ":memory:") == nil)
    }
}
