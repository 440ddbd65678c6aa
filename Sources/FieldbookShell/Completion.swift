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
        /// Whole-word replacements, sorted, each beginning with ``word``.
        public var candidates: [String]
        /// Whether the word is a file name, best left to the line editor's own file completion.
        public var fileName: Bool

        /// Whether no space should follow a unique candidate: it ends in `=` (a value comes next) or `/`.
        public var continues: Bool {
            candidates.count == 1 && (candidates[0].hasSuffix("=") || candidates[0].hasSuffix("/"))
        }
    }

    /// What a positional argument of a command is.
    enum Slot: Equatable {
        case command, customer, channel, task, complaint, format, file, text
        case keyword([String])
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
        let kind = Self.kind(of: command.name)
        if word.hasPrefix("--") {
            return Self.flags(of: command).map { "--" + $0 }.sorted()
        }
        if let equals = word.firstIndex(of: "="), equals != word.startIndex {
            let key = String(word[..<equals])
            return values(key: key, kind: kind).map { key + "=" + $0 }
        }
        if command.takesEdits, let sign = word.first, sign == "+" || sign == "-", tokens.count >= 2 {
            return source.tags().sorted().map { String(sign) + Self.escape($0) }
        }
        let positionals = tokens.dropFirst().filter { !$0.contains("=") && !$0.hasPrefix("--") && !$0.hasPrefix("+") }
        let slot = Self.slots(of: command.name, after: Array(positionals))
        var list: [String] = []
        switch slot {
        case .command: list = commandNames(word)
        case .customer: list = customers(word)
        case .channel:
            list = ContactChannel.allCases.flatMap { [$0.rawValue] + $0.aliases.filter { !$0.isASCII } }.sorted()
        case .task: list = source.openTasks().sorted()
        case .complaint: list = source.openComplaints().sorted()
        case .format: list = command.name == "import" ? ["csv", "movements"] : ["csv"]
        case .keyword(let words): list = words + customers(word)
        case .file:
            fileName = true
            return []
        case .text: break
        }
        // Fields may follow almost anywhere: `add 王芳 ti` → `tier=`.
        if let kind, !word.isEmpty, slot != .command, slot != .file {
            list += fieldNames(kind: kind, command: command.name).filter { $0.hasPrefix(word) }
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

    private func fieldNames(kind: EntityKind, command: String) -> [String] {
        var names = Schema.fields(for: kind).filter { $0.writer == .anyone && !$0.isSet }.map { $0.name + "=" }
        if command == "find" || command == "export" { names.append("tag=") }
        if command == "task" || command == "complaint" { names.append("due=") }
        return Array(Set(names)).sorted()
    }

    private func values(key: String, kind: EntityKind?) -> [String] {
        if key == "tag" { return source.tags().sorted().map(Self.escape) }
        if key == "limit" { return [] }
        guard let kind, let field = try? Schema.field(named: key, for: kind == .complaint && key == "due" ? .task : kind)
        else { return [] }
        switch field.type {
        case .choice(let choices): return choices.map(\.canonical)
        case .date: return ["today", "tomorrow", "+7d", "+30d"]
        case .bool: return ["是", "否"]
        default: return []
        }
    }

    /// The entity kind whose fields a command takes as `key=value`.
    static func kind(of command: String) -> EntityKind? {
        switch command {
        case "add", "set", "find", "resolve", "export": return .customer
        case "family": return .family
        case "contact": return .contact
        case "task": return .task
        case "complaint": return .complaint
        case "buy": return .purchase
        case "movement": return .movement
        case "product": return .product
        default: return nil
        }
    }

    /// What the next positional argument of a command is, given the ones already typed.
    static func slots(of command: String, after positionals: [String]) -> Slot {
        let index = positionals.count
        switch command {
        case "help": return index == 0 ? .command : .text
        case "show", "set", "tag", "conflicts", "history", "tasks", "complaints", "resolve":
            return index == 0 ? .customer : .text
        case "family": return index == 0 ? .customer : .text
        case "contact": return index == 0 ? .customer : index == 1 ? .channel : .text
        case "task", "buy", "movement": return index == 0 ? .customer : .text
        case "plan": return .customer
        case "done": return .task
        case "complaint":
            if index == 0 { return .keyword(["close"]) }
            if positionals.first == "close" || positionals.first == "关闭" { return index == 1 ? .complaint : .text }
            return .text
        case "export", "import": return index == 0 ? .format : index == 1 ? .file : .text
        default: return .text
        }
    }

    /// The `--flags` a command's usage line mentions.
    static func flags(of command: CommandSpec) -> [String] {
        var flags: [String] = []
        let characters = Array(command.usage)
        var index = 0
        while index + 2 < characters.count {
            if characters[index] == "-", characters[index + 1] == "-" {
                let name = String(characters[(index + 2)...].prefix { $0.isLetter || $0 == "-" })
                if !name.isEmpty, !flags.contains(name) { flags.append(name) }
                index += 2 + name.count
            } else {
                index += 1
            }
        }
        return flags
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
