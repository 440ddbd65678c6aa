// BatchSizeTests.swift: the size of a realistic manager's day as one OPS batch (SPEC §8.6, issue 4 goal).
import FieldbookModel
import Foundation
import NIOCore
import Testing

@testable import FieldbookWire

/// A seeded, realistic day of one relationship manager: 500 ops over a book of 300 customers.
enum ManagerDay {
    static let tags = ["高净值", "理财意向", "保险意向", "基金定投", "养老规划", "子女教育", "企业主", "退休", "新客户", "流失风险", "生日关怀", "代发工资"]
    static let notes = ["客户说下个月有一笔定期到期，想了解结构性存款", "孩子明年出国读书，关注外汇额度", "对上次推荐的基金收益不满意，需要安抚",
                        "介绍了养老目标基金，客户有兴趣再聊", "客户母亲住院，暂缓营销", "客户企业回款，账户有大额资金进账",
                        "约了周末带配偶来网点面谈", "已发送产品说明书，等待客户确认", "客户提到他行利率更高，注意留存", "生日问候，客户很高兴"]
    static let outcomes = ["有意向", "需跟进", "已成交", "暂无需求", "约下次"]
    static let channels = ["电话", "上门", "到店", "微信", "活动"]
    static let tiers = ["普通", "金葵花", "钻石", "私人银行"]

    static func make(seed: UInt64 = 2026) -> [FieldbookModel.Operation] {
        var rng = SplitMix64(seed: seed)
        func pick<T>(_ list: [T]) -> T { list[Int(rng.next() % UInt64(list.count))] }
        let me = ActorID(high: 0x5eed_0000_0000_0001, low: rng.next())
        let advisor = ActorID(high: 0x5eed_0000_0000_0002, low: rng.next())
        let dayStart: UInt64 = 1_767_256_200_000  // 2026-01-01 08:30 UTC+8
        let customers = (0..<300).map { i in
            EntityID.make(milliseconds: dayStart - 3 * 365 * 86_400_000 + UInt64(i) * 315_000_000 + rng.next() % 1000, using: &rng)
        }
        var counter: UInt64 = 4_800
        var ms = dayStart
        // The device's clock: whole seconds since protocol version 4 (SPEC [W-4.5.3]).
        var clock = HybridClock(last: .zero)
        var ops: [FieldbookModel.Operation] = []
        var last: [EntityID: [FieldID: OpID]] = [:]
        func customer() -> EntityID {
            // Zipf-like: a few customers take most of the day.
            let r = Double(rng.next() % 10_000) / 10_000
            return customers[min(299, Int(300 * r * r * r))]
        }
        func emit(_ scope: EntityID, _ body: FieldbookModel.Operation.Body, burst: Bool) {
            counter += 1
            ms += burst ? 200 + rng.next() % 4_000 : 30_000 + rng.next() % 240_000
            ops.append(FieldbookModel.Operation(id: OpID(actor: me, counter: counter), hlc: clock.tick(now: ms),
                                 scope: .customer(scope), principal: "M001", schemaVersion: 1, body: body))
        }
        func pred(_ c: EntityID, _ f: FieldID) -> [OpID] {
            if let p = last[c]?[f] { return [p] }
            switch rng.next() % 10 {
            case 0: return []
            case 1: return [OpID(actor: advisor, counter: 1 + rng.next() % 900)]
            default: return [OpID(actor: me, counter: 1 + rng.next() % 4_800)]
            }
        }
        func set(_ c: EntityID, _ f: FieldID, _ v: Value, burst: Bool) {
            emit(c, .set(entity: c, field: f, value: v, pred: pred(c, f)), burst: burst)
            last[c, default: [:]][f] = ops.last!.id
        }
        while ops.count < 500 {
            let c = customer()
            switch rng.next() % 10 {
            case 0, 1, 2:  // a contact, with a few follow-up edits
                let contact = EntityID.make(milliseconds: ms, using: &rng)
                emit(c, .create(kind: .contact, entity: contact, fields: [
                    FieldAssignment(Schema.F.channel, .text(pick(channels))),
                    FieldAssignment(Schema.F.date, .date(Day(number: 20_454))),
                    FieldAssignment(Schema.F.text, .text(pick(notes))),
                    FieldAssignment(Schema.F.outcome, .text(pick(outcomes))),
                    FieldAssignment(Schema.F.next, .date(Day(number: 20_454 + Int32(rng.next() % 30)))),
                ]), burst: false)
                if rng.next() % 2 == 0 { set(c, FieldID(rawValue: 13), .text(pick(["A", "B", "C"])), burst: true) }
                if rng.next() % 3 == 0 { emit(c, .add(entity: c, field: Schema.F.tags, element: pick(tags)), burst: true) }
            case 3, 4, 5:  // field edits
                set(c, FieldID(rawValue: 11), .money(Int64(rng.next() % 5_000_000) * 10_000), burst: false)
                if rng.next() % 2 == 0 { set(c, Schema.F.tier, .text(pick(tiers)), burst: true) }
                if rng.next() % 3 == 0 { set(c, FieldID(rawValue: 16), .text("C\(1 + rng.next() % 5)"), burst: true) }
                if rng.next() % 3 == 0 { set(c, FieldID(rawValue: 17), .date(Day(number: 20_454)), burst: true) }
            case 6, 7:  // tags
                emit(c, .add(entity: c, field: Schema.F.tags, element: pick(tags)), burst: false)
                if rng.next() % 3 == 0 {
                    emit(c, .remove(entity: c, field: Schema.F.tags, element: pick(tags),
                                    observed: [OpID(actor: me, counter: 1 + rng.next() % 4_800)]), burst: true)
                }
            case 8:  // a note
                set(c, Schema.F.note, .text(pick(notes)), burst: false)
            default:  // a task
                let task = EntityID.make(milliseconds: ms, using: &rng)
                emit(c, .create(kind: .task, entity: task, fields: [
                    FieldAssignment(Schema.F.text, .text("回访：" + pick(notes).prefix(10))),
                    FieldAssignment(Schema.F.due, .date(Day(number: 20_454 + Int32(rng.next() % 14)))),
                ]), burst: false)
            }
        }
        return Array(ops.prefix(500))
    }
}

@Suite("Batch size")
struct BatchSizeTests {
    @Test("a manager's day of 500 ops costs about 10–20 bytes an op compressed (W-8.5.5)")
    func managersDay() throws {
        let ops = ManagerDay.make()
        #expect(ops.count == 500)
        var rawFrame = ByteBuffer()
        try rawFrame.writeMessage(.ops(.init(seq: 1, operations: ops)))
        var zipped = ByteBuffer()
        try zipped.writeMessage(.ops(.init(seq: 1, operations: ops, compressed: true)))
        let storeBytes = ops.reduce(0) { $0 + $1.body.encoded.count + 16 + 8 + 8 + 4 + 2 }
        let customers = Set(ops.compactMap { $0.scope.customer }).count
        let text = ops.reduce(0) { sum, op in
            switch op.body {
            case .create(_, _, let f): return sum + f.reduce(0) { $0 + ($1.value.text?.utf8.count ?? 0) }
            case .set(_, _, let v, _): return sum + (v.text?.utf8.count ?? 0)
            case .add(_, _, let e), .remove(_, _, let e, _): return sum + e.utf8.count
            }
        }
        print("""
            manager's day: \(ops.count) ops over \(customers) distinct customers (book of 300), \(text) bytes of UTF-8 in values
              OPS frame, raw:        \(rawFrame.readableBytes) bytes = \(String(format: "%.1f", Double(rawFrame.readableBytes) / 500)) bytes/op
              OPS frame, zlib:       \(zipped.readableBytes) bytes = \(String(format: "%.1f", Double(zipped.readableBytes) / 500)) bytes/op
              row-by-row (store-like, IDs in full): \(storeBytes) bytes = \(storeBytes / 500) bytes/op
            """)
        #expect(Double(zipped.readableBytes) / 500 < 20)
        guard case .ops(let back) = try zipped.readMessage() else { Issue.record("not OPS"); return }
        #expect(back.operations == ops)
    }
}
