import FieldbookModel

extension BookTransaction {
    /// The most UTF-8 bytes one text value or set element may hold: 16 KiB, about 5,000 Chinese characters.
    ///
    /// The wire carries strings of at most 65,535 bytes and frames of at most 1 MiB (protocol/SPEC.md §13). A value
    /// the wire cannot carry would be kept locally and then fail every sync of the device for ever, so it is refused
    /// when written. At 16 KiB even a customer created with every field full stays far inside one frame.
    public static let maxTextBytes = 16 * 1024

    /// Refuses an op whose text is longer than ``maxTextBytes`` or holds control characters other than tab and line
    /// breaks (a NUL cuts the text short for C libraries, an escape sequence rewrites the user's terminal when the
    /// value is shown). The message names the field, never the text.
    static func checkText(_ body: Op.Body) throws {
        func check(_ field: FieldID, _ text: String) throws {
            let name = Schema.field(field)?.name ?? "字段 \(field)"
            guard text.utf8.count <= maxTextBytes else {
                throw StoreError(.invalid, "\(name) 太长：最多 \(maxTextBytes) 字节（约 5000 个汉字），这次修改没有保存")
            }
            let control = text.unicodeScalars.contains {
                ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || $0.value == 0x7F
            }
            guard !control else {
                throw StoreError(.invalid, "\(name) 含有控制字符（如 NUL 或 ESC），这次修改没有保存")
            }
        }
        switch body {
        case .create(_, _, let fields):
            for assignment in fields { if case .text(let text) = assignment.value { try check(assignment.field, text) } }
        case .set(_, let field, let value, _):
            if case .text(let text) = value { try check(field, text) }
        case .add(_, let field, let element), .remove(_, let field, let element, _):
            try check(field, element)
        }
    }
}
