import Foundation

/// The outcome of an integrity check of a book or of the central database (``Book/check()``).
///
/// Each finding is one line for the operator, naming a table, a rule and counts, never customer data.
///
/// ```swift
/// let report = try book.check()
/// if !report.isClean { report.problems.forEach { print($0) } }
/// ```
public struct IntegrityReport: Sendable, Equatable {
    /// The checks that ran, in order, for the report's header (`"sqlite integrity_check"`, …).
    public var checks: [String]
    /// What is wrong; empty when the file passed every check.
    public var problems: [String]

    /// Makes a report.
    public init(checks: [String] = [], problems: [String] = []) {
        self.checks = checks
        self.problems = problems
    }

    /// Whether every check passed.
    public var isClean: Bool { problems.isEmpty }

    /// Appends another report's checks and problems (the central node adds its own to the book's).
    public mutating func merge(_ other: IntegrityReport) {
        checks += other.checks
        problems += other.problems
    }

    /// Each check in the user's words (`--json` keeps the names the report gives), the book's and the centre's.
    public static let checkWords: [String: String] = [
        "sqlite integrity_check": "数据库文件完整（SQLite 自检）",
        "sqlite foreign_key_check": "数据库表之间的引用一致",
        "op scopes and bodies": "每个操作的范围和内容都能识别",
        "own counters contiguous, saved counter not behind": "本机操作编号连续，保存的计数器没有落后",
        "projections match the op log": "客户资料与操作日志一致",
        "state hashes match a recomputation": "同步用的状态哈希与客户资料一致",
        "op log and log sequence agree": "每个操作都有日志序号，每个日志序号都有操作",
        "log sequence contiguous up to the head": "日志序号从 1 到最新序号连续，没有缺口",
        "device counters contiguous up to held": "各设备的操作编号连续，直到中心已确认的编号",
        "every actor is an enrolled device": "每个操作者都是已登记的设备",
    ]

    /// A check in the user's words; a name without words is shown as it is.
    public static func words(forCheck check: String) -> String { checkWords[check] ?? check }

    /// A problem in the user's words: SQLite's own report is English, so only its presence is said (`command --json`
    /// has it).
    public static func words(forProblem text: String, command: String) -> String {
        if text.hasPrefix("SQLite integrity_check:") { return "数据库文件自检发现损坏（详情见 \(command) --json）" }
        return text.replacingOccurrences(of: "（可用 rebuild 从日志重建）", with: "")
    }
}
