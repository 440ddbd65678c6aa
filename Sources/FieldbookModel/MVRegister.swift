/// A multi-value register: the merge rule of every scalar field (ARCHITECTURE §3).
///
/// Each write names, in `pred`, the values its author saw; those are superseded. The values no write supersedes
/// are current. One current value means no conflict; several mean a visible conflict whose display winner is the
/// greatest `(hlc, actor, counter)`. A write that arrives after the write superseding it is superseded on arrival,
/// so the result does not depend on delivery order.
///
/// ```swift
/// var phone = MVRegister()
/// phone.apply(id: a1, hlc: h1, value: .text("138…"), pred: [])
/// phone.apply(id: b1, hlc: h2, value: .text("139…"), pred: [])   // concurrent: two current values
/// phone.apply(id: a2, hlc: h3, value: .text("137…"), pred: phone.current.map(\.id))   // resolved
/// ```
public struct MVRegister: Hashable, Sendable {
    /// One written value.
    public struct Entry: Hashable, Sendable {
        /// The op that wrote it.
        public var id: OpID
        /// When.
        public var hlc: HLC
        /// What.
        public var value: Value

        /// Makes an entry.
        public init(id: OpID, hlc: HLC, value: Value) {
            self.id = id
            self.hlc = hlc
            self.value = value
        }
    }

    /// The values not (yet) superseded. Nearly every register holds one, kept inline; a conflict's others go to
    /// `others` (a dictionary per register cost a table and a hash of the op's ID per write).
    private var first: Entry?
    private var others: [Entry] = []
    /// Every op named in some write's `pred`, including ones not received yet, sorted (a field is rarely rewritten
    /// more than a few times, and a binary search hashes nothing).
    private var named: [OpID] = []

    /// An empty register.
    public init() {}

    /// Applies one write. Applying the same write twice changes nothing.
    public mutating func apply(id: OpID, hlc: HLC, value: Value, pred: [OpID]) {
        for p in pred {
            named.sortedInsert(p)
            remove(p)
        }
        if !named.sortedContains(id) {
            remove(id)  // a write applied again replaces itself
            if first == nil {
                first = Entry(id: id, hlc: hlc, value: value)
            } else {
                others.append(Entry(id: id, hlc: hlc, value: value))
            }
        }
    }

    /// Values not (yet) superseded, by op (made on each call).
    public var live: [OpID: Entry] {
        Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The values not (yet) superseded, in no particular order.
    public var entries: [Entry] {
        guard let first else { return [] }
        return [first] + others
    }

    /// Every op named in some write's `pred`, including ones not received yet.
    public var superseded: Set<OpID> { Set(named) }

    /// The current values, display winner first.
    public var current: [Entry] {
        entries.sorted { Self.precedes($0, $1) }
    }

    /// The display winner, or `nil` when the register was never written (or all its values were superseded by
    /// writes not received yet).
    public var winner: Entry? {
        guard let first else { return nil }
        return others.reduce(first) { Self.precedes($1, $0) ? $1 : $0 }
    }

    /// Whether concurrent values differ (the same value written concurrently is no conflict).
    public var isConflicted: Bool {
        guard let first else { return false }
        return others.contains { $0.value != first.value }
    }

    /// Removes the live value written by `id`, if any.
    private mutating func remove(_ id: OpID) {
        if first?.id == id {
            first = others.isEmpty ? nil : others.removeLast()
        } else if let index = others.firstIndex(where: { $0.id == id }) {
            others.remove(at: index)
        }
    }

    /// Equal when the same values are live and the same ops superseded, whatever order the writes arrived in.
    public static func == (a: MVRegister, b: MVRegister) -> Bool {
        a.named == b.named && a.live == b.live
    }

    /// Hashes what ``==`` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(named)
        hasher.combine(live)
    }

    /// The display order: greatest `(hlc, actor, counter)` first.
    public static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        if a.hlc != b.hlc { return a.hlc > b.hlc }
        return a.id > b.id
    }
}
