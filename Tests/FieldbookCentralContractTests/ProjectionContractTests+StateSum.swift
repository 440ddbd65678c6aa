import FieldbookCentralPostgres
import FieldbookModel
import FieldbookStore
import XCTest

/// A scope's state sum as PostgreSQL keeps it (a `numeric`, written and read as decimal text): the conversion both
/// ways is exact, and reading reduces modulo 2^256 as the `scope_sum` upsert does.
final class PostgresStateSumTests: XCTestCase {
    func testDecimalTextRoundTrips() {
        XCTAssertEqual(PostgresStateSum.decimal(.zero), "0")
        let one = StateSum(bytes: [1] + [UInt8](repeating: 0, count: 31))!
        XCTAssertEqual(PostgresStateSum.decimal(one), "1")
        let top = StateSum(bytes: [UInt8](repeating: 0xff, count: 32))!
        XCTAssertEqual(PostgresStateSum.decimal(top), String(PostgresStateSum.modulus.dropLast()) + "5")  // 2^256 - 1
        XCTAssertEqual(PostgresStateSum.sum(decimal: PostgresStateSum.modulus), .zero)
        XCTAssertEqual(PostgresStateSum.sum(decimal: "1.000"), one)
        for bad in ["", "-1", "1.5", "12a", "1e3"] { XCTAssertNil(PostgresStateSum.sum(decimal: bad), bad) }

        var random = SplitMix64(seed: 17)
        for _ in 0..<500 {
            let sum = StateSum(bytes: (0..<32).map { _ in UInt8(truncatingIfNeeded: random.next()) })!
            let text = PostgresStateSum.decimal(sum)
            XCTAssertEqual(PostgresStateSum.sum(decimal: text), sum, text)
            // 2^256 more reads as the same sum.
            XCTAssertEqual(PostgresStateSum.sum(decimal: Self.add(text, PostgresStateSum.modulus)), sum)
        }
    }

    /// The sum of two decimal integers, digit by digit.
    static func add(_ a: String, _ b: String) -> String {
        var x = Array(a.utf8.reversed()).map { Int($0) - 48 }
        var y = Array(b.utf8.reversed()).map { Int($0) - 48 }
        let count = max(x.count, y.count)
        x += Array(repeating: 0, count: count - x.count)
        y += Array(repeating: 0, count: count - y.count)
        var digits: [Int] = []
        var carry = 0
        for index in 0..<count {
            let digit = x[index] + y[index] + carry
            digits.append(digit % 10)
            carry = digit / 10
        }
        if carry > 0 { digits.append(carry) }
        return String(digits.reversed().map { Character(String($0)) })
    }
}
