import FieldbookModel
import Testing

/// Names by their pinyin or initials (``NamePinyin``), used by `admin find` and by the book's `find` (issue 18).
@Suite("Pinyin of names")
struct PinyinTests {
    @Test("a name by its pinyin, its initials, or a mix, from any syllable on")
    func pinyin() {
        for query in ["wangfang", "wf", "wangf", "wfang", "fang", "WangFang", "wang fang"] {
            #expect(NamePinyin.matches(NamePinyin.query(query) ?? "", name: "王芳"), "\(query)")
        }
        for query in ["angfang", "wx", "fw", "wangfangx", "wangfan g x"] {
            #expect(!NamePinyin.matches(NamePinyin.query(query) ?? "", name: "王芳"), "\(query)")
        }
        #expect(NamePinyin.matches("lxy", name: "吕小雨") && NamePinyin.matches("lvxiaoyu", name: "吕小雨"))
        #expect(NamePinyin.matches("luxiaoyu", name: "吕小雨"))
        #expect(NamePinyin.matches("zgf", name: "曾国藩") && NamePinyin.matches("zengguofan", name: "曾国藩"))
        #expect(NamePinyin.matches("oyn", name: "欧阳娜娜") && NamePinyin.matches("ouyangnana", name: "欧阳娜娜"))
        #expect(NamePinyin.matches("zsa", name: "张三A") && !NamePinyin.matches("zs", name: "李四"))
        #expect(NamePinyin.matches("alm", name: "阿卜杜拉·买买提") == false && NamePinyin.matches("abdlmmt", name: "阿卜杜拉·买买提"))
        #expect(NamePinyin.query("王") == nil && NamePinyin.query("w") == nil && NamePinyin.query("138") == nil)
        #expect(NamePinyin.query("w1") == nil && NamePinyin.query("Wang Fang") == "wangfang")
    }

    @Test("the stored key matches exactly as the name does", arguments: [
        "王芳", "吕小雨", "曾国藩", "欧阳娜娜", "张三A", "李四", "阿卜杜拉·买买提", "Tom", "",
    ])
    func keyMatchesAsTheName(name: String) {
        var pinyin = NamePinyin()
        let key = pinyin.key(name)
        #expect(NamePinyin.syllables(key: key) == pinyin.syllables(name))
        for query in ["wf", "wangfang", "lxy", "lvxiaoyu", "luxiaoyu", "zgf", "oyn", "zsa", "ls", "abdlmmt", "tom", "xy"] {
            #expect(NamePinyin.matches(query, key: key) == NamePinyin.matches(query, name: name), "\(name) \(query)")
        }
    }

    @Test func keysReadAsStored() {
        var pinyin = NamePinyin()
        #expect(pinyin.key("王芳") == "wang fang")
        #expect(pinyin.key("吕小雨") == "lv|lu xiao yu" || pinyin.key("吕小雨") == "lu|lv xiao yu")
        #expect(pinyin.key("曾国藩").hasPrefix("ceng|zeng ") || pinyin.key("曾国藩").hasPrefix("zeng "))
        #expect(pinyin.key("·") == "")
    }
}
