import FieldbookModel

/// Small display helpers shared by the commands.
enum Render {
    /// A phone number with its middle masked for listings: `138****8000`.
    static func maskPhone(_ phone: String) -> String {
        let characters = Array(phone)
        guard characters.count > 6 else { return String(repeating: "*", count: characters.count) }
        let keepEnd = characters.count >= 11 ? 4 : 2
        return String(characters.prefix(3)) + String(repeating: "*", count: characters.count - 3 - keepEnd)
            + String(characters.suffix(keepEnd))
    }

    /// A value as JSON: money in yuan, percentages as numbers, dates as ISO strings.
    static func json(_ value: Value) -> JSON {
        switch value {
        case .null: return .null
        case .text(let s): return .string(s)
        case .int(let v): return .int(v)
        case .money(let fen): return .number(FixedPoint.format(fen, places: 2))
        case .date(let d): return .string(d.iso)
        case .percent(let bp): return .number(FixedPoint.format(bp, places: 2))
        case .decimal(let v): return .number(FixedPoint.format(v, places: 4))
        case .bool(let b): return .bool(b)
        }
    }

    /// A value on one line of a card: later lines of a multi-line note are indented under the first.
    static func indented(_ text: String, by columns: Int = 12) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + String(repeating: " ", count: columns))
    }

    /// Text on one line (history, listings): newlines shown as `↵`.
    static func oneLine(_ text: String) -> String {
        text.contains("\n") ? text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "↵") : text
    }

    /// The label of a field for cards, padded to a common width.
    static func label(_ field: FieldID) -> String {
        DisplayWidth.pad(Schema.field(field)?.label ?? field.description, to: 10)
    }
}
