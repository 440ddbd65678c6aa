import Foundation
import Synchronization

/// Finding a Chinese name by what a user types on a Latin keyboard: its full pinyin (`wangfang`), its initials
/// (`wf`), or a mix of the two (`wangf`, `wfang`), from any syllable on (`fang`), without tones; `v` or `u` for `ü`
/// (`lv`, `lu` for 吕).
///
/// Used by `admin find` and by the book's `find` (issue 18). The readings come from Foundation's `mandarinToLatin`
/// transform, one character at a time (cached), plus the surname readings it gets wrong for the first character
/// (曾 zeng, 单 shan, 解 xie …). A letter or digit in a name is a syllable of its own (`张三A`: zhang san a); other
/// characters (`·`, spaces) are skipped.
///
/// A book stores each customer's readings as a ``key(_:)`` beside its search text (the transform costs tens of
/// microseconds a character, too slow to run over thousands of names at every `find`), and matches a query against
/// the stored key with ``matches(_:key:)``.
///
/// ```swift
/// var pinyin = NamePinyin()
/// let key = pinyin.key("吕小雨")                   // "lv|lu xiao yu"
/// NamePinyin.matches("lxy", key: key)             // true
/// ```
public struct NamePinyin: Sendable {
    /// The readings of each character seen so far, shared by every converter of the process: a book's projector
    /// reads every name it (re)writes, and names share a few thousand characters.
    private static let cache = Mutex<[Character: [String]]>([:])

    /// A converter with an empty cache.
    public init() {}

    /// The query a text is, when it can be one: two or more ASCII letters once spaces and `'` are dropped,
    /// lower-cased; `nil` otherwise (Chinese, digits, a single letter).
    public static func query(_ text: String) -> String? {
        let letters = text.lowercased().filter { $0 != " " && $0 != "'" }
        guard letters.count >= 2, letters.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
        return letters
    }

    /// Whether `query` (as ``query(_:)`` returns it) names `name`: it is read, from some syllable on, as a
    /// non-empty prefix of each following syllable in turn.
    public mutating func matches(_ query: String, name: String) -> Bool {
        Self.matches(query, syllables: syllables(name))
    }

    /// Whether `query` names the name whose ``key(_:)`` is `key`.
    public static func matches(_ query: String, key: String) -> Bool {
        matches(query, syllables: syllables(key: key))
    }

    /// The stored form of a name's readings: its syllables separated by spaces, each syllable's readings by `|`
    /// (`lv|lu xiao yu`); empty for a name without Chinese characters, letters or digits.
    public mutating func key(_ name: String) -> String {
        syllables(name).map { $0.joined(separator: "|") }.joined(separator: " ")
    }

    /// The syllables a ``key(_:)`` stores.
    public static func syllables(key: String) -> [[String]] {
        key.split(separator: " ").map { $0.split(separator: "|").map(String.init) }
    }

    /// Whether `query` is read, from some syllable on, as a non-empty prefix of each following syllable in turn.
    static func matches(_ query: String, syllables: [[String]]) -> Bool {
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
    public static func matches(_ query: String, name: String) -> Bool {
        var pinyin = NamePinyin()
        return pinyin.matches(query, name: name)
    }

    /// The readings of each syllable of `name`, in order.
    public mutating func syllables(_ name: String) -> [[String]] {
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
        if let known = Self.cache.withLock({ $0[character] }) { return known }
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
        Self.cache.withLock { $0[character] = readings }
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
    public static let surnames: [Character: String] = [
        "曾": "zeng", "单": "shan", "解": "xie", "乐": "yue", "仇": "qiu", "区": "ou", "查": "zha", "朴": "piao",
        "盖": "ge", "覃": "qin", "翟": "zhai", "缪": "miao", "秘": "bi", "种": "chong", "尉": "yu", "召": "shao",
    ]
}
