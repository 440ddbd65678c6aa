import BenchSupport
import FieldbookModel
import FieldbookWire
import Foundation
import NIOCore

/// Workload 1: a manager's day (500 ops over 300 customers of a 2,000-customer book) as one OPS batch, raw and
/// compressed, and a second day after it where a quarter of the ops are new contacts with typed Chinese summaries and
/// a tenth are purchases (issue 20). The peers encode the same edits as a Loro update and a Yrs update
/// (`tools/peers/`): `--out` writes day 1 for them, `--day2-out` day 2 (its base is the book after day 1);
/// `--frames DIR` keeps the frames for `wiredump -f`.
enum WireBench {
    static func run(_ options: Options) throws {
        let ops = options.int("--ops", 500)
        let touched = options.int("--touched", 300)
        let actor = ActorID(high: 0x5eed_0000_0000_0001, low: 42)
        var workload = Workload(seed: UInt64(options.int("--seed", 2026)), author: actor)
        workload.addCustomers(options.int("--customers", 2_000), into: \.base)
        workload.addWork(ops, over: 0..<touched, into: \.edits)
        if let out = options.string("--out") { try workload.json().write(to: URL(fileURLWithPath: out)) }

        var author = OpAuthor(actor: actor)
        _ = author.ops(workload.base, customers: workload.customers)
        let day = author.ops(workload.edits, customers: workload.customers)
        try emit(day, tag: "wire", label: "a day's", frames: options.string("--frames"))

        // Day 2 continues the same book (and the same generator): day 1 becomes part of its base.
        var second = workload
        second.base += second.edits
        second.edits = []
        second.addWork(ops, over: 0..<touched, into: \.edits, mix: .visits)
        if let out = options.string("--day2-out") { try second.json().write(to: URL(fileURLWithPath: out)) }
        let day2 = author.ops(second.edits, customers: second.customers)
        try emit(day2, tag: "wire.day2", label: "day 2 (a quarter new contacts with summaries, a tenth purchases):",
                 frames: options.string("--frames"))
    }

    /// The ops as one OPS batch, raw and compressed: `TAG.raw` and `TAG.compressed`. With `frames` (a folder), each
    /// frame is also written there as `TAG.raw.bin` / `TAG.compressed.bin`, for `wiredump -f`.
    static func emit(_ ops: [Op], tag: String, label: String, frames: String?) throws {
        for compressed in [false, true] {
            var buffer = ByteBufferAllocator().buffer(capacity: 64 * 1024)
            let bytes = try buffer.writeMessage(.ops(Message.Ops(seq: 1, operations: ops, compressed: compressed)))
            if let frames {
                let file = (frames as NSString).appendingPathComponent("\(tag).\(compressed ? "compressed" : "raw").bin")
                try Data(buffer.readableBytesView).write(to: URL(fileURLWithPath: file))
            }
            Measure.emit(
                "\(tag).\(compressed ? "compressed" : "raw")",
                "wire: \(label) \(ops.count) ops, OPS batch \(compressed ? "compressed" : "raw")", unit: "B",
                values: [Double(bytes)], extra: ["per_op": Double(bytes) / Double(ops.count)])
        }
    }
}
