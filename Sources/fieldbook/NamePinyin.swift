import Foundation

/// Finding a Chinese name by what a user types on a Latin keyboard: its full pinyin (`wangfang`), its initials
/// (`wf`), or a mix of the two (`wangf`, `wfang`), from any syllable on (`fang`), without tones; `v` or `u` for `ü`
/// (`lv`, `lu` for 吕).
///
/// Used by `admin find`. The readings come from Foundation's `mandarinToLatin` transform, one character at a time
/// (cached), plus the surname readings it gets wrong for the first character (曾 zeng, 单 shan, 解 xie …). A letter
/// or digit in a name is a syllable of its own (`张三A`: zhang san a); other characters (`·`, spaces) are skipped.
///
/// Issue 18 asks the shell's `find` for the same; there is no pinyin search in FieldbookModel, FieldbookStore or
/// FieldbookShell yet. This type has no dependency on the executable, so it can move to FieldbookModel then and
/// serve both.
struct NamePinyin {
    /// The readings of each character seen so far.
    private var cache: [Character: [String]] = [:]

    init() {}

    /// The query a text is, when it can be one: two or more ASCII letters once spaces and `'` are dropped,
    /// lower-cased; `nil` otherwise (Chinese, digits, a single letter).
    static func query(_ text: String) -> String? {
        let letters = text.lowercased().filter { $0 != " " && $0 != "'" }
        guard letters.count >= 2, letters.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        return letters
    }

    /// Whether `query` (as ``query(_:)`` returns it) names `name`: it is read, from some syllable on, as a
    /// non-empty prefix of each following syllable in turn.
    mutating func matches(_ query: String, name: String) -> Bool {
        let syllables = self.syllables(name)
        let query = Array(query)
        func consume(_ position: Int, _ syllable: Int) -> Bool {
            if position == query.count { return true }
            guard syllable < syllables.count else { return false }
            for reading in syllables[syllable] {
                let reading = Array(reading)
                var length = 0
                while length < reading.count, position + length < query.count,
                    reading[length] == query[position + length]
                {
                    length += 1
                    if consume(position + length, syllable + 1) { return true }
                }
            }
            return false
        }
        return (0..<syllables.count).contains { consume(0, $0) }
    }

    /// Convenience for one name.
    static func matches(_ query: String, name: String) -> Bool {
        var pinyin = NamePinyin()
        return pinyin.matches(query, name: name)
    }

    /// The readings of each syllable of `name`, in order.
    mutating func syllables(_ name: String) -> [[String]] {
        var result: [[String]] = []
        for character in name {
            if character.isASCII, character.isLetter || character.isNumber {
                result.append([character.lowercased()])
                continue
            }
            guard character.unicodeScalars.first.map(Self.isHan) == true else { continue }
            var readings = readings(of: character)
            if result.isEmpty, let surname = Self.surnames[character], !readings.contains(surname) {
                readings.append(surname)
            }
            if !readings.isEmpty { result.append(readings) }
        }
        return result
    }

    /// A Chinese character's reading without tones, and with `v` for `ü` as a second reading.
    private mutating func readings(of character: Character) -> [String] {
        if let known = cache[character] { return known }
        let latin = String(character).applyingTransform(.mandarinToLatin, reverse: false) ?? ""
        let plain = (latin.applyingTransform(.stripDiacritics, reverse: false) ?? latin).lowercased()
            .filter { $0.isASCII && $0.isLetter }
        var readings: [String] = []
        if !plain.isEmpty { readings.append(plain) }
        let umlauts: Set<Character> = ["ü", "ǖ", "ǘ", "ǚ", "ǜ", "Ü"]
        if latin.contains(where: { umlauts.contains($0) }) {
            let withV = String(latin.lowercased().map { umlauts.contains($0) ? "v" : $0 })
                .applyingTransform(.stripDiacritics, reverse: false)?.filter { $0.isASCII && $0.isLetter } ?? ""
            if !withV.isEmpty, withV != plain { readings.append(withV) }
        }
        cache[character] = readings
        return readings
    }

    /// CJK ideographs (the basic block and extensions A–B, compatibility ideographs).
    private static func isHan(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0xF900...0xFAFF: return true
        default: return false
        }
    }

    /// Surnames whose reading as a surname differs from the character's usual one.
    static let surnames: [Character: String] = [
        "曾": "zeng", "单": "shan", "解": "xie", "乐": "yue", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
        "盖": "ge", "覃": "qin", "翟": "zhai", "缪": "miao", "秘": "bi", "种": "chong", "尉": "yu", "召": "shao",
    ]
}
