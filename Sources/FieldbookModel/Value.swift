/// A typed field value, as stored in operations and on the wire.
///
/// Money is integer fen, percentages are basis points, prices are fixed-point with 4 places, dates are day numbers.
/// Enumerations are stored as their canonical text (`钻石`), so a reader that does not know a newer choice still
/// shows it.
public enum Value: Hashable, Sendable {
    /// No value: clears a field.
    case null
    /// Text (names, notes, phone numbers, enumeration choices).
    case text(String)
    /// A whole number.
    case int(Int64)
    /// Money in fen (0.01 CNY).
    case money(Int64)
    /// A calendar day.
    case date(Day)
    /// A percentage in basis points (1% = 100).
    case percent(Int64)
    /// A decimal with 4 places (prices): 1.0523 is 10523.
    case decimal(Int64)
    /// Yes or no.
    case bool(Bool)

    /// The stable one-byte tag of each case, used by every binary encoding (store and wire).
    public var tag: UInt8 {
        switch self {
        case .null: return 0
        case .text: return 1
        case .int: return 2
        case .money: return 3
        case .date: return 4
        case .percent: return 5
        case .decimal: return 6
        case .bool(let b): return b ? 8 : 7
        }
    }

    /// The text, for a text value.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The day, for a date value.
    public var day: Day? {
        if case .date(let d) = self { return d }
        return nil
    }

    /// The integer payload of a numeric value (money, int, percent, decimal).
    public var integer: Int64? {
        switch self {
        case .int(let v), .money(let v), .percent(let v), .decimal(let v): return v
        default: return nil
        }
    }

    /// Whether the value is `true`.
    public var isTrue: Bool { self == .bool(true) }

    /// How the value reads in the shell.
    public var display: String {
        switch self {
        case .null: return ""
        case .text(let s): return s
        case .int(let v): return String(v)
        case .money(let v): return Money.format(v)
        case .date(let d): return d.iso
        case .percent(let v): return Percent.format(v)
        case .decimal(let v): return FixedPoint.format(v, places: 4)
        case .bool(let b): return b ? "是" : "否"
        }
    }
}
