#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The text encodings of spreadsheet files (issue 19): UTF-8, and GB18030, the national standard that contains GBK
/// and GB2312 byte for byte, which WPS and Excel on Chinese Windows write when a sheet is saved as plain "CSV".
///
/// Reading detects the encoding: a file that is valid UTF-8 (after an optional byte-order mark) is UTF-8; any other
/// file is decoded as GB18030, which reads every GBK and GB2312 file; a file that is neither is refused. Valid UTF-8
/// holding Chinese is almost never valid GBK text of the same meaning, and the reverse is rare enough that a GBK file
/// of Chinese names is never taken for UTF-8 in practice.
///
/// The conversion is glibc's `iconv` (`GB18030` ⇄ `UTF-8`). Foundation's `String(data:encoding:)` also decodes
/// GB18030 on Linux, but only through the raw constant `0x80000632`: the CoreFoundation names
/// (`CFStringConvertEncodingToNSStringEncoding`, `CFStringEncodings.GB_18030_2000`) do not exist in Foundation on
/// Linux. Checked over every code point from U+0020 to U+FFFD and two supplementary ranges, both agree except on
/// four code points whose mapping GB18030-2005 moved out of the private use area; `iconv` is the documented API and
/// reports a bad or truncated sequence precisely.
///
/// ```swift
/// try TextEncoding.decode(Data([0xCD, 0xF5, 0xB7, 0xBC]))  // ("王芳", .gb18030)
/// try TextEncoding.gb18030("王芳")                          // [0xCD, 0xF5, 0xB7, 0xBC]
/// ```
enum TextEncoding: Sendable, Equatable {
    case utf8
    case gb18030

    /// What a file was found to be, or could not be.
    enum Failure: Error, Equatable {
        /// Neither UTF-8 nor GB18030.
        case unknown
        /// UTF-16 (Excel's "Unicode text"), recognised by its byte-order mark.
        case utf16

        /// The refusal, in Chinese; never any of the file's content.
        var message: String {
            switch self {
            case .unknown:
                "文件编码无法识别（既不是 UTF-8，也不是 GBK/GB18030）：请在 Excel 或 WPS 里另存为“CSV UTF-8”后再导入；没有导入任何客户"
            case .utf16:
                "文件是 UTF-16 编码（Excel 的“Unicode 文本”）：请另存为“CSV UTF-8”或“CSV（逗号分隔）”后再导入；没有导入任何客户"
            }
        }
    }

    /// The text of a file and its encoding. A UTF-8 byte-order mark is kept in the text (``CSVTable`` drops it).
    static func decode(_ data: Data) throws(Failure) -> (text: String, encoding: TextEncoding) {
        let bytes = [UInt8](data)
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { throw .utf16 }
        guard let converted = convert(bytes, from: "GB18030", to: "UTF-8"),
            let text = String(validating: converted, as: UTF8.self)
        else { throw .unknown }
        return (text, .gb18030)
    }

    /// `text` in GB18030, or `nil` if `iconv` refuses it (GB18030 maps every Unicode scalar value, so it should not).
    static func gb18030(_ text: String) -> [UInt8]? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
    }

    /// How many characters of `text` a GBK reader would not show as written, when `text` is written in GB18030
    /// (`bytes`): the characters GBK lacks (four-byte ones such as `𠀀`, and two-byte ones GB18030-2005 added, such as
    /// `䶮`), and `€`, which GBK writes as 0x80 and GB18030 as A2 E3.
    static func beyondGBK(_ text: String, gb18030 bytes: [UInt8]) -> Int {
        if convert(Array(text.utf8), from: "UTF-8", to: "GBK") == bytes { return 0 }
        var verdicts: [Unicode.Scalar: Bool] = [:]
        var count = 0
        for scalar in text.unicodeScalars where !scalar.isASCII {
            let beyond =
                verdicts[scalar]
                ?? {
                    let utf8 = Array(String(scalar).utf8)
                    let verdict = convert(utf8, from: "UTF-8", to: "GBK") != convert(utf8, from: "UTF-8", to: "GB18030")
                    verdicts[scalar] = verdict
                    return verdict
                }()
            if beyond { count += 1 }
        }
        return count
    }

    /// Converts bytes with `iconv`; `nil` for an invalid or truncated sequence, or an unknown encoding.
    static func convert(_ input: [UInt8], from source: String, to target: String) -> [UInt8]? {
        let descriptor = iconv_open(target, source)
        guard descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        var input = input
        var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var written = 0
        let succeeded = input.withUnsafeMutableBytes { inputBuffer -> Bool in
            var inputPointer = inputBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
            var inputLeft = inputBuffer.count
            var flushed = false
            // The input, then one call without input that ends any shift state; both grow the output when full.
            while inputLeft > 0 || !flushed {
                let flushing = inputLeft == 0
                var outputLeft = output.count - written
                let result = output.withUnsafeMutableBytes { outputBuffer -> Int in
                    var outputPointer: UnsafeMutablePointer<CChar>? =
                        (outputBuffer.baseAddress! + written).assumingMemoryBound(to: CChar.self)
                    return flushing
                        ? iconv(descriptor, nil, nil, &outputPointer, &outputLeft)
                        : iconv(descriptor, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
                }
                written = output.count - outputLeft
                if result == -1 {
                    // Output full: grow it and go on. EILSEQ (a bad sequence) and EINVAL (cut off at the end) fail.
                    guard errno == E2BIG else { return false }
                    output += [UInt8](repeating: 0, count: output.count)
                } else if flushing {
                    flushed = true
                }
            }
            return true
        }
        return succeeded ? Array(output.prefix(written)) : nil
    }
}
