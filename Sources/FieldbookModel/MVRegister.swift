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

    /// Values not (yet) superseded, by op.
    public private(set) var live: [OpID: Entry] = [:]
    /// Every op named in some write's `pred`, including ones not received yet.
    public private(set) var superseded: Set<OpID> = []

    /// An empty register.
    public init() {}

    /// Applies one write. Applying the same write twice changes nothing.
    public mutating func apply(id: OpID, hlc: HLC, value: Value, pred: [OpID]) {
        for p in pred {
            superseded.insert(p)
            live.removeValue(forKey: p)
        }
        if !superseded.contains(id) {
            live[id] = Entry(id: id, hlc: hlc, value: value)
        }
    }

    /// The current values, display winner first.
    public var current: [Entry] {
        live.values.sorted { Self.precedes($0, $1) }
    }

    /// The display winner, or `nil` when the register was never written (or all its values were superseded by
    /// writes not received yet).
    public var winner: Entry? { current.first }

    /// Whether concurrent values differ (the same value written concurrently is no conflict).
    public var isConflicted: Bool { Set(live.values.map(\.value)).count > 1 }

    /// The display order: greatest `(hlc, actor, counter)` first.
    public static func precedes(_ a: Entry, _ b: Entry) -> Bool {
        if a.hlc != b.hlc { return a.hlc > b.hlc }
        return a.id > b.id
    }
}
