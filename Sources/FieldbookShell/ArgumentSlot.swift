import FieldbookModel

/// What one word of a command stands for, as declared in ``Commands``: it decides what TAB offers there, and the
/// handler reads the word accordingly.
public enum ArgumentSlot: Sendable, Equatable {
    /// A customer: a short ID or an exact, unique name.
    case customer
    /// A family member, by the short ID on the customer's card.
    case familyMember
    /// An open task, by its short ID.
    case task
    /// An open complaint, by its short ID.
    case complaint
    /// A product code.
    case product
    /// A contact channel (`电话`, `call`, …).
    case channel
    /// A command name (`help CMD`).
    case command
    /// A file path: completed by the line editor's own file completion.
    case path
    /// A tag.
    case tag
    /// A date (`2026-11-23`, `11-23`, `today`, `+7d`).
    case date
    /// An amount of money (`50万`), or a price.
    case money
    /// A number or a percentage.
    case number
    /// One of fixed words.
    case choice([String])
    /// Free text: the words that remain, joined with spaces.
    case text

    /// The values TAB offers for `key=` when the key is declared with this slot, before any book lookup.
    var fixedValues: [String] {
        switch self {
        case .date: ["today", "tomorrow", "+7d", "+30d"]
        case .choice(let words): words
        case .channel: ContactChannel.allCases.map(\.rawValue)
        default: []
        }
    }
}
