/// A closed list of values that a choice field stores as text: tier, customer group, stage, channel, complaint
/// status, work-log entry kind.
///
/// Each conforming enum is the one place its values are spelled. Its raw value is exactly the text stored in the
/// op log (`钻石`, `call`, `closed`), so stored data, wire bytes and state hashes do not depend on the Swift names.
/// The schema builds its choice lists from ``choices`` (``Schema/fields`` stays the single field table), the shell
/// shows ``label`` and completes from `allCases`, and code that tests a stored value compares with `rawValue`.
///
/// ```swift
/// Tier.parse("diamond")            // .diamond
/// Tier.diamond.rawValue            // "钻石"
/// ContactChannel.call.label        // "电话"
/// ```
public protocol Vocabulary: RawRepresentable, CaseIterable, Hashable, Sendable
where RawValue == String, AllCases == [Self] {
    /// Other spellings accepted when typed, in lower case (`diamond` for `钻石`, `电话` for `call`).
    var aliases: [String] { get }
}

extension Vocabulary {
    /// The schema's choice for this value: the stored text and its aliases.
    public var choice: FieldSpec.Choice { FieldSpec.Choice(rawValue, aliases: aliases) }

    /// What the shell shows: the stored text when it is Chinese, else its first Chinese alias
    /// (``FieldSpec/Choice/shown``).
    public var label: String { choice.shown }

    /// The value as stored in a field.
    public var value: Value { .text(rawValue) }

    /// Every value's choice, in declaration order, for ``FieldSpec/FieldType/choice(_:)``.
    public static var choices: [FieldSpec.Choice] { allCases.map(\.choice) }

    /// Reads typed text as the schema does: the stored text or any alias, ignoring case and surrounding spaces.
    ///
    /// - Parameter text: What the user typed.
    /// - Returns: The value, or `nil` if the text names none.
    public static func parse(_ text: String) -> Self? {
        let lower = text.trimmingSpaces().lowercased()
        return allCases.first { $0.rawValue.lowercased() == lower || $0.aliases.contains(lower) }
    }

    /// The value a field holds, or `nil` when the field is empty or holds other text.
    ///
    /// - Parameter value: A field's value.
    public init?(_ value: Value?) {
        guard case .text(let text)? = value else { return nil }
        self.init(rawValue: text)
    }
}
