import FieldbookModel

/// One way of writing a command, as a sequence of ``Element``s: `complaint 客户 内容 [due=日期]` and
/// `complaint close 投诉ID 处理结果` are the two forms of `complaint`. A form that begins with a keyword is chosen
/// when the first word is that keyword; the others otherwise.
///
/// The usage line, the validation of `key=value` words, `help CMD` and tab completion are all derived from the
/// elements (``CommandSpec``).
///
/// ```swift
/// CommandForm(.argument("客户", .customer), .argument("内容", .text, .oneOrMore), .key("due", "日期", .date))
/// ```
public struct CommandForm: Sendable {
    /// How many words a positional argument takes.
    public enum Arity: Sendable, Equatable {
        /// Exactly one word.
        case one
        /// One word or none.
        case optional
        /// One or more words (free text is then the words joined with spaces).
        case oneOrMore
        /// Any number of words.
        case zeroOrMore
    }

    /// One part of a form.
    public enum Element: Sendable {
        /// A fixed word that selects the form (`close`), with its aliases (`关闭`).
        case literal(String, aliases: [String])
        /// A positional argument: its name in the usage line, what it holds, how many words.
        case positional(String, ArgumentSlot, Arity)
        /// `key=value`: the key, the value's name in the usage line, what it holds, whether it must be given.
        /// A key written with a dot (`cadence.层级`) stands for every key with that first part (`cadence.钻石`);
        /// `note|事由` declares a key with an alias (the usage line shows the first).
        case assignment(String, String, ArgumentSlot, required: Bool)
        /// Any field a manager may write of an entity kind, as `字段=值` (names or Chinese labels); `shown` puts
        /// `[字段=值 …]` in the usage line.
        case entityFields(EntityKind, required: Bool, shown: Bool)
        /// `+标签 -标签 …`: tags to add and remove.
        case tagEdits
        /// Segment filters (`aum>1000万`, `tier>=钻石`, `birthday=12月`, ``CustomerFilter``), shown as `[条件 …]`.
        case segmentFilters
    }

    /// The parts, in order.
    public var elements: [Element]
    /// Flags only this form takes (the command's own flags apply to every form).
    public var flags: [CommandFlag]

    /// Makes a form.
    public init(_ elements: Element..., flags: [CommandFlag] = []) {
        self.elements = elements
        self.flags = flags
    }

    /// The keyword this form begins with, and its aliases.
    var leadingKeyword: [String]? {
        if case .literal(let word, let aliases)? = elements.first { return [word] + aliases }
        return nil
    }

    /// The entity kind whose fields the form takes as `字段=值`, if any.
    var fieldKind: EntityKind? {
        for case .entityFields(let kind, _, _) in elements { return kind }
        return nil
    }

    /// The declared `key=value` keys, with their slots.
    var keys: [(key: String, slot: ArgumentSlot)] {
        elements.compactMap { if case .assignment(let key, _, let slot, _) = $0 { (key, slot) } else { nil } }
    }

    /// Whether the form takes segment filters (`aum>1000万`).
    var takesFilters: Bool { elements.contains { if case .segmentFilters = $0 { true } else { false } } }

    /// Whether any `key=value` may be typed (fields of a kind, or filters), so that keys are checked by the handler.
    var acceptsAnyKey: Bool { fieldKind != nil || takesFilters }

    /// Whether `+T`/`-T` words are tag edits.
    var takesEdits: Bool { elements.contains { if case .tagEdits = $0 { true } else { false } } }

    /// The usage line of this form with the command's name and flags: `tasks [客户] [--all] [--limit N] [--json]`.
    func usage(command: String, flags commandFlags: [CommandFlag]) -> String {
        var parts = [command]
        for element in elements {
            switch element {
            case .literal(let word, _): parts.append(word)
            case .positional(let name, let slot, let arity):
                let many = slot == .text ? name : name + " …"
                switch arity {
                case .one: parts.append(name)
                case .optional: parts.append("[\(name)]")
                case .oneOrMore: parts.append(many)
                case .zeroOrMore: parts.append("[\(many)]")
                }
            case .assignment(let keys, let value, _, let required):
                let key = keys.split(separator: "|").first.map(String.init) ?? keys
                parts.append(required ? "\(key)=\(value)" : "[\(key)=\(value)]")
            case .entityFields(_, let required, let shown) where shown: parts.append(required ? "字段=值 …" : "[字段=值 …]")
            case .entityFields: break
            case .tagEdits: parts.append("+标签 -标签 …")
            case .segmentFilters: parts.append("[条件 …]")
            }
        }
        parts += (flags + commandFlags).filter(\.inUsage).map(\.usage)
        return parts.joined(separator: " ")
    }

    /// Whether a typed key is one this form declares: by name, by a field's Chinese label (`日期` for `date`), or
    /// by the first part of a dotted key.
    func declares(key typed: String) -> Bool { slot(ofKey: typed) != nil }

    /// The slot of the value of a typed key, when the form declares the key.
    func slot(ofKey typed: String) -> ArgumentSlot? {
        let lower = typed.lowercased()
        return keys.first { declared, _ in
            declared.split(separator: "|").contains { name in
                if let dot = name.firstIndex(of: ".") { return lower.hasPrefix(name[...dot].lowercased()) }
                return lower == name || Schema.fields.contains { $0.name == name && $0.label == typed }
            }
        }?.slot
    }

    /// The slots the positional word at `index` may be, given the words before it (several when an optional
    /// argument may or may not have been given: `task [客户] 内容`).
    func slots(at index: Int) -> [ArgumentSlot] {
        var positions: Set<Int> = [0]  // the indexes the next element may start at
        var result: [ArgumentSlot] = []
        for element in elements {
            let slot: ArgumentSlot
            let arity: CommandForm.Arity
            switch element {
            case .literal(let word, let aliases):
                slot = .choice([word] + aliases)
                arity = .one
            case .positional(_, let s, let a):
                slot = s
                arity = a
            default: continue
            }
            switch arity {
            case .one:
                if positions.contains(index) { result.append(slot) }
                positions = Set(positions.map { $0 + 1 })
            case .optional:
                if positions.contains(index) { result.append(slot) }
                positions.formUnion(positions.map { $0 + 1 })
            case .oneOrMore, .zeroOrMore:
                // Takes every word that is left.
                if let first = positions.min(), index >= first { result.append(slot) }
                return result
            }
        }
        return result
    }
}

extension CommandForm.Element {
    /// A positional argument (one word unless said otherwise).
    public static func argument(_ name: String, _ slot: ArgumentSlot, _ arity: CommandForm.Arity = .one) -> Self {
        .positional(name, slot, arity)
    }
    /// An optional `key=value`.
    public static func key(_ key: String, _ value: String, _ slot: ArgumentSlot = .text) -> Self {
        .assignment(key, value, slot, required: false)
    }
    /// A `key=value` that must be given.
    public static func requiredKey(_ key: String, _ value: String, _ slot: ArgumentSlot = .text) -> Self {
        .assignment(key, value, slot, required: true)
    }
    /// Fields of a kind as `字段=值`: optional and shown as `[字段=值 …]` unless said otherwise.
    public static func fields(_ kind: EntityKind, required: Bool = false, shown: Bool = true) -> Self {
        .entityFields(kind, required: required, shown: shown)
    }
    /// A keyword that selects the form.
    public static func keyword(_ word: String, aliases: [String] = []) -> Self { .literal(word, aliases: aliases) }
}
