import BenchSupport
import FieldbookModel
import FieldbookWire
import Foundation
import NIOCore

/// Workload 1: a manager's day (500 ops over 300 customers of a 2,000-customer book) as one OPS batch, raw and
/// compressed. The peers encode the same edits as a Loro update and a Yrs update (`tools/peers/`).
enum WireBench {
    static func run(_ options: Options) throws {
        var workload = Workload(seed: UInt64(options.int("--seed", 2026)))
        workload.addCustomers(options.int("--customers", 2_000), into: \.base)
        workload.addWork(options.int("--ops", 500), over: 0..<options.int("--touched", 300), into: \.edits)
        if let out = options.string("--out") { try workload.json().write(to: URL(fileURLWithPath: out)) }

        var author = OpAuthor(actor: ActorID(high: 0x5eed_0000_0000_0001, low: 42))
        _ = author.ops(workload.base, customers: workload.customers)
        let day = author.ops(workload.edits, customers: workload.customers)
        for compressed in [false, true] {
            var buffer = ByteBufferAllocator().buffer(capacity: 64 * 1024)
            let bytes = try buffer.writeMessage(.ops(Message.Ops(seq: 1, operations: day, compressed: compressed)))
            Measure.emit(
                compressed ? "wire.compressed" : "wire.raw",
                "wire: a day's \(day.count) ops, OPS batch \(compressed ? "compressed" : "raw")", unit: "B",
                values: [Double(bytes)], extra: ["per_op": Double(bytes) / Double(day.count)])
        }
    }
}
