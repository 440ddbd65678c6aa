/// The rules every value must keep, wherever it is written or received (protocol/SPEC.md [W-10.6]).
///
/// One set of rules serves the shell (a local write is refused), the central node (a pushed op is refused) and a device
/// receiving ops (an op that breaks them is not applied, so it is never shown): text length, no control characters,
/// the field's type. Messages name the field and the rule, never the value (customer data stays out of errors).
extension Operation {
    /// The most UTF-8 bytes one text value or set element may hold: 16 KiB, about 5,000 Chinese characters.
    ///
    /// The wire carries strings of at most 65,535 bytes and frames of at most 1 MiB (SPEC §12). At 16 KiB even a
    /// customer created with every field full stays far inside one frame.
    public static let maxTextBytes = 16 * 1024

    /// Why a value the op carries breaks the value rules, or `nil` when every value keeps them.
    ///
    /// Checks each text for length and control characters, and, for fields this schema knows, that the value has the
    /// field's type (a date field holds a date, a choice field one of its choices). A field this schema does not know
    /// is accepted only from an op written with a newer schema (SPEC §13: it is kept and passed on).
    public var valueProblem: String? {
        switch body {
        case .create(let kind, _, let fields):
            for assignment in fields {
                if let problem = Self.problem(assignment.field, assignment.value, kind: kind, schema: schemaVersion) {
                    return problem
                }
            }
        case .set(_, let field, let value, _):
            return Self.problem(field, value, kind: nil, schema: schemaVersion)
        case .add(_, let field, let element), .remove(_, let field, let element, _):
            return Self.textProblem(field, element)
        }
        return nil
    }

    /// Whether a scalar must never be stored in any value: C0 controls but tab and line feed (carriage return
    /// included: a CR LF from Windows is made a line feed before it is written, `import csv` does so), DEL, C1 controls
    /// (U+0080–U+009F, among them the 8-bit CSI U+009B), the bidirectional overrides and isolates that reorder what a
    /// reader sees (U+202A–U+202E, U+2066–U+2069), and the noncharacters U+FDD0–U+FDEF, which the shell uses as style
    /// marks (a value could otherwise forge one).
    ///
    /// Tab and line feed are allowed by this test but only in free-text fields (``FieldSpec/allowsLineBreaks``):
    /// ``textProblem(_:_:)`` applies both rules.
    public static func isForbiddenControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: return false
        case 0x00..<0x20, 0x7F, 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0xFDD0...0xFDEF: return true
        default: return false
        }
    }

    /// Why one text breaks the rules, naming the field only.
    ///
    /// Tab and line feed are refused in a field that is not free text (a name, a tag, a phone); a field this schema
    /// does not know (from a newer schema) may hold them, since a newer schema may make it free text.
    public static func textProblem(_ field: FieldID, _ text: String) -> String? {
        let spec = Schema.field(field)
        let name = spec?.label ?? "字段 \(field.rawValue)"
        if text.utf8.count > maxTextBytes { return "\(name)太长：最多 \(maxTextBytes) 字节（约 5000 个汉字）" }
        let multiLine = spec?.allowsLineBreaks ?? true
        for scalar in text.unicodeScalars {
            if scalar == "\r" { return "\(name)含有回车符（CR）：换行请只用换行符（LF）" }
            if isForbiddenControl(scalar) { return "\(name)含有控制字符（看不见的特殊字符或方向控制符）" }
            if !multiLine, scalar == "\n" || scalar == "\t" {
                return "\(name)不能含有换行或制表符（只有备注、内容、处理结果这类多行文字可以）"
            }
        }
        return nil
    }

    private static func problem(_ field: FieldID, _ value: Value, kind: EntityKind?, schema: UInt16) -> String? {
        if case .text(let text) = value, let problem = textProblem(field, text) { return problem }
        guard let spec = Schema.field(field) else {
            return schema > Schema.version ? nil : "未知字段 \(field.rawValue)"
        }
        if let kind, !spec.kinds.contains(kind), schema <= Schema.version { return "\(kind.label)没有\(spec.label)这一项" }
        return spec.accepts(value) ? nil : "\(spec.label)的值类型不对"
    }
}

extension FieldSpec {
    /// Whether the field is free text that may span lines and hold tabs: `note`, `text` (contacts, tasks, complaints,
    /// work log) and `resolution`. Every other text (a name, an address, a tag, a product code) is one line.
    public var allowsLineBreaks: Bool {
        id == Schema.F.note || id == Schema.F.text || id == Schema.F.resolution
    }

    /// Whether a value has this field's type. `null` (a cleared field) fits every register field.
    public func accepts(_ value: Value) -> Bool {
        if value == .null { return !isSet }
        switch (type, value) {
        case (.text, .text), (.phone, .text), (.idNumber, .text), (.principal, .text): return true
        case (.choice(let choices), .text(let text)): return choices.contains { $0.canonical == text }
        case (.date, .date), (.percent, .percent), (.bool, .bool): return true
        case (.time, .text): return TimeOfDay(value) != nil
        case (.money, .money(let fen)): return fen >= 0
        case (.signedMoney, .money): return true
        case (.price, .decimal(let price)): return price > 0
        default: return false
        }
    }
}
