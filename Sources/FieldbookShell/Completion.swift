import FieldbookModel
import FieldbookStore

/// What the completer may offer from the book: customers, tags and open task and complaint IDs.
///
/// ``BookCompletionSource`` reads a ``Book``; tests can give fixed lists.
public protocol CompletionSource {
    /// Customers whose name or short ID begins with `prefix`: `(short ID, name)`.
    func customers(prefix: String) -> [(id: String, name: String)]
    /// Tags in use.
    func tags() -> [String]
    /// Short IDs of open tasks.
    func openTasks() -> [String]
    /// Short IDs of open complaints.
    func openComplaints() -> [String]
    /// Product codes in the catalogue.
    func products() -> [String]
    /// Short IDs of family members.
    func familyMembers() -> [String]
}

extension CompletionSource {
    /// No products by default.
    public func products() -> [String] { [] }
    /// No family members by default.
    public func familyMembers() -> [String] { [] }
}

/// A ``CompletionSource`` over a book. Every read is a small indexed query; errors give no candidates.
public struct BookCompletionSource: CompletionSource {
    /// The book.
    public let book: Book

    /// Makes a source.
    public init(book: Book) { self.book = book }

    public func customers(prefix: String) -> [(id: String, name: String)] {
        ((try? book.customers(withPrefix: prefix, limit: 100)) ?? []).map { ($0.id.short, $0.name) }
    }

    public func tags() -> [String] { (try? book.setElements(Schema.F.tags)) ?? [] }

    public func openTasks() -> [String] {
        ((try? book.entities(kind: .task)) ?? []).filter { !TaskCommands.isDone($0) }.map(\.id.short)
    }

    public func openComplaints() -> [String] {
        ((try? book.entities(kind: .complaint)) ?? []).filter(ComplaintCommands.isOpen).map(\.id.short)
    }

    public func products() -> [String] {
        ((try? book.entities(kind: .product)) ?? []).compactMap { $0.value(Schema.F.code)?.text }
    }

    public func familyMembers() -> [String] {
        ((try? book.entities(kind: .family)) ?? []).filter { $0.value(Schema.F.archived) != .bool(true) }.map(\.id.short)
    }
}

/// Tab completion for the interactive shell, kept free of the line editor so that it can be tested: given a line
/// and the cursor, which words could replace the word under the cursor.
///
/// A word runs from the last space before the cursor to the cursor; every candidate is a whole word (`tier=钻石`,
/// not `钻石`), so the line editor must split words on spaces only.
///
/// ```swift
/// let completer = Completer(source: BookCompletionSource(book: book))
/// completer.complete(line: "show 欧阳", cursor: 7).candidates   // ["欧阳娜娜"]
/// completer.complete(line: "set 王芳 tier=钻", cursor: 14).candidates   // ["tier=钻石"]
/// ```
public struct Completer {
    /// The answer for one TAB.
    public struct Result: Equatable, Sendable {
        /// Where the word being completed starts, in characters from the start of the line.
        public var start: Int
        /// The word being completed, as typed.
        public var word: String
        /// Whole-word replacements, each beginning with ``word`` (names sorted; values in their natural order).
        public var candidates: [String]
        /// Whether the word is a file name, best left to the line editor's own file completion.
        public var fileName: Bool

        /// Whether no space should follow a unique candidate: it ends in `=` (a value comes next) or `/`.
        public var continues: Bool {
            candidates.count == 1 && (candidates[0].hasSuffix("=") || candidates[0].hasSuffix("/"))
        }
    }

    /// The most candidates offered at once.
    public static let maximumCandidates = 100

    /// Where candidates come from.
    public let source: any CompletionSource

    /// Makes a completer.
    public init(source: any CompletionSource) { self.source = source }

    /// The candidates for the word that ends at `cursor`.
    ///
    /// - Parameters:
    ///   - line: The whole line being edited.
    ///   - cursor: The cursor position in characters (Unicode scalars, as libedit counts them).
    public func complete(line: String, cursor: Int) -> Result {
        let scalars = Array(line.unicodeScalars)
        let end = max(0, min(cursor, scalars.count))
        var before = String(String.UnicodeScalarView(scalars[0..<end]))
        // Only the command after the last `;` matters.
        if let semicolon = before.lastIndex(of: ";") { before = String(before[before.index(after: semicolon)...]) }
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }
        let wordStart = before.lastIndex(where: isSpace).map { before.index(after: $0) } ?? before.startIndex
        let word = String(before[wordStart...])
        let tokens = before[..<wordStart].split(whereSeparator: isSpace).map(String.init)
        let start = end - word.unicodeScalars.count
        var result = Result(start: start, word: word, candidates: [], fileName: false)

        let all = candidates(word: word, tokens: tokens, fileName: &result.fileName)
        var seen = Set<String>()
        // A short ID typed with `o` for `0` still matches: its candidate replaces the word whole.
        let forgiven = Base32.normalize(word)
        result.candidates = all.filter {
            ($0.hasPrefix(word) || forgiven.map($0.hasPrefix) == true) && $0 != "" && seen.insert($0).inserted
        }
            .prefix(Self.maximumCandidates).map { $0 }
        return result
    }

    private func candidates(word: String, tokens: [String], fileName: inout Bool) -> [String] {
        guard let first = tokens.first else { return commandNames(word) }
        guard let command = Commands.find(first) else { return [] }
        let flags = command.allFlags
        // The value of an option: `export csv a.csv --encoding ` → gbk, gb18030, utf8.
        if let last = tokens.last, tokens.count >= 2, last.hasPrefix("--"), !last.contains("="),
            let option = flags.first(where: { $0.name == last.dropFirst(2) && $0.takesValue })
        {
            return option.values.sorted()
        }
        // The words typed so far, sorted as the parser sorts them.
        var positionals: [String] = []
        var skipValue = false
        for token in tokens.dropFirst() {
            if skipValue {
                skipValue = false
            } else if token.hasPrefix("--") {
                skipValue = flags.first { $0.name == token.dropFirst(2) }?.takesValue == true
            } else if !Arguments.isAssignment(token), !(token.count > 1 && (token.hasPrefix("+") || token.hasPrefix("-")) && command.forms.contains(where: \.takesEdits)) {
                positionals.append(token)
            }
        }
        let forms = positionals.isEmpty ? command.forms : command.forms(firstWord: positionals.first)
        if word.hasPrefix("--") {
            return Set((forms.flatMap(\.flags) + command.flags).map { "--" + $0.name }).sorted()
        }
        // A filter: `tier>=钻` → `tier>=钻石`, `last_contact>` → `last_contact>30d`.
        if forms.contains(where: \.takesFilters), let sign = word.firstIndex(where: { "<>=!".contains($0) }),
            sign != word.startIndex, let values = filterValues(String(word[..<sign]))
        {
            var end = sign
            while end < word.endIndex, "<>=!".contains(word[end]) { end = word.index(after: end) }
            return values.map { String(word[..<end]) + $0 }
        }
        if let equals = word.firstIndex(of: "="), equals != word.startIndex {
            let key = String(word[..<equals])
            return values(key: key, forms: forms).map { key + "=" + $0 }
        }
        if forms.contains(where: \.takesEdits), let sign = word.first, sign == "+" || sign == "-", !positionals.isEmpty {
            return source.tags().sorted().map { String(sign) + Self.escape($0) }
        }
        var list: [String] = []
        var slots: [ArgumentSlot] = []
        for form in forms { slots += form.slots(at: positionals.count).filter { !slots.contains($0) } }
        for slot in slots {
            switch slot {
            case .command: list += commandNames(word)
            case .customer: list += customers(word)
            case .channel:
                list += ContactChannel.allCases.flatMap { [$0.rawValue] + $0.aliases.filter { !$0.isASCII } }.sorted()
            case .task: list += source.openTasks().sorted()
            case .complaint: list += source.openComplaints().sorted()
            case .product: list += source.products().sorted()
            case .familyMember: list += source.familyMembers().sorted()
            case .choice(let words):
                // Keywords: the English word, and Chinese aliases once the user types Chinese.
                list += words.filter { word.isEmpty ? $0 == words[0] : $0.isASCII == word.isASCII }
            case .tag: list += source.tags().sorted().map(Self.escape)
            case .path:
                fileName = true
                return []
            case .date, .money, .number, .text: break
            }
        }
        // Keys may follow almost anywhere: `add 王芳 ti` → `tier=`.
        if !word.isEmpty, !slots.contains(.command) {
            list += keyNames(forms: forms).filter { $0.hasPrefix(word) }
        }
        return list
    }

    private func commandNames(_ word: String) -> [String] {
        let names = Commands.all.map(\.name)
        // Aliases once something is typed; Chinese ones only when the user is typing Chinese.
        let aliases = word.isEmpty ? [] : Commands.all.flatMap(\.aliases).filter { $0.isASCII == word.isASCII }
        return (names + aliases).sorted()
    }

    private func customers(_ word: String) -> [String] {
        guard !word.isEmpty else { return [] }
        var names: [String] = []
        var ids: [String] = []
        for customer in source.customers(prefix: word) {
            if customer.name.hasPrefix(word) { names.append(Self.escape(customer.name)) }
            if let normalized = Base32.normalize(word), customer.id.hasPrefix(normalized) { ids.append(customer.id) }
        }
        return names.sorted() + ids.sorted()
    }

    /// The `key=` words the forms take: their declared keys, and the fields a manager may write of their kind.
    private func keyNames(forms: [CommandForm]) -> [String] {
        var names: [String] = []
        for form in forms {
            names += form.keys.map { String($0.key.split(separator: "|")[0]) + "=" }.filter { !$0.contains(".") }
            if let kind = form.fieldKind {
                names += Schema.fields(for: kind).filter { $0.writer == .anyone && !$0.isSet }.map { $0.name + "=" }
            }
            if form.takesFilters { names += SegmentField.allCases.map { $0.name + "=" } }
        }
        return Array(Set(names)).sorted()
    }

    /// The values TAB offers after `key=`: by the declared slot of the key, else by the field's type.
    private func values(key: String, forms: [CommandForm]) -> [String] {
        if let slot = forms.lazy.compactMap({ $0.slot(ofKey: key) }).first {
            switch slot {
            case .tag: return source.tags().sorted().map(Self.escape)
            case .customer: return customers("")
            case .product: return source.products().sorted()
            default: if !slot.fixedValues.isEmpty { return slot.fixedValues }
            }
        }
        for kind in forms.compactMap(\.fieldKind) {
            guard let field = try? Schema.field(named: key, for: kind) else { continue }
            switch field.type {
            case .choice(let choices): return choices.map(\.canonical)
            case .date: return ArgumentSlot.date.fixedValues
            case .bool: return ["是", "否"]
            default: return []
            }
        }
        return []
    }

    /// The values TAB offers after a filter's comparison, or `nil` when `name` is not a field to filter on.
    private func filterValues(_ name: String) -> [String]? {
        guard let field = try? SegmentField.named(name) else { return nil }
        if field == .tag { return source.tags().sorted().map(Self.escape) }
        switch field.sort {
        case .orderedChoice: return field.rankedChoices
        case .equality: return field.schemaField?.choices.map(\.canonical) ?? []
        case .date: return field == .birthday ? (1...12).map { "\($0)月" } : ArgumentSlot.date.fixedValues
        case .days: return ["7d", "30d", "90d"]
        case .money, .years: return []
        }
    }

    /// The candidates laid out in columns for the terminal, padded by display width (a Chinese character takes two
    /// columns), at most `width` columns wide: what the line editor prints when TAB has several answers.
    public static func layout(_ candidates: [String], width: Int) -> [String] {
        guard !candidates.isEmpty else { return [] }
        let widest = candidates.map(DisplayWidth.of).max()!
        let columnWidth = widest + 2
        let columns = max(1, (width + 2) / columnWidth)
        let rows = (candidates.count + columns - 1) / columns
        return (0..<rows).map { row in
            // Down the columns first, as ls and libedit list them.
            let cells = stride(from: row, to: candidates.count, by: rows).map { candidates[$0] }
            return cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : DisplayWidth.pad(cell, to: columnWidth)
            }.joined()
        }
    }

    /// A word as the tokenizer reads it back: spaces, quotes and backslashes escaped.
    static func escape(_ text: String) -> String {
        var output = ""
        for character in text {
            if character == " " || character == "\"" || character == "'" || character == "\\" || character == ";"
                || character == "#"
            {
                output.append("\\")
            }
            output.append(character)
        }
        return output
    }
}

extension String {
    fileprivate var isASCII: Bool { unicodeScalars.allSatisfy(\.isASCII) }
}
