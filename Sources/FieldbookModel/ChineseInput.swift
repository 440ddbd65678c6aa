/// What Chinese users type beside the ASCII forms: full-width characters, phone numbers as written in China, and
/// resident ID numbers (issue 19).
///
/// These checks apply where a user types a value (``FieldSpec/parse(_:today:)``, and through it `add`, `set`,
/// `import csv`); they are not part of ``Operation/valueProblem``, so an op already stored or received with an older
/// phone or ID number stays valid.

extension StringProtocol {
    /// The text with full-width ASCII forms (U+FF01–U+FF5E: `１２`, `．`, `，`, `％`, `＋`, `－`, `ｗ`) made their ASCII
    /// counterparts and the ideographic space (U+3000) a space. Everything else is kept.
    package var halfWidth: String {
        var scalars = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000: scalars.append(" ")
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}

/// Phone numbers as a manager types them: a mainland mobile, a landline with its area code, or a Hong Kong, Macau or
/// Taiwan number with its country code.
///
/// - Mobile: 11 digits, `1` then `3`–`9` (`138 0013 8000`, `138-0013-8000`); `+86` before it is kept.
/// - Landline: an area code of 3–4 digits starting with `0` (not `00`) and a number of 7–8 digits
///   (`021-12345678`, `0755-1234567`, `02112345678`). Typed with a space or dash after the area code, both parts are
///   checked; typed as one run of digits, 10–12 digits. Extensions are not taken (write them in the note).
/// - `+852` (Hong Kong) and `+853` (Macau) with 8 digits, `+886` (Taiwan) with 9–10 digits.
///
/// The stored value is what was typed without spaces and dashes, full-width digits made ASCII: `13800138000`,
/// `021-12345678` → `02112345678`, `+852 9123 4567` → `+85291234567`.
public enum PhoneNumber {
    /// Parses a typed phone number into the text stored.
    ///
    /// - Parameters:
    ///   - text: What the user typed.
    ///   - label: The field's name in messages (`电话`).
    /// - Throws: ``ModelError`` with code ``ModelError/Code/badValue``, naming the field and the rule, never the value.
    public static func parse(_ text: String, label: String) throws(ModelError) -> String {
        let t = text.halfWidth.trimmingSpaces()
        let isSeparator: (Character) -> Bool = { $0 == " " || $0 == "-" }
        guard !t.isEmpty, t.allSatisfy({ $0.isASCIIDigit || isSeparator($0) || $0 == "+" }),
            t.dropFirst().allSatisfy({ $0 != "+" })
        else {
            throw ModelError(.badValue, "\(label)只能有数字、空格和 -（境外号码以 + 开头）：请写\(hint)")
        }
        let digits = t.filter(\.isASCIIDigit)
        if t.hasPrefix("+") {
            for region in regions where digits.hasPrefix(region.code) {
                let rest = digits.dropFirst(region.code.count)
                if region.code == "86" {
                    guard isMobile(rest) else {
                        throw ModelError(.badValue, "\(label)：+86 后面应为 11 位手机号；大陆座机请写区号，例如 021-12345678")
                    }
                } else {
                    guard region.lengths.contains(rest.count) else {
                        let lengths = region.lengths
                        let count = lengths.count == 1 ? "\(lengths.lowerBound)" : "\(lengths.lowerBound)–\(lengths.upperBound)"
                        throw ModelError(.badValue, "\(label)：\(region.name)号码应为 +\(region.code) 加 \(count) 位数字")
                    }
                }
                return "+" + digits
            }
            throw ModelError(
                .badValue, "\(label)：境外号码只收 +852（香港）、+853（澳门）、+886（台湾）；大陆号码请写 11 位手机号或带区号的座机")
        }
        if digits.hasPrefix("00") {
            throw ModelError(.badValue, "\(label)：境外号码请以 + 开头，例如 +852 91234567")
        }
        if !digits.hasPrefix("0"), (7...8).contains(digits.count) {
            throw ModelError(.badValue, "\(label)：座机号要带区号，例如 021-12345678")
        }
        if digits.hasPrefix("1") {
            guard isMobile(Substring(digits)) else {
                throw ModelError(.badValue, "\(label)：手机号应为 11 位数字，以 13–19 开头，例如 13800138000")
            }
        } else if digits.hasPrefix("0") {
            let groups = t.split(whereSeparator: isSeparator)
            let valid: Bool
            if groups.count > 1 {
                let rest = groups.dropFirst().joined()
                valid = (3...4).contains(groups[0].count) && (7...8).contains(rest.count)
            } else {
                valid = (10...12).contains(digits.count)
            }
            guard valid else {
                throw ModelError(
                    .badValue, "\(label)：座机号应为区号（0 开头，3–4 位）加 7–8 位号码，例如 021-12345678、0755-1234567")
            }
        } else {
            throw ModelError(.badValue, "\(label)格式不对：请写\(hint)")
        }
        return digits
    }

    private static let hint = "手机号（13800138000）、带区号的座机（021-12345678）或港澳台号码（+852 91234567）"

    /// Country codes taken after `+`, their names and the lengths of the number that follows.
    private static let regions: [(code: String, name: String, lengths: ClosedRange<Int>)] = [
        ("852", "香港", 8...8), ("853", "澳门", 8...8), ("886", "台湾", 9...10), ("86", "大陆", 11...11),
    ]

    private static func isMobile(_ digits: Substring) -> Bool {
        guard digits.count == 11, digits.first == "1", let second = digits.dropFirst().first else { return false }
        return "3456789".contains(second)
    }
}

extension IDNumber {
    /// Parses a typed resident ID number into the text stored: 18 characters, a lowercase `x` made `X`, spaces and
    /// full-width digits allowed as typed.
    ///
    /// A 15-digit ID number (issued before 1999, no check character) is refused: every one was replaced by an
    /// 18-character number, which is the one to record.
    ///
    /// - Throws: ``ModelError`` with code ``ModelError/Code/badValue``, naming the field and the rule, never the value.
    public static func parse(_ text: String, label: String) throws(ModelError) -> String {
        let t = text.halfWidth.filter { $0 != " " }.uppercased()
        let characters = Array(t)
        if characters.count == 15, characters.allSatisfy(\.isASCIIDigit) {
            throw ModelError(.badValue, "\(label)是 15 位的旧号码：请填写 18 位的新号码（身份证上现在的号码）")
        }
        guard characters.count == 18, characters[0..<17].allSatisfy(\.isASCIIDigit),
            characters[17].isASCIIDigit || characters[17] == "X"
        else {
            throw ModelError(.badValue, "\(label)应为 18 位：前 17 位是数字，最后一位是数字或 X")
        }
        let year = Int(String(characters[6..<10]))!
        let month = Int(String(characters[10..<12]))!
        let day = Int(String(characters[12..<14]))!
        guard Day(year: year, month: month, day: day) != nil else {
            throw ModelError(.badValue, "\(label)里的出生日期（第 7–14 位）不存在：请核对号码")
        }
        guard isValid(t) else {
            throw ModelError(.badValue, "\(label)的校验位（最后一位）不对：请核对号码")
        }
        return t
    }
}
