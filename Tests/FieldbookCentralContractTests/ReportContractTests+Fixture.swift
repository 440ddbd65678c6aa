import FieldbookCentral
import FieldbookModel
import FieldbookStore
import FieldbookSync
import Foundation
import XCTest

/// A small known book written into any store through the seam itself: principals and devices by the administration,
/// each principal's ops made on its own device book and pushed as a sync would, co-coverages by an administrator.
///
/// Today is 2026-11-23 (UTC+8). Managers M001 and M002, advisor A001 (co-covers 王芳 and 赵敏), remote manager R001,
/// administrator X001. The figures are the ones `ReportTests` (FieldbookSyncTests) computes by hand:
///
/// | customer | owner | tier | co-cover | purchases (date, amount) | contacts (date, channel, by) |
/// |---|---|---|---|---|---|
/// | 王芳 | M001 | 钻石 B | A001 | 11-05 100万; 10-20 50万 | 11-20 call M001; 11-21 visit A001 |
/// | 李明 | M001 | 金葵花 | | 11-10 20万; 11-11 30万 archived | 11-01 call M001; 11-15 call M001 |
/// | 周杰 | M001 | 钻石 | | | (never) |
/// | 钱多 | M001 | 钻石 A | | | 10-24 call M001 (exactly 30 days) |
/// | 赵敏 | M002 | 私人银行 C | A001 | 11-23 200万; 12-01 1万 | 10-10 call M002; 11-02 visit A001 |
/// | 孙强 | M002 (R001's until assigned) | 普通 | | 11-01 5万 | 11-22 call M002; 11-22 call R001 |
struct ContractBook {
    static let today = Day(year: 2026, month: 11, day: 23)!
    /// 2026-11-23 10:00 in UTC+8.
    static let now = UInt64(today.number) * 86_400_000 + 2 * 3_600_000
    /// The administrator who makes the coverage changes.
    static let admin = Administrator(code: "X001", named: true)

    let store: any CentralStore
    let name: String
    /// Each principal's device: its book and the account the centre knows it by.
    var devices: [String: (book: Book, account: DeviceAccount)] = [:]
    /// The customers by name.
    var ids: [String: EntityID] = [:]

    /// Registers the principals and enrols one device for each principal who writes.
    init(_ store: any CentralStore, name: String) async throws {
        self.store = store
        self.name = name
        try await store.addPrincipal("M001", name: "张经理", role: .manager)
        try await store.addPrincipal("M002", name: "李经理", role: .manager)
        try await store.addPrincipal("A001", name: "王投顾", role: .advisor)
        try await store.addPrincipal("R001", name: "赵远维", role: .remote)
        try await store.addPrincipal("X001", name: "管理员", role: .admin)
        for (seed, code) in ["M001", "M002", "A001", "R001"].enumerated() {
            try await enrol(code, seed: UInt64(seed + 2))
        }
    }

    /// Enrols a device for a principal and binds it to a fresh device book, as its first session would.
    mutating func enrol(_ code: String, seed: UInt64) async throws {
        let token = try await store.addDevice(for: code, address: "127.0.0.1:7420")
        let book = try Book.inMemory(principal: code, options: .fixed(milliseconds: Self.now - 90 * 86_400_000, seed: seed))
        try await store.bind(token.device, actor: book.actor)
        devices[code] = (book, DeviceAccount(device: token.device, principal: code, actor: book.actor))
    }

    /// Writes on a principal's device book and pushes the ops; every one must be stored.
    @discardableResult
    mutating func on(_ code: String, _ body: (BookTransaction) throws -> Void) async throws -> [Op] {
        let device = devices[code]!
        let ops = try device.book.write { tx in
            try body(tx)
            return tx.appended
        }
        let outcome: PushOutcome
        do {
            outcome = try await store.push(ops, from: device.account)
        } catch {
            XCTFail("\(name): push failed: \(String(reflecting: error))")
            throw error
        }
        XCTAssertEqual(outcome.held, ops.map(\.id.counter).max(), name)
        XCTAssertEqual(outcome.refusals.count, 0, "\(name): \(outcome.refusals)")
        return ops
    }

    static func day(_ month: Int, _ day: Int) -> Value { .date(Day(year: 2026, month: month, day: day)!) }

    /// Writes the whole table above.
    static func make(_ store: any CentralStore, name: String) async throws -> ContractBook {
        var book = try await ContractBook(store, name: name)
        let tier = try Schema.field(named: "tier", for: .customer).id
        let familiarity = try Schema.field(named: "familiarity", for: .customer).id
        let amount = try Schema.field(named: "amount", for: .purchase).id
        let product = try Schema.field(named: "product", for: .purchase).id
        func customer(_ owner: String, _ name: String, _ tierName: String, _ familiarityName: String? = nil, phone: String? = nil) async throws {
            var id: EntityID?
            try await book.on(owner) { tx in
                var fields = [FieldAssignment(Schema.F.name, .text(name)), FieldAssignment(tier, .text(tierName))]
                if let familiarityName { fields.append(FieldAssignment(familiarity, .text(familiarityName))) }
                if let phone { fields.append(FieldAssignment(Schema.F.phone, .text(phone))) }
                id = try tx.create(.customer, scope: nil, fields: fields)
            }
            book.ids[name] = id
        }
        func purchase(_ by: String, _ name: String, _ date: Value, _ yuan: Int64, archived: Bool = false) async throws {
            let customer = book.ids[name]!
            try await book.on(by) { tx in
                let id = try tx.create(
                    .purchase, scope: .customer(customer),
                    fields: [
                        FieldAssignment(product, .text("P001")), FieldAssignment(amount, .money(yuan * 100)),
                        FieldAssignment(Schema.F.date, date),
                    ])
                if archived { try tx.set(id, Schema.F.archived, .bool(true)) }
            }
        }
        func contact(_ by: String, _ name: String, _ date: Value, _ channel: String) async throws {
            let customer = book.ids[name]!
            try await book.on(by) { tx in
                try tx.create(
                    .contact, scope: .customer(customer),
                    fields: [
                        FieldAssignment(Schema.F.channel, .text(channel)), FieldAssignment(Schema.F.date, date),
                        FieldAssignment(Schema.F.text, .text("回访")),
                    ])
            }
        }
        try await customer("M001", "王芳", "钻石", "B", phone: "13800001234")
        try await customer("M001", "李明", "金葵花")
        try await customer("M001", "周杰", "钻石")
        try await customer("M001", "钱多", "钻石", "A")
        try await customer("M002", "赵敏", "私人银行", "C")
        // 孙强 is R001's first: R001 calls while covering it, then the administrator gives it to M002.
        try await customer("R001", "孙强", "普通")
        try await contact("R001", "孙强", day(11, 22), "call")
        _ = try await store.assign(book.ids["孙强"]!.text, to: "M002", by: admin)
        _ = try await store.cocover(book.ids["王芳"]!.text, with: "A001", by: admin)
        _ = try await store.cocover(book.ids["赵敏"]!.text, with: "A001", by: admin)

        try await purchase("M001", "王芳", day(11, 5), 1_000_000)
        try await purchase("M001", "王芳", day(10, 20), 500_000)
        try await purchase("M001", "李明", day(11, 10), 200_000)
        try await purchase("M001", "李明", day(11, 11), 300_000, archived: true)
        try await purchase("A001", "赵敏", day(11, 23), 2_000_000)
        try await purchase("M002", "赵敏", day(12, 1), 10_000)
        try await purchase("M002", "孙强", day(11, 1), 50_000)

        try await contact("M001", "王芳", day(11, 20), "call")
        try await contact("A001", "王芳", day(11, 21), "visit")
        try await contact("M001", "李明", day(11, 1), "call")
        try await contact("M001", "李明", day(11, 15), "call")
        try await contact("M001", "钱多", day(10, 24), "call")
        try await contact("M002", "赵敏", day(10, 10), "call")
        try await contact("A001", "赵敏", day(11, 2), "visit")
        try await contact("M002", "孙强", day(11, 22), "call")
        return book
    }
}
