/// Crockford base32 (lowercase, no padding), the alphabet of every textual ID in Fieldbook.
///
/// The alphabet leaves out `i l o u` so that an ID read aloud over the phone or copied by hand is not misread.
/// Decoding accepts upper case and maps `i`/`l` to `1` and `o` to `0`, as Crockford's spec says.
///
/// ```swift
/// Base32.encode([0xff, 0x00]) // "zw00"
/// ```
public enum Base32 {
    /// The 32 characters, in value order.
    public static let alphabet: [Character] = Array("0123456789abcdefghjkmnpqrstvwxyz")

    private static let values: [UInt8: UInt8] = {
        var table: [UInt8: UInt8] = [:]
        for (index, character) in alphabet.enumerated() {
            let ascii = character.asciiValue!
            table[ascii] = UInt8(index)
            table[UInt8(ascii).uppercasedASCII] = UInt8(index)
        }
        for (alias, target) in [("i", "1"), ("l", "1"), ("o", "0")] {
            let value = table[Character(target).asciiValue!]!
            table[Character(alias).asciiValue!] = value
            table[Character(alias).asciiValue!.uppercasedASCII] = value
        }
        return table
    }()

    /// Encodes bytes, most significant bit first.
    ///
    /// - Parameter bytes: Any bytes.
    /// - Returns: `ceil(bytes.count * 8 / 5)` characters.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)])
        }
        return output
    }

    /// The 5-bit value of one character, or `nil` when the character is not in the alphabet.
    public static func value(of character: Character) -> UInt8? {
        guard let ascii = character.asciiValue else { return nil }
        return values[ascii]
    }

    /// Normalizes a typed ID or prefix to the canonical lowercase alphabet, or `nil` if a character is invalid.
    public static func normalize(_ text: some StringProtocol) -> String? {
        var output = ""
        for character in text {
            guard let value = value(of: character) else { return nil }
            output.append(alphabet[Int(value)])
        }
        return output
    }

    /// Decodes a full encoding of `byteCount` bytes, or `nil` when the text is not one.
    public static func decode(_ text: some StringProtocol, byteCount: Int) -> [UInt8]? {
        guard text.count == (byteCount * 8 + 4) / 5 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(byteCount)
        var buffer: UInt32 = 0
        var bits = 0
        for character in text {
            guard let value = value(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xff))
            }
        }
        // The leftover padding bits must be zero, so that every ID has exactly one spelling.
        guard output.count == byteCount, buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}

extension UInt8 {
    fileprivate var uppercasedASCII: UInt8 { (self >= 97 && self <= 122) ? self - 32 : self }
}
