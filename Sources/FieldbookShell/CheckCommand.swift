import Foundation
import FieldbookModel
import FieldbookStore

/// `check`: verifies the book file and its op log (``Book/check()``) without changing anything.
///
/// Prints each check and each problem found; with problems it fails with exit code 1, so scripts can run
/// `fieldbook -c check` after a crash or a copy.
enum CheckCommand {
    /// The checks of ``Book/check()`` in the user's words; `--json` keeps the names the report gives.
    static let checkNames: [String: String] = [
        "sqlite integrity_check": "数据库文件完整（SQLite 自检）",
        "sqlite foreign_key_check": "数据库表之间的引用一致",
        "op scopes and bodies": "每个操作的范围和内容都能识别",
        "own counters contiguous, saved counter not behind": "本机操作编号连续，保存的计数器没有落后",
        "projections match the op log": "客户资料与操作日志一致",
        "state hashes match a recomputation": "同步用的状态哈希与客户资料一致",
    ]

    /// A problem in the user's words: SQLite's own report is English, so only its presence is said (`--json` has it).
    static func problem(_ text: String) -> String {
        if text.hasPrefix("SQLite integrity_check:") { return "数据库文件自检发现损坏（详情见 check --json）" }
        return text.replacingOccurrences(of: "（可用 rebuild 从日志重建）", with: "")
    }

    static func check(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("check")
        guard arguments.positionals.isEmpty else { throw spec.usageError("check 不带参数") }
        let report = try session.book.check()
        if arguments.json {
            session.say(
                .object([
                    ("ok", .bool(report.isClean)), ("checks", .array(report.checks.map { .string($0) })),
                    ("problems", .array(report.problems.map { .string($0) })),
                ]))
        } else {
            for check in report.checks { session.say("检查  \(Self.checkNames[check] ?? check)") }
            for problem in report.problems { session.say("问题  \(Self.problem(problem))") }
            if report.isClean { session.say("账本完好：\(report.checks.count) 项检查全部通过") }
        }
        guard report.isClean else {
            throw ShellError.user("账本检查发现 \(report.problems.count) 个问题（见上方输出）")
        }
    }
}
