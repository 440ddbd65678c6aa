/// An add-wins (observed-remove) set of text elements: tags and co-coverers (ARCHITECTURE §3).
///
/// Every addition is tagged with its op's ID. A removal names the tags it observed; an addition it did not observe
/// (a concurrent one) survives, so "add" wins over a concurrent "remove".
public struct AddWinsSet: Hashable, Sendable {
    /// Live addition tags per element, each list sorted and never empty (sorted arrays: see `SortedOpIDs.swift`).
    private var tagged: [String: [OpID]] = [:]
    /// Every tag some removal observed, including ones not received yet, sorted.
    private var observed: [OpID] = []

    /// An empty set.
    public init() {}

    /// Live addition tags per element (made on each call).
    public var additions: [String: Set<OpID>] { tagged.mapValues { Set($0) } }

    /// Every tag some removal observed, including ones not received yet.
    public var removed: Set<OpID> { Set(observed) }

    /// Applies an addition. Applying it twice changes nothing.
    public mutating func add(_ element: String, id: OpID) {
        guard !observed.sortedContains(id) else { return }
        tagged[element, default: []].sortedInsert(id)
    }

    /// Applies a removal of the observed additions.
    public mutating func remove(_ element: String, observed tags: [OpID]) {
        for tag in tags { observed.sortedInsert(tag) }
        guard var live = tagged[element] else { return }
        for tag in tags { live.sortedRemove(tag) }
        tagged[element] = live.isEmpty ? nil : live
    }

    /// The elements present, sorted.
    public var elements: [String] { tagged.keys.sorted() }

    /// Whether an element is present.
    public func contains(_ element: String) -> Bool { tagged[element] != nil }

    /// The addition tags of an element: what a removal must observe.
    public func tags(of element: String) -> [OpID] { tagged[element] ?? [] }
}
