import FieldbookModel
import FieldbookStore
import Foundation

/// The rules of the interactive shell's history file (`book.history`, beside the book): what a line becomes before it
/// is saved, which saved lines a purge removes, and how the file is erased.
///
/// The file is plain text on the device's disk, so it holds no personal data (issue 15). A typed line is saved as
/// its command words, flags, field names and customers' short IDs, with every value and every other word replaced by
/// `…`:
///
/// ```swift
/// HistoryFile.redact("set 王芳 phone=13800001111 note='想买理财'", customer: resolve)
/// // "set K7QF2M phone=… note=…"
/// ```
///
/// Lines typed in the current session stay recallable as typed, in memory only. When a customer leaves the book,
/// every saved line that names its short ID is removed; when the device is revoked the file is overwritten and
/// deleted.
public enum HistoryFile {
    /// What stands for an elided value or word.
    public static let elided = "…"

    /// The history file of a book: `book.sqlite` → `book.history`; none for an in-memory book.
    public static func path(forBook book: String) -> String? {
        guard book != ":memory:" else { return nil }
        return (book as NSString).deletingPathExtension + ".history"
    }

    /// The form of a typed line that may be saved, or `nil` when nothing of it is worth keeping (an empty line, or
    /// one that does not split into commands).
    ///
    /// - Parameters:
    ///   - line: The line as typed.
    ///   - customer: Resolves a word to a customer of the book (a name or an ID prefix), or `nil`.
    public static func redact(_ line: String, customer: (String) -> EntityID?) -> String? {
        guard let commands = try? Tokenizer.split(line), !commands.isEmpty else { return nil }
        return commands.map { command in
            command.enumerated().map { index, word in
                index == 0 ? (Commands.find(word) != nil ? word : elided) : redact(word: word, customer: customer)
            }.joined(separator: " ")
        }.joined(separator: "; ")
    }

    /// Whether a saved line names one of these customers (by its short ID, the form ``redact(_:customer:)`` saves).
    public static func mentions(_ line: String, any customers: [EntityID]) -> Bool {
        customers.contains { line.contains($0.short) }
    }

    /// Overwrites the file with zeros, flushes it and deletes it (``FileEraser``). A missing file is not an error.
    public static func erase(at path: String) { FileEraser.erase(path) }

    /// One argument: a flag stays, a field assignment or comparison keeps its field name, a customer reference
    /// becomes the customer's short ID, a command word or a choice's canonical word stays; anything else is elided.
    static func redact(word: String, customer: (String) -> EntityID?) -> String {
        if word.hasPrefix("--"), word.dropFirst(2).allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) {
            return word
        }
        if word == "@" { return word }
        for comparison in ["!=", ">=", "<=", "=", ">", "<"] {
            if let range = word.range(of: comparison), range.lowerBound > word.startIndex {
                let key = word[..<range.lowerBound]
                // ASCII keys are field, setting and option names; a Chinese key is kept only when it is a field's
                // label (free text such as `王芳说=好` must not leak through its left side).
                let ascii = key.allSatisfy { $0.isASCII && ($0.isLetter || $0 == "_" || $0 == ".") }
                if ascii || fieldLabels.contains(String(key)) { return key + comparison + elided }
                return elided
            }
        }
        if let first = word.first, first == "+" || first == "-", word.count > 1 { return String(first) + elided }
        if keptWords.contains(word.lowercased()) { return word }
        if let id = customer(word) { return id.short }
        return elided
    }

    /// The Chinese labels of the fields (`电话`, `备注` …).
    static let fieldLabels = Set(Schema.fields.map(\.label))

    /// Words that name no one: command names and the canonical words of choices (`call`, `visit`, `钻石` …), and
    /// the subcommands of `family`, `complaint` and `task`.
    static let keptWords: Set<String> = {
        var words = Set(Commands.all.map(\.name))
        for spec in Schema.fields { for choice in spec.choices { words.insert(choice.canonical.lowercased()) } }
        words.formUnion(["set", "remove", "close", "done", "add", "list", "all", "today", "tomorrow"])
        return words
    }()
}
