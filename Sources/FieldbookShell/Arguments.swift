/// The arguments of one command, parsed by its declaration (``CommandSpec``) into what they are: positional words,
/// `key=value` assignments, `--flags`, and `+tag` / `-tag` edits.
///
/// Parsing refuses what the declaration does not allow, with a usage error (exit 2) that names what is allowed: an
/// undeclared `--flag`, an option without its value, a `key=` that a command without free fields does not take.
public struct Arguments: Sendable {
    /// Words that are none of the others, in order.
    public var positionals: [String] = []
    /// `key=value` pairs, in order (a key may repeat); an option's value is here under its name (`limit=20`).
    public var assignments: [(key: String, value: String)] = []
    /// `--name` switches given, without the dashes.
    public var flags: Set<String> = []
    /// `+T` and `-T` edits, in order: `true` adds.
    public var edits: [(add: Bool, element: String)] = []
    /// The usage line of the forms this line may be, for the handler's own usage errors.
    public private(set) var usage: String = ""

    /// Parses the arguments of a command.
    ///
    /// - Parameters:
    ///   - tokens: The arguments after the command name.
    ///   - command: The command's declaration.
    /// - Throws: ``ShellError`` (usage) for an undeclared flag, a missing option value or an undeclared key.
    public init(_ tokens: [String], command: CommandSpec) throws(ShellError) {
        let known = command.allFlags
        // Which form: by the first positional word (an option's value is not one).
        var firstWord: String?
        var skipValue = false
        for token in tokens {
            if skipValue {
                skipValue = false
            } else if token.hasPrefix("--"), token.count > 2 {
                skipValue = !token.contains("=") && known.first { $0.name == token.dropFirst(2) }?.takesValue == true
            } else if !Self.isAssignment(token) {
                firstWord = token
                break
            }
        }
        let forms = command.forms(firstWord: firstWord)
        var seen = Set<String>()
        let allowed = (forms.flatMap(\.flags) + command.flags).filter { seen.insert($0.name).inserted }
        usage = forms.map { $0.usage(command: command.name, flags: command.flags) }.joined(separator: " ｜ ")
        let allowEdits = forms.contains(where: \.takesEdits)

        func refuse(_ problem: String) -> ShellError { .usage("\(problem)；用法：\(usage)") }
        func flag(_ name: some StringProtocol) throws(ShellError) -> CommandFlag {
            if let flag = allowed.first(where: { $0.name == name }) { return flag }
            let list = allowed.map { "--" + $0.name }.joined(separator: " ")
            throw refuse(allowed.isEmpty ? "未知选项 --\(name)：\(command.name) 没有选项" : "未知选项 --\(name)：可用的选项有 \(list)")
        }

        var pending: CommandFlag?
        for token in tokens {
            if let option = pending {
                // `--limit 20` is the assignment `limit=20`.
                assignments.append((option.name, token))
                pending = nil
            } else if token.hasPrefix("--"), token.count > 2 {
                let body = token.dropFirst(2)
                if let equals = body.firstIndex(of: "=") {
                    let declared = try flag(body[..<equals])
                    guard declared.takesValue else { throw refuse("--\(declared.name) 不带数值") }
                    let value = String(body[body.index(after: equals)...])
                    guard !value.isEmpty else { throw refuse(declared.missingValue) }
                    assignments.append((declared.name, value))
                } else {
                    let declared = try flag(body)
                    if declared.takesValue { pending = declared } else { flags.insert(declared.name) }
                }
            } else if allowEdits, let first = token.first, first == "+" || first == "-", token.count > 1 {
                edits.append((first == "+", String(token.dropFirst())))
            } else if Self.isAssignment(token), let equals = token.firstIndex(of: "=") {
                assignments.append((String(token[..<equals]), String(token[token.index(after: equals)...])))
            } else {
                positionals.append(token)
            }
        }
        if let option = pending { throw refuse(option.missingValue) }

        // A form without free fields takes only its declared keys (and `name=value` for its options).
        if !forms.contains(where: \.acceptsAnyKey) {
            for (key, _) in assignments where !allowed.contains(where: { $0.name == key }) {
                guard !forms.contains(where: { $0.declares(key: key) }) else { continue }
                let keys = forms.flatMap(\.keys).map { String($0.key.split(separator: "|")[0]) + "=" }
                throw refuse(keys.isEmpty ? "\(command.name) 不接受 \(key)=" : "未知参数 \(key)=：可用的有 \(keys.joined(separator: " "))")
            }
        }
    }

    /// Whether a word is `key=value` (a word beginning with `=` is not).
    static func isAssignment(_ token: String) -> Bool {
        guard let equals = token.firstIndex(of: "=") else { return false }
        return equals != token.startIndex
    }

    /// Whether `--json` was given.
    public var json: Bool { flags.contains("json") }

    /// Removes and returns the value of the last assignment to `key`.
    public mutating func take(_ key: String) -> String? {
        guard let index = assignments.lastIndex(where: { $0.key == key }) else { return nil }
        let value = assignments[index].value
        assignments.removeAll { $0.key == key }
        return value
    }

    /// A usage error with the usage line of the forms this line may be.
    public func usageError(_ problem: String) -> ShellError { .usage("\(problem)；用法：\(usage)") }
}
