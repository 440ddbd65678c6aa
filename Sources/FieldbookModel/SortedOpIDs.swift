/// Sorted arrays of op IDs: how ``MVRegister`` and ``AddWinsSet`` keep the few IDs a field names (superseded values,
/// addition tags, observed tags). A binary search over a handful of IDs hashes nothing, and an empty array allocates
/// nothing, where a `Set<OpID>` hashed 24 bytes per lookup and allocated a table per field.
extension Array where Element == OpID {
    /// Where `id` is, or would be inserted to keep the array sorted.
    func sortedSearch(_ id: OpID) -> (index: Int, found: Bool) {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < id { low = middle + 1 } else { high = middle }
        }
        return (low, low < count && self[low] == id)
    }

    /// Whether the sorted array holds `id`.
    func sortedContains(_ id: OpID) -> Bool { sortedSearch(id).found }

    /// Inserts `id` in order, unless it is there. Returns whether it was inserted.
    @discardableResult
    mutating func sortedInsert(_ id: OpID) -> Bool {
        let (index, found) = sortedSearch(id)
        guard !found else { return false }
        // Appended and moved down: `insert(_:at:)` takes the generic `replaceSubrange` path, hundreds of instructions.
        append(id)
        var position = count - 1
        while position > index {
            swapAt(position, position - 1)
            position -= 1
        }
        return true
    }

    /// Removes `id`, if it is there.
    mutating func sortedRemove(_ id: OpID) {
        let (index, found) = sortedSearch(id)
        if found { remove(at: index) }
    }
}
