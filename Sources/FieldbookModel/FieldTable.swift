/// A small map from field to value, kept as arrays sorted by field: the fields of one ``Replica/Entity``.
///
/// An entity has a handful of fields, so a scan over a few entries beats hashing the field into a
/// dictionary, and a new entity costs two small arrays instead of a hash table. It reads like a dictionary:
///
/// ```swift
/// var registers = FieldTable<MVRegister>()
/// registers[Schema.F.phone, default: MVRegister()].apply(id: id, hlc: hlc, value: .text("138…"), pred: [])
/// registers[Schema.F.phone]?.winner   // the entry just written
/// for (field, register) in registers { … }   // in field order
/// ```
public struct FieldTable<Element>: RandomAccessCollection {
    /// The fields, sorted, each once; `slots[i]` is the value of `fields[i]`. Two arrays, so that a search reads
    /// plain integers and never touches (or retains) a value.
    private var fields: [FieldID] = []
    private var slots: [Element] = []

    /// An empty table.
    public init() {}

    /// The first position (0).
    public var startIndex: Int { fields.startIndex }
    /// The position after the last entry.
    public var endIndex: Int { fields.endIndex }
    /// The entry at `position`, in field order.
    public subscript(position: Int) -> (key: FieldID, value: Element) { (fields[position], slots[position]) }

    /// The fields, in order.
    public var keys: [FieldID] { fields }
    /// The values, in field order.
    public var values: [Element] { slots }

    /// The value of `field`, or `nil`; setting `nil` removes the field.
    public subscript(field: FieldID) -> Element? {
        get {
            let (index, found) = search(field)
            return found ? slots[index] : nil
        }
        set {
            let (index, found) = search(field)
            switch (found, newValue) {
            case (true, let value?): slots[index] = value
            case (true, nil):
                fields.remove(at: index)
                slots.remove(at: index)
            case (false, let value?): insert(field, value, at: index)
            case (false, nil): break
            }
        }
    }

    /// The value of `field`, with `defaultValue` inserted first when it has none: modified in place.
    public subscript(field: FieldID, default defaultValue: @autoclosure () -> Element) -> Element {
        get { self[field] ?? defaultValue() }
        _modify {
            let (index, found) = search(field)
            if !found { insert(field, defaultValue(), at: index) }
            yield &slots[index]
        }
    }

    /// Inserts a field that is not in the table at `index`: appended, then moved down into place, which costs a
    /// few swaps where `Array.insert` took the generic `replaceSubrange` path (hundreds of instructions each).
    private mutating func insert(_ field: FieldID, _ value: Element, at index: Int) {
        if fields.isEmpty {
            fields.reserveCapacity(4)
            slots.reserveCapacity(4)
        }
        fields.append(field)
        slots.append(value)
        var position = fields.count - 1
        while position > index {
            fields.swapAt(position, position - 1)
            slots.swapAt(position, position - 1)
            position -= 1
        }
    }

    /// Where `field` is, or would be inserted (a linear scan: a table holds a handful of fields).
    private func search(_ field: FieldID) -> (index: Int, found: Bool) {
        var index = 0
        while index < fields.count, fields[index] < field { index += 1 }
        return (index, index < fields.count && fields[index] == field)
    }
}

extension FieldTable: ExpressibleByDictionaryLiteral {
    /// A table of the given entries (a later entry for the same field replaces an earlier one).
    public init(dictionaryLiteral elements: (FieldID, Element)...) {
        for (field, value) in elements { self[field] = value }
    }
}

extension FieldTable: Equatable where Element: Equatable {
    /// Equal when both hold the same fields with equal values.
    public static func == (a: FieldTable, b: FieldTable) -> Bool {
        a.fields == b.fields && a.slots == b.slots
    }
}

extension FieldTable: Hashable where Element: Hashable {
    /// Hashes the fields and their values.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields)
        hasher.combine(slots)
    }
}

extension FieldTable: Sendable where Element: Sendable {}
