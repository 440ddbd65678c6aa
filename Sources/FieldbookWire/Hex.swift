// Hex.swift: hex text for bytes, as the spec, the vectors and wiredump write them (SPEC §3.3).

/// Lowercase hex, two digits a byte, and its parser.
///
/// ```swift
/// Hex.encode([0x0a, 0xff])        // "0aff"
/// Hex.decode("0a ff")             // [0x0a, 0xff]: spaces and newlines are ignored
/// ```
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Two lowercase hex digits of one byte.
    ///
    /// - Parameter byte: The byte.
    /// - Returns: Two characters.
    public static func byte(_ byte: UInt8) -> String {
        String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
    }

    /// Lowercase hex of bytes, with an optional separator between bytes.
    ///
    /// - Parameters:
    ///   - bytes: The bytes.
    ///   - separator: Put between bytes; empty by default.
    /// - Returns: The hex text.
    public static func encode(_ bytes: some Sequence<UInt8>, separator: String = "") -> String {
        var out: [UInt8] = []
        var first = true
        for b in bytes {
            if !first { out.append(contentsOf: separator.utf8) }
            first = false
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex digits, ignoring whitespace, commas and a `0x` prefix on the whole text.
    ///
    /// - Parameter text: The hex text.
    /// - Returns: The bytes, or `nil` for an odd count of digits or a character that is not a hex digit.
    public static func decode(_ text: String) -> [UInt8]? {
        var body = Substring(text)
        if body.hasPrefix("0x") { body = body.dropFirst(2) }
        var bytes: [UInt8] = []
        var high: UInt8? = nil
        for c in body.utf8 {
            let nibble: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = c - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: ","):
                continue
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return high == nil ? bytes : nil
    }
}
