import FieldbookCentral
import FieldbookModel
import XCTest

/// How every store reads a pushed batch before the policy: duplicates skipped, foreign ops denied, a gap stops it.
final class PushBatchTests: XCTestCase {
    let me = ActorID(bytes: Array(repeating: 1, count: 16))!
    let other = ActorID(bytes: Array(repeating: 2, count: 16))!

    func op(_ actor: ActorID, _ counter: UInt64) -> Op {
        let customer = EntityID(bytes: Array(repeating: UInt8(counter), count: 16))!
        return Op(
            id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: 1_000 + counter, logical: 0),
            scope: .customer(customer), principal: "M001",
            body: .set(entity: customer, field: Schema.F.note, value: .text("记录"), pred: []))
    }

    func testContinuesInCounterOrderSkippingWhatIsHeld() {
        let batch = PushBatch([op(me, 5), op(me, 3), op(me, 4), op(me, 2)], actor: me, held: 3)
        XCTAssertEqual(batch.continuing.map(\.id.counter), [4, 5])
        XCTAssertEqual(batch.foreign, 0)
        XCTAssertFalse(batch.gap)
    }

    func testAGapStopsTheBatchAndForeignOpsAreCountedUpToIt() {
        // Sorted by counter: 1 (mine), 2 (foreign), 4 (mine: a gap after 1), 6 (foreign: after the gap, not counted).
        let batch = PushBatch([op(other, 6), op(me, 4), op(other, 2), op(me, 1)], actor: me, held: 0)
        XCTAssertEqual(batch.continuing.map(\.id.counter), [1])
        XCTAssertEqual(batch.foreign, 1)
        XCTAssertTrue(batch.gap)
    }

    func testNothingNew() {
        let batch = PushBatch([op(me, 1), op(me, 2)], actor: me, held: 2)
        XCTAssertTrue(batch.continuing.isEmpty)
        XCTAssertFalse(batch.gap)
    }
}
