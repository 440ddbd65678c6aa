/// The arguments of one command, sorted into what they are: positional words, `key=value` assignments,
/// `--flags`, and `+tag` / `-tag` edits.
public struct Arguments: Sendable {
    /// Words that are none of the others, in order.
    public var positionals: [String] = []
    /// `key=value` pairs, in order (a key may repeat).
    public var assignments: [(key: String, value: String)] = []
    /// `--name` flags, without the dashes.
    public var flags: Set<String> = []
    /// `+T` and `-T` edits, in order: `true` adds.
    public var edits: [(add: Bool, element: String)] = []

    /// Sorts tokens.
    ///
    /// - Parameters:
    ///   - tokens: The arguments after the command name.
    ///   - allowEdits: Whether `+T`/`-T` are edits (for `tag`) rather than positional words.
    public init(_ tokens: [String], allowEdits: Bool = false) {
        var pendingOption: String?
        for token in tokens {
            if let option = pendingOption {
                // `--limit 20` is the assignment `limit=20`.
                assignments.append((option, token))
                pendingOption = nil
            } else if token.hasPrefix("--"), token.count > 2, let equals = token.firstIndex(of: "=") {
                assignments.append((String(token[token.index(token.startIndex, offsetBy: 2)..<equals]),
                    String(token[token.index(after: equals)...])))
            } else if token.hasPrefix("--"), Self.valueOptions.contains(String(token.dropFirst(2))) {
                pendingOption = String(token.dropFirst(2))
            } else if token.hasPrefix("--"), token.count > 2 {
                flags.insert(String(token.dropFirst(2)))
            } else if allowEdits, let first = token.first, first == "+" || first == "-", token.count > 1 {
                edits.append((first == "+", String(token.dropFirst())))
            } else if let equals = token.firstIndex(of: "="), equals != token.startIndex {
                assignments.append((String(token[..<equals]), String(token[token.index(after: equals)...])))
            } else {
                positionals.append(token)
            }
        }
        // A trailing `--limit` without its value stays a flag, which the command then refuses with its usage.
        if let option = pendingOption { flags.insert(option) }
    }

    /// Options written `--name VALUE` (or `--name=VALUE`): they become the assignment `name=VALUE`.
    public static let valueOptions: Set<String> = ["limit", "server", "encoding"]

    /// Whether `--json` was given.
    public var json: Bool { flags.contains("json") }

    /// Removes and returns the value of the last assignment to `key`.
    public mutating func take(_ key: String) -> String? {
        guard let index = assignments.lastIndex(where: { $0.key == key }) else { return nil }
        let value = assignments[index].value
        assignments.removeAll { $0.key == key }
        return value
    }

    /// Refuses flags other than the ones a command knows.
    public func allowFlags(_ known: Set<String>, usage: String) throws(ShellError) {
        if let unknown = flags.subtracting(known).sorted().first {
            if Self.valueOptions.contains(unknown) { throw .usage("--\(unknown) 后面缺少数值；用法：\(usage)") }
            throw .usage("未知选项 --\(unknown)；用法：\(usage)")
        }
    }
}
