/// A JSON value with object keys kept in the order they were written, so `--json` output is stable.
public indirect enum JSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, already formatted.
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSON])
    /// An object, keys in order.
    case object([(String, JSON)])

    /// An integer number.
    public static func int(_ value: some BinaryInteger) -> JSON { .number(String(value)) }

    /// A string, or `null` for `nil`.
    public static func string(_ value: String?) -> JSON { value.map { JSON.string($0) } ?? .null }

    /// Serializes with two-space indentation.
    public func render() -> String {
        var output = ""
        write(into: &output, indent: 0)
        return output
    }

    private func write(into output: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closing = String(repeating: "  ", count: indent)
        switch self {
        case .null: output += "null"
        case .bool(let b): output += b ? "true" : "false"
        case .number(let n): output += n
        case .string(let s): JSON.quote(s, into: &output)
        case .array(let items):
            if items.isEmpty { output += "[]"; return }
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += pad
                item.write(into: &output, indent: indent + 1)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += closing + "]"
        case .object(let members):
            if members.isEmpty { output += "{}"; return }
            output += "{\n"
            for (index, (key, value)) in members.enumerated() {
                output += pad
                JSON.quote(key, into: &output)
                output += ": "
                value.write(into: &output, indent: indent + 1)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += closing + "}"
        }
    }

    /// Writes a JSON string literal: quotes and backslashes escaped, `\n` `\r` `\t`, and `\uXXXX` for every other
    /// character of ``TerminalText/needsEscape(_:)``.
    private static func quote(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                // Every character the terminal guard would escape (C0 and C1 controls, DEL, bidirectional controls,
                // line separators, the noncharacters of style marks) is written as `\uXXXX`: valid JSON, nothing raw,
                // and a document that passes ``TerminalText`` unchanged. All of them are in the Basic Multilingual
                // Plane, so four hex digits suffice.
                if TerminalText.needsEscape(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    public static func == (lhs: JSON, rhs: JSON) -> Bool { lhs.render() == rhs.render() }
    public func hash(into hasher: inout Hasher) { hasher.combine(render()) }
}
