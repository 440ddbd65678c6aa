/// A `--flag` of a command, declared once in ``Commands``: parsing accepts it, `help CMD` explains it, the usage line
/// shows it and TAB offers it.
///
/// A switch (`--json`) takes no value; an option (`--limit N`) takes one, written `--limit 20` or `--limit=20`, and
/// its value reaches the handler as the assignment `limit=20` (``Arguments/take(_:)``).
///
/// ```swift
/// .flag("reveal", "显示完整身份证号（记入工作日志）")
/// .option("encoding", "gbk", "导出的编码", values: ["gbk", "gb18030", "utf8"])
/// ```
public struct CommandFlag: Sendable, Equatable {
    /// The name without the dashes (`dry-run`).
    public var name: String
    /// How the value is named in the usage line (`N`), or `nil` for a switch.
    public var valueName: String?
    /// The values TAB offers for an option (the handler may accept more spellings).
    public var values: [String]
    /// One line for `help CMD`.
    public var help: String
    /// Whether the usage line shows it (a flag needed only in rare cases is explained by `help CMD` alone).
    public var inUsage = true

    /// Makes a switch.
    public static func flag(_ name: String, _ help: String) -> CommandFlag {
        CommandFlag(name: name, valueName: nil, values: [], help: help)
    }

    /// Makes an option that takes a value.
    public static func option(_ name: String, _ valueName: String, _ help: String, values: [String] = []) -> CommandFlag {
        CommandFlag(name: name, valueName: valueName, values: values, help: help)
    }

    /// Whether a value follows.
    public var takesValue: Bool { valueName != nil }

    /// As the usage line shows it: `[--json]`, `[--limit N]`.
    public var usage: String { "[--\(name)" + (valueName.map { " " + $0 } ?? "") + "]" }

    /// The message when the option's value is missing.
    var missingValue: String {
        guard !values.isEmpty else { return "--\(name) 后面缺少数值" }
        let list = values.count == 1 ? values[0] : values.dropLast().joined(separator: "、") + " 或 " + values.last!
        return "--\(name) 后面写 \(list)"
    }

    // The flags most listings share.

    /// `--json`: one JSON document on standard output.
    public static let json = flag("json", "输出一个 JSON 文档（给脚本用）")
    /// `--all`: every row, not only the first ones or the open ones.
    public static let all = flag("all", "全部列出")
    /// `--limit N`: at most N rows.
    public static let limit = option("limit", "N", "最多列出 N 条")
    /// `--confirm` for commands that take `@`: yes to the question asked above 20 customers (batch mode). Only
    /// `help CMD` shows it.
    public static let confirm = CommandFlag(
        name: "confirm", valueName: nil, values: [], help: "@ 超过 20 位客户时，批量模式下用它代替 y/N 确认", inUsage: false)
}
