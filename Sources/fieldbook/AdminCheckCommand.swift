import ArgumentParser
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookServer
import FieldbookModel
import FieldbookStore
import Foundation

extension AdminCommand {
    /// `fieldbook admin check`: verifies the central database (``CentralDatabase/check()``) without changing it.
    ///
    /// Exit code 0 when every check passes, 1 when a problem is found or the database cannot be read.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "检查中心数据库：SQLite 完整性、操作日志的不变量、投影。")
        @OptionGroup var options: Options
        @Flag(help: "以 JSON 输出 {ok, checks, problems}。") var json = false

        func run() async throws {
            let report = try await AdminFailure.guarding { () async throws -> IntegrityReport in
                // Opening would create a missing database: checking one that is not there is an error.
                guard CentralStoreLocation(options.path).exists else {
                    throw AdminFailure(message: "没有找到中心数据库：\(options.path)")
                }
                do {
                    return try await options.store().check()
                } catch let error as StoreError {
                    throw AdminFailure(message: "中心数据库无法读取：\(error.message)")
                }
            }
            if json {
                let checks = report.checks.map { "\"\($0)\"" }.joined(separator: ", ")
                let problems = report.problems.map(Self.quoted).joined(separator: ", ")
                StandardStreams.out("{\"ok\": \(report.isClean), \"checks\": [\(checks)], \"problems\": [\(problems)]}")
            } else {
                for check in report.checks { StandardStreams.out("检查  \(IntegrityReport.words(forCheck: check))") }
                for problem in report.problems { StandardStreams.out("问题  \(IntegrityReport.words(forProblem: problem, command: "admin check"))") }
                if report.isClean { StandardStreams.out("中心数据库完好：\(report.checks.count) 项检查全部通过") }
            }
            guard report.isClean else {
                StandardStreams.err("中心数据库检查发现 \(report.problems.count) 个问题")
                throw ExitCode(1)
            }
        }

        private static func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }
}
