import FieldbookModel
import FieldbookWire

/// The trace of a run, for replaying one seed by eye (`tools/simulate --seeds 28-28 --trace`).
extension SimulatedWorld {
    /// Writes a line of the trace, when the run is traced; the text is not built otherwise.
    func log(_ text: @autoclosure () -> String) {
        if let trace { trace(text()) }
    }

    /// One message in a line: its type and what matters for convergence (counters, cursors, customers, op IDs).
    static func summary(_ message: Message) -> String {
        switch message {
        case .ops(let ops):
            let ids = ops.operations.map(\.id)
            let shown = ids.prefix(6).map(\.description).joined(separator: " ") + (ids.count > 6 ? " …" : "")
            return "OPS seq \(ops.seq)\(ops.backfill ? " backfill" : ""): \(ids.count) [\(shown)]"
        case .ack(let ack): return "ACK seq \(ack.seq) held \(ack.held)"
        case .pull(let pull): return "PULL cursor \(pull.cursor)\(pull.resync ? " resync" : "")\(pull.resume > 0 ? " resume \(pull.resume)" : "")"
        case .purge(let purge):
            return "PURGE " + purge.entries.map { "\($0.customer.short) \($0.reason)\($0.newOwner.map { "→\($0)" } ?? "")" }
                .joined(separator: ", ")
        case .done(let done): return "DONE cursor \(done.cursor) hash \(done.stateHash.prefix(4).map { String($0, radix: 16) }.joined())"
        case .error(let error): return "ERROR \(error.code)\(error.fatal ? " fatal" : ""): \(error.message)"
        default: return "\(message.type)"
        }
    }

    /// The customers of a scope list, short.
    static func short(_ customers: some Sequence<EntityID>) -> String {
        customers.map(\.short).sorted().joined(separator: " ")
    }
}
