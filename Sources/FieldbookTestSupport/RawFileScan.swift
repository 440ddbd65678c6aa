import Foundation

/// Searches the raw bytes of every file under a folder for planted markers, the way an attacker with a hex viewer
/// would (issue 15): each marker and every 3-character piece of it (the FTS5 trigram index stores such pieces),
/// UTF-8 encoded, in every file; libedit history files are also searched after decoding their `vis` escapes
/// (`\M-f…` for UTF-8 bytes, `\040` for a space), which would otherwise hide Chinese text from a byte search.
/// Pieces made only of digits count only where the run of digits around them belongs to the marker (``occurs``).
public enum RawFileScan {
    /// One piece found in one file.
    public struct Hit: Sendable, Hashable, CustomStringConvertible {
        /// The file, relative to the folder.
        public var file: String
        /// The marker the piece came from.
        public var marker: String
        /// The piece found.
        public var piece: String

        public var description: String { "\(file): \"\(piece)\" of \"\(marker)\"" }
    }

    /// The marker and its 3-character pieces (a marker of 3 characters or fewer is its own only piece).
    public static func pieces(of marker: String) -> [String] {
        let characters = Array(marker)
        guard characters.count > 3 else { return [marker] }
        return [marker] + (0...(characters.count - 3)).map { String(characters[$0..<($0 + 3)]) }
    }

    /// Every hit of every marker's pieces in every regular file under `folder` (recursively).
    public static func hits(in folder: String, markers: [String]) -> [Hit] {
        var hits: [Hit] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let relative = enumerator?.nextObject() as? String {
            let path = (folder as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            let bytes = [UInt8](data)
            let decoded = unvis(bytes)
            for marker in markers {
                for piece in Set(pieces(of: marker)) {
                    let needle = Array(piece.utf8)
                    let markerBytes = Array(marker.utf8)
                    if occurs(needle, in: bytes, of: markerBytes) || occurs(needle, in: decoded, of: markerBytes) {
                        hits.append(Hit(file: relative, marker: marker, piece: piece))
                    }
                }
            }
        }
        return hits.sorted { ($0.file, $0.marker, $0.piece) < ($1.file, $1.marker, $1.piece) }
    }

    /// Whether a piece of a marker occurs in the bytes. A piece made only of digits (three digits of a phone
    /// number) is also in every other number and in random IDs written as hex or base32: it counts only where the
    /// whole run of ASCII letters and digits around it is itself part of the marker, so `139` inside a timestamp
    /// `1795401390012` or an ID `a139f0` is not a hit, while `139` or `1398765` standing alone is. (Chinese markers
    /// carry the test's strength: their pieces occur nowhere else.)
    public static func occurs(_ needle: [UInt8], in haystack: [UInt8], of marker: [UInt8]) -> Bool {
        func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || byte == UInt8(ascii: "X") }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        guard needle.allSatisfy(isDigit) else { return contains(haystack, needle) }
        var from = 0
        while let index = firstIndex(of: needle, in: haystack, from: from) {
            var start = index
            var end = index + needle.count
            while start > 0, isAlphanumeric(haystack[start - 1]) { start -= 1 }
            while end < haystack.count, isAlphanumeric(haystack[end]) { end += 1 }
            if contains(marker, Array(haystack[start..<end])) { return true }
            from = index + 1
        }
        return false
    }

    /// The first index at or after `from` where `needle` starts in `haystack`.
    public static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        for index in from...(haystack.count - needle.count)
        where haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    /// Whether `haystack` contains `needle`.
    public static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }

    /// Undoes libedit's `strvis` encoding of history lines: `\M-x` (x + 0x80), `\M^x` (control x + 0x80), `\^x`,
    /// `\ooo` octal, `\\`. Other bytes pass through.
    public static func unvis(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func control(_ c: UInt8) -> UInt8 { c == UInt8(ascii: "?") ? 0x7F : c & 0x1F }
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "\\"), i + 1 < bytes.count else {
                out.append(b)
                i += 1
                continue
            }
            let next = bytes[i + 1]
            if next == UInt8(ascii: "M"), i + 3 < bytes.count, bytes[i + 2] == UInt8(ascii: "-") {
                out.append(bytes[i + 3] | 0x80)
                i += 4
            } else if next == UInt8(ascii: "M"), i + 3 < bytes.count, bytes[i + 2] == UInt8(ascii: "^") {
                out.append(control(bytes[i + 3]) | 0x80)
                i += 4
            } else if next == UInt8(ascii: "^"), i + 2 < bytes.count {
                out.append(control(bytes[i + 2]))
                i += 3
            } else if (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(next), i + 3 < bytes.count {
                let digits = bytes[(i + 1)...(i + 3)].map { Int($0) - 48 }
                out.append(UInt8(truncatingIfNeeded: digits[0] * 64 + digits[1] * 8 + digits[2]))
                i += 4
            } else {
                out.append(next)
                i += 2
            }
        }
        return out
    }
}
