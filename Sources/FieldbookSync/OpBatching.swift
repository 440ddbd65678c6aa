import FieldbookModel

/// Splits ops into OPS batches that stay well inside the protocol's limits (SPEC §12: 10 000 ops, a 1 MiB frame,
/// a 4 MiB raw batch) whatever the ops carry: by count, and by an estimate of their encoded size.
enum OpBatching {
    /// Ops per batch.
    static let maximumOps = 2_000
    /// Estimated raw bytes per batch: a quarter of the frame limit, so even an uncompressed batch fits.
    static let maximumBytes = 256 * 1024

    /// Consecutive chunks, in order; every chunk has at least one op.
    static func chunks(_ ops: [Operation]) -> [[Operation]] {
        var chunks: [[Operation]] = []
        var current: [Operation] = []
        var bytes = 0
        for op in ops {
            let size = estimatedSize(op)
            if !current.isEmpty, current.count >= maximumOps || bytes + size > maximumBytes {
                chunks.append(current)
                current = []
                bytes = 0
            }
            current.append(op)
            bytes += size
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// An upper estimate of an op's bytes in a batch: fixed parts plus every text it carries.
    static func estimatedSize(_ op: Operation) -> Int {
        var size = 64 + op.principal.utf8.count
        func value(_ v: Value) -> Int { if case .text(let s) = v { return s.utf8.count + 3 } else { return 10 } }
        switch op.body {
        case .create(_, _, let fields): size += fields.reduce(0) { $0 + 3 + value($1.value) }
        case .set(_, _, let v, let pred): size += value(v) + pred.count * 20
        case .add(_, _, let element): size += element.utf8.count + 3
        case .remove(_, _, let element, let observed): size += element.utf8.count + 3 + observed.count * 20
        }
        return size
    }
}
