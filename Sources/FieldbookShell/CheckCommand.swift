import Foundation
import FieldbookModel
import FieldbookStore

/// `check`: verifies the book file and its op log (``Book/check()``) without changing anything.
///
/// Prints each check and each problem found; with problems it fails with exit code 1, so scripts can run
/// `fieldbook -c check` after a crash or a copy.
enum CheckCommand {
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
            for check in report.checks { session.say("检查  \(IntegrityReport.words(forCheck: check))") }
            for problem in report.problems { session.say("问题  \(IntegrityReport.words(forProblem: problem, command: "check"))") }
            if report.isClean { session.say("账本完好：\(report.checks.count) 项检查全部通过") }
        }
        guard report.isClean else {
            throw ShellError.user("账本检查发现 \(report.problems.count) 个问题（见上方输出）")
        }
    }
}
