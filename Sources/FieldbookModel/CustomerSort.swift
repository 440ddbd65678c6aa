/// The order of a customer segment: `--sort aum` (ascending) or `--sort -aum` (descending), on any ordered
/// ``SegmentField``. Customers without a value come last either way; ties go by name, then ID.
///
/// ```swift
/// try CustomerSort.parse("-aum")   // CustomerSort(field: .aum, descending: true)
/// ```
public struct CustomerSort: Sendable, Hashable, CustomStringConvertible {
    /// The field.
    public var field: SegmentField
    /// Largest (latest, highest rank) first.
    public var descending: Bool

    /// Makes a sort.
    public init(_ field: SegmentField, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }

    /// Reads `FIELD` or `-FIELD` (a Chinese label works too: `-资产`).
    ///
    /// - Throws: ``ModelError`` for an unknown field, or one without an order, naming the fields that have one.
    public static func parse(_ typed: String) throws(ModelError) -> CustomerSort {
        var text = typed.halfWidth.trimmingSpaces()
        var descending = false
        if text.hasPrefix("-") {
            descending = true
            text.removeFirst()
        } else if text.hasPrefix("+") {
            text.removeFirst()
        }
        guard !text.isEmpty else {
            throw ModelError(.badOperation, "--sort 后面应为字段名，例如 --sort -aum；可排序的字段有 \(SegmentField.orderedNames)")
        }
        let field: SegmentField
        do {
            field = try SegmentField.named(text)
        } catch {
            throw ModelError(.unknownField, "不能按 \"\(text)\" 排序：可排序的字段有 \(SegmentField.orderedNames)")
        }
        guard field.isOrdered else {
            throw ModelError(
                .badOperation, "\(field.label)没有大小顺序，不能排序；可排序的字段有 \(SegmentField.orderedNames)")
        }
        return CustomerSort(field, descending: descending)
    }

    /// How it reads: `-aum`.
    public var description: String { (descending ? "-" : "") + field.name }
}
