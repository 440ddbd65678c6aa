/// One field of the schema: its number, name, type, the entity kinds it belongs to, and who may write it.
public struct FieldSpec: Sendable, Hashable {
    /// What values a field holds, and how typed text becomes one.
    public enum FieldType: Sendable, Hashable {
        /// Free text.
        case text
        /// A phone number: a mainland mobile, a landline with area code, or a +852/+853/+886 number (``PhoneNumber``).
        case phone
        /// A PRC resident ID number (18 characters, checksum verified). Sensitive.
        case idNumber
        /// A calendar day.
        case date
        /// A time of day, stored as `HH:MM` text (``TimeOfDay``).
        case time
        /// Money in fen.
        case money
        /// Money that may be negative (account movements).
        case signedMoney
        /// A percentage.
        case percent
        /// A price: a decimal with 4 places.
        case price
        /// Yes or no.
        case bool
        /// One of a fixed list of choices.
        case choice([Choice])
        /// A principal's employee code.
        case principal
        /// An add-wins set of text elements (tags, co-coverers); written with add and remove, never set.
        case set
    }

    /// One allowed value of a choice field: its canonical text and the other spellings accepted for it.
    public struct Choice: Sendable, Hashable {
        /// What is stored and shown (`钻石`).
        public var canonical: String
        /// Other accepted spellings, compared case-insensitively (`diamond`).
        public var aliases: [String]

        /// What the shell shows for this choice: the canonical text when it is Chinese (`钻石`), else the first
        /// alias that is (`call` shows as `电话`), so that no English code reaches a user.
        public var shown: String {
            if !canonical.unicodeScalars.contains(where: { $0.properties.isAlphabetic && $0.isASCII })
                || canonical.count <= 2
            {
                return canonical
            }
            return aliases.first { alias in !alias.unicodeScalars.contains { $0.isASCII } } ?? canonical
        }

        /// Makes a choice.
        public init(_ canonical: String, _ aliases: String...) {
            self.canonical = canonical
            self.aliases = aliases
        }

        /// Makes a choice from a list of aliases (as ``Vocabulary/choice`` does).
        public init(_ canonical: String, aliases: [String]) {
            self.canonical = canonical
            self.aliases = aliases
        }
    }

    /// Who may write a field.
    public enum Writer: Sendable, Hashable {
        /// Anyone who covers the entity.
        case anyone
        /// Only an administrator or the central node's policy (coverage).
        case admin
    }

    /// The stable number.
    public var id: FieldID
    /// The name typed in `key=value`.
    public var name: String
    /// The Chinese label shown on cards.
    public var label: String
    /// The value type.
    public var type: FieldType
    /// The entity kinds that have this field.
    public var kinds: Set<EntityKind>
    /// Whether the value is personal data that must never appear in logs or errors, and is masked in listings.
    public var sensitive: Bool
    /// Who may write it.
    public var writer: Writer

    /// Makes a field.
    public init(
        _ id: UInt16, _ name: String, _ label: String, _ type: FieldType, _ kinds: Set<EntityKind>,
        sensitive: Bool = false, writer: Writer = .anyone
    ) {
        self.id = FieldID(rawValue: id)
        self.name = name
        self.label = label
        self.type = type
        self.kinds = kinds
        self.sensitive = sensitive
        self.writer = writer
    }

    /// A value as the shell shows it: a choice by its Chinese name (``Choice/shown``), anything else by
    /// ``Value/display``.
    public func shown(_ value: Value) -> String {
        if case .text(let text) = value, let choice = choices.first(where: { $0.canonical == text }) { return choice.shown }
        return value.display
    }

    /// Whether the field is an add-wins set.
    public var isSet: Bool { type == .set }

    /// The choices, for a choice field.
    public var choices: [Choice] {
        if case .choice(let list) = type { return list }
        return []
    }

    /// Parses typed text into a value of this field's type.
    ///
    /// Full-width digits and punctuation are read as their ASCII forms in numbers, money, percentages, prices and
    /// dates. Phone numbers and ID numbers are checked here, where they are typed (``PhoneNumber``,
    /// ``IDNumber/parse(_:label:)``), not in ``accepts(_:)``, which also judges ops already written.
    ///
    /// - Parameters:
    ///   - text: What the user typed after `=`. An empty text clears the field.
    ///   - today: The day relative dates count from.
    /// - Throws: ``ModelError`` naming the field and the expected format, never the value.
    public func parse(_ text: String, today: Day) throws(ModelError) -> Value {
        let t = text.trimmingSpaces()
        if t.isEmpty { return .null }
        switch type {
        case .text:
            return .text(t)
        case .principal:
            guard t.count <= 32, t.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ModelError(.badValue, "\(label)应为员工编号（字母、数字、- 或 _）")
            }
            return .text(t)
        case .phone:
            return .text(try PhoneNumber.parse(t, label: label))
        case .idNumber:
            return .text(try IDNumber.parse(t, label: label))
        case .date:
            return .date(try Day.parse(t, today: today))
        case .time:
            return .text(try TimeOfDay.parse(t).text)
        case .money:
            return .money(try Money.parse(t))
        case .signedMoney:
            return .money(try Money.parse(t, allowNegative: true))
        case .percent:
            return .percent(try Percent.parse(t))
        case .price:
            guard let v = FixedPoint.parse(t.halfWidth, places: 4, allowNegative: false), v > 0 else {
                throw ModelError(.badValue, "\(label)应为正数，最多 4 位小数，例如 1.0523")
            }
            return .decimal(v)
        case .bool:
            switch t.lowercased() {
            case "yes", "true", "1", "是", "y": return .bool(true)
            case "no", "false", "0", "否", "n": return .bool(false)
            default: throw ModelError(.badValue, "\(label)应为 是 或 否")
            }
        case .choice(let choices):
            let lower = t.lowercased()
            for choice in choices where choice.canonical.lowercased() == lower || choice.aliases.contains(lower) {
                return .text(choice.canonical)
            }
            let list = choices.map(\.shown).joined(separator: " ")
            throw ModelError(.badEnum, "\(label)只能是：\(list)")
        case .set:
            throw ModelError(.badOperation, "\(label)是集合，请用 +值 / -值 修改")
        }
    }
}

/// Validation of PRC resident ID numbers (GB 11643-1999): 17 digits and a check character.
public enum IDNumber {
    /// Whether an 18-character ID number has a valid birth date and check character.
    public static func isValid(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 18, characters[0..<17].allSatisfy(\.isASCIIDigit) else { return false }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        var sum = 0
        for index in 0..<17 { sum += Int(String(characters[index]))! * weights[index] }
        let check = Array("10X98765432")[sum % 11]
        guard characters[17] == check else { return false }
        let year = Int(String(characters[6..<10]))!
        let month = Int(String(characters[10..<12]))!
        let day = Int(String(characters[12..<14]))!
        return Day(year: year, month: month, day: day) != nil
    }
}
