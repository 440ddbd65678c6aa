import BenchSupport
import FieldbookModel
import FieldbookStore
import Foundation

/// Workloads 3 and 6: local command latency through the `Book` API on a 5,000-customer book (`set`, `contact`,
/// `find` with a 1- and a 3-character Chinese query, a segment of three filters and an order), and the whole-process startup of `fieldbook -c status` on it.
enum LatencyBench {
    /// Makes (or reuses) the book: `customers` customers with about ten ops of history each, received from another
    /// device as a sync would bring them.
    static func prepare(at path: String, customers: Int) throws -> Book {
        if FileManager.default.fileExists(atPath: path) { return try Book.open(at: path) }
        let book = try Book.create(at: path, principal: "M001")
        let (_, ops) = ApplyBench.generate(customers * 10, seed: 5_000)
        for start in stride(from: 0, to: ops.count, by: ApplyBench.batch) {
            try book.applyRemote(Array(ops[start..<min(ops.count, start + ApplyBench.batch)]))
        }
        return book
    }

    static func run(_ options: Options) throws {
        let customers = options.int("--customers", 5_000)
        let samples = options.int("--samples", 300)
        guard let path = options.string("--book") else { throw BenchError("latency needs --book PATH") }
        let book = try prepare(at: path, customers: customers)
        var random = SplitMix64(seed: 9)
        let ids = try book.find(limit: customers).map(\.id)
        precondition(ids.count == customers, "the book holds \(ids.count) customers, not \(customers)")

        func sample(_ body: (EntityID, Int) throws -> Void) throws -> [Double] {
            try (0..<samples).map { index in
                let id = ids[Int(random.next() % UInt64(ids.count))]
                return try Measure.milliseconds { try body(id, index) }
            }
        }
        func emit(_ id: String, _ label: String, _ times: [Double]) {
            Measure.emit(id + ".p50", label + ", p50", unit: "ms", values: [Measure.quantile(times, 0.5)],
                         extra: ["samples": times.count, "min": times.min()!, "max": times.max()!])
            Measure.emit(id + ".p99", label + ", p99", unit: "ms", values: [Measure.quantile(times, 0.99)],
                         extra: ["samples": times.count, "min": times.min()!, "max": times.max()!])
        }
        emit("latency.set", "`set` note on a \(customers)-customer book", try sample { id, index in
            try setNote(book, id, index)
        })
        emit("latency.contact", "`contact` on a \(customers)-customer book", try sample { id, index in
            try addContact(book, id, index)
        })
        var found = 0
        emit("latency.find1", "`find 王` (1 character)", try sample { _, _ in found = try book.find(text: "王").count })
        let one = found
        emit("latency.find3", "`find 王秀英` (3 characters)", try sample { _, _ in found = try book.find(text: "王秀英").count })
        FileHandle.standardError.write(Data("  (王 matches \(one) customers, 王秀英 \(found))\n".utf8))
        // Issue 18: a segment with three filters (an ordered choice, money, a derived day count) and an order.
        let today = book.today
        let segment = CustomerQuery(
            filters: try ["tier>=钻石", "aum>=100万", "last_contact>30d"].map { try CustomerFilter.parse($0, today: today) },
            sort: try CustomerSort.parse("-aum"))
        emit("latency.segment", "`find tier>=钻石 aum>=100万 last_contact>30d --sort -aum`", try sample { _, _ in
            found = try book.find(segment).total
        })
        FileHandle.standardError.write(Data("  (the segment matches \(found) customers)\n".utf8))
    }
}

extension LatencyBench {
    /// What `set CUSTOMER note=…` does: one write transaction with one op.
    static func setNote(_ book: Book, _ id: EntityID, _ index: Int) throws {
        try book.write { tx in _ = try tx.set(id, Schema.F.note, .text("今天电话回访，第\(index)次")) }
    }

    /// What `contact CUSTOMER …` does: one write transaction creating a contact.
    static func addContact(_ book: Book, _ id: EntityID, _ index: Int) throws {
        try book.write { tx in
            _ = try tx.create(.contact, scope: .customer(id), fields: [
                FieldAssignment(Schema.F.channel, ContactChannel.call.value), FieldAssignment(Schema.F.text, .text("到期提醒 \(index)")),
                FieldAssignment(Schema.F.date, .date(Day(number: 20_454))),
            ])
        }
    }
}

/// Workload 6: the whole process of `fieldbook -c status`, started `runs` times.
enum StartupBench {
    static func run(_ options: Options) throws {
        guard let binary = options.string("--fieldbook"), let book = options.string("--book") else {
            throw BenchError("startup needs --fieldbook PATH --book PATH")
        }
        _ = try LatencyBench.prepare(at: book, customers: options.int("--customers", 5_000))
        var times: [Double] = []
        for run in 0..<(options.int("--runs", 20) + 1) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["--book", book, "-c", "status"]
            process.standardOutput = FileHandle.nullDevice
            let time = try Measure.milliseconds {
                try process.run()
                process.waitUntilExit()
            }
            guard process.terminationStatus == 0 else { throw BenchError("fieldbook -c status exited \(process.terminationStatus)") }
            if run > 0 { times.append(time) }  // the first run warms the page cache
        }
        Measure.emit("startup.status", "`fieldbook -c status`, whole process", unit: "ms", values: times)
    }
}

/// A bench failure, printed and exit 1.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
