/// An add-wins (observed-remove) set of text elements: tags and co-coverers (ARCHITECTURE §3).
///
/// Every addition is tagged with its op's ID. A removal names the tags it observed; an addition it did not observe
/// (a concurrent one) survives, so "add" wins over a concurrent "remove".
public struct AddWinsSet: Hashable, Sendable {
    /// Live addition tags per element.
    public private(set) var additions: [String: Set<OpID>] = [:]
    /// Every tag some removal observed, including ones not received yet.
    public private(set) var removed: Set<OpID> = []

    /// An empty set.
    public init() {}

    /// Applies an addition. Applying it twice changes nothing.
    public mutating func add(_ element: String, id: OpID) {
        guard !removed.contains(id) else { return }
        additions[element, default: []].insert(id)
    }

    /// Applies a removal of the observed additions.
    public mutating func remove(_ element: String, observed: [OpID]) {
        removed.formUnion(observed)
        guard var tags = additions[element] else { return }
        tags.subtract(observed)
        additions[element] = tags.isEmpty ? nil : tags
    }

    /// The elements present, sorted.
    public var elements: [String] { additions.keys.sorted() }

    /// Whether an element is present.
    public func contains(_ element: String) -> Bool { additions[element] != nil }

    /// The addition tags of an element: what a removal must observe.
    public func tags(of element: String) -> [OpID] { (additions[element] ?? []).sorted() }
}
