import FieldbookModel

/// A scope's state sum (``StateSum``, SPEC §9.3) as PostgreSQL keeps it: a `numeric` in `[0, 2^256)`, so that a push
/// adds its delta in the upsert itself (`sum = mod(sum + delta, 2^256)`) without reading the row first.
///
/// The sums cross the wire as decimal text: ``decimal(_:)`` writes one, ``sum(decimal:)`` reads one back.
///
/// ```swift
/// PostgresStateSum.decimal(.zero)                       // "0"
/// PostgresStateSum.sum(decimal: "1")?.bytes.first       // 1 (little-endian)
/// ```
package enum PostgresStateSum {
    /// 2^256, the modulus of every sum, as a SQL numeric literal.
    package static let modulus = "115792089237316195423570985008687907853269984665640564039457584007913129639936"

    /// The sum as a decimal integer.
    package static func decimal(_ sum: StateSum) -> String {
        // Eight 32-bit limbs, most significant first, divided by 10^9 until nothing is left.
        let bytes = sum.bytes
        var limbs: [UInt32] = (0..<8).reversed().map { index in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index * 4 + $1]) << (UInt32($1) * 8) }
        }
        var chunks: [UInt32] = []
        while limbs.contains(where: { $0 != 0 }) {
            var remainder: UInt64 = 0
            for index in limbs.indices {
                let current = remainder << 32 | UInt64(limbs[index])
                limbs[index] = UInt32(current / 1_000_000_000)
                remainder = current % 1_000_000_000
            }
            chunks.append(UInt32(remainder))
        }
        guard let last = chunks.popLast() else { return "0" }
        return String(last) + chunks.reversed().map { chunk in
            let digits = String(chunk)
            return String(repeating: "0", count: 9 - digits.count) + digits
        }.joined()
    }

    /// The sum a decimal integer names, modulo 2^256 (a `numeric`'s text; a fractional part of zeros is allowed);
    /// `nil` for anything else.
    package static func sum(decimal text: String) -> StateSum? {
        var digits = Substring(text)
        if let point = digits.firstIndex(of: ".") {
            guard digits[digits.index(after: point)...].allSatisfy({ $0 == "0" }) else { return nil }
            digits = digits[..<point]
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        // Eight 32-bit limbs, least significant first: limbs = limbs * 10 + digit, dropping what passes 2^256.
        var limbs = [UInt32](repeating: 0, count: 8)
        for digit in digits.utf8 {
            var carry = UInt64(digit - UInt8(ascii: "0"))
            for index in limbs.indices {
                let current = UInt64(limbs[index]) * 10 + carry
                limbs[index] = UInt32(truncatingIfNeeded: current)
                carry = current >> 32
            }
        }
        var bytes: [UInt8] = []
        for limb in limbs {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: limb >> UInt32(shift))) }
        }
        return StateSum(bytes: bytes)
    }
}
