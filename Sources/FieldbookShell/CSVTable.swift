import CSV
import Foundation

/// A CSV file read whole, with the line each record and field starts on, for errors that say where.
///
/// yaslab/CSV.swift does the parsing, but it accepts malformed input silently: an unterminated quote swallows the
/// rest of the file into one field, and a stray quote is kept as text (toolchain.md §5). So a strict scanner of
/// our own checks the structure first and records positions; the two must agree on every record.
///
/// ```swift
/// let table = try CSVTable(text: "name,phone\n王芳,13800138000\n")
/// table.header          // ["name", "phone"]
/// table.records[0].line // 2
/// ```
struct CSVTable {
    /// One data record: its fields and where it starts.
    struct Record {
        /// The fields, as many as the header has.
        var fields: [String]
        /// The physical line (1-based) the record starts on.
        var line: Int
        /// The physical line each field starts on (a quoted field may span lines).
        var fieldLines: [Int]
    }

    /// A position in the file and what is wrong there.
    struct Problem: Error, Equatable {
        var line: Int
        var column: Int?
        var message: String
        /// Further problems found in the same pass (every row with the wrong number of cells), after this one.
        var others: [Problem] = []

        /// This problem and the ``others``.
        var all: [Problem] {
            var first = self
            first.others = []
            return [first] + others
        }

        /// `第 3 行第 2 列：…`.
        var text: String {
            "第 \(line) 行" + (column.map { "第 \($0) 列" } ?? "") + "：" + message
        }
    }

    /// The first record, trimmed.
    var header: [String]
    /// Every later record that is not blank.
    var records: [Record]

    /// The encoding the file was read in.
    var encoding: TextEncoding = .utf8

    /// Reads a file as UTF-8 (a leading byte-order mark is allowed) or, when it is not valid UTF-8, as GB18030 (which
    /// includes GBK): ``TextEncoding/decode(_:)``.
    ///
    /// - Throws: ``ShellError`` when the file cannot be read or is in neither encoding; ``Problem`` for malformed CSV.
    static func read(path: String) throws -> CSVTable {
        guard FileManager.default.fileExists(atPath: path) else { throw ShellError.user("找不到文件：\(path)") }
        // Read into memory first: CSV.swift's InputStream reader reports an error at EOF on Linux (toolchain.md §5).
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShellError.user("无法读取文件：\(path)（没有权限，或是一个目录）")
        }
        let decoded: (text: String, encoding: TextEncoding)
        do {
            decoded = try TextEncoding.decode(data)
        } catch {
            throw ShellError.user(error.message)
        }
        var table = try CSVTable(text: decoded.text)
        table.encoding = decoded.encoding
        return table
    }

    /// Parses CSV text: a header line, then records.
    init(text: String) throws {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let layout = try Self.scan(text)
        let reader = try CSVReader(string: text, hasHeaderRow: false)
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        if reader.error != nil || rows.count != layout.count || zip(rows, layout).contains(where: { $0.count != $1.count }) {
            // The scanner accepted the file, so the two parsers should agree; say so rather than guess.
            throw Problem(line: 1, column: nil, message: "CSV 格式无法解析：请用 Excel/WPS 重新另存为 CSV")
        }
        var records = zip(rows, layout).map { Record(fields: $0, line: $1.first ?? 1, fieldLines: $1) }
        // Blank lines are not records.
        records.removeAll { $0.fields == [""] }
        guard let first = records.first else {
            throw Problem(line: 1, column: nil, message: "文件是空的：第一行应为表头，例如 姓名,电话,层级")
        }
        header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        self.records = Array(records.dropFirst())
        let problems = self.records.filter { $0.fields.count != header.count }.map { record in
            Problem(
                line: record.line, column: nil,
                message: "这一行有 \(record.fields.count) 列，表头有 \(header.count) 列：检查是否多了或少了逗号，含逗号的内容要用双引号括起来")
        }
        if var first = problems.first {
            first.others = Array(problems.dropFirst())
            throw first
        }
    }

    /// Checks the structure of CSV text (RFC 4180 quoting) and returns, for every record, the line each field
    /// starts on.
    static func scan(_ text: String) throws(Problem) -> [[Int]] {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var records: [[Int]] = []
        var fields: [Int] = []

        func isNewline(_ i: Int) -> Bool { scalars[i] == "\n" || scalars[i] == "\r" }
        /// Consumes a newline (CR, LF or CR LF) at `index`.
        func newline() {
            if scalars[index] == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { index += 1 }
            index += 1
            line += 1
        }

        while index < scalars.count {
            // The start of a field.
            let fieldLine = line
            let column = fields.count + 1
            fields.append(fieldLine)
            if scalars[index] == "\"" {
                index += 1
                var closed = false
                while index < scalars.count {
                    if scalars[index] == "\"" {
                        if index + 1 < scalars.count, scalars[index + 1] == "\"" {
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    if isNewline(index) { newline() } else { index += 1 }
                }
                guard closed else {
                    throw Problem(
                        line: fieldLine, column: column, message: "引号没有闭合（一直到文件末尾）：补上右引号，内容里的引号要写成两个 \"\"")
                }
                if index < scalars.count, scalars[index] != ",", !isNewline(index) {
                    // A quote closed early: most likely an unterminated quote that ran into a later quote.
                    if line > fieldLine {
                        throw Problem(
                            line: fieldLine, column: column,
                            message: "引号没有闭合（一直延续到第 \(line) 行）：补上右引号，内容里的引号要写成两个 \"\"")
                    }
                    throw Problem(
                        line: line, column: column, message: "右引号后面还有字符：内容里的引号要写成两个 \"\"")
                }
            } else {
                while index < scalars.count, scalars[index] != ",", !isNewline(index) {
                    if scalars[index] == "\"" {
                        throw Problem(
                            line: line, column: column,
                            message: "没加引号的内容里有引号：把整格内容用双引号括起来，里面的引号写成两个 \"\"")
                    }
                    index += 1
                }
            }
            // The end of a field: a comma (another field follows), a newline or the end (the record ends).
            if index < scalars.count, scalars[index] == "," {
                index += 1
                if index == scalars.count { fields.append(line) }
                continue
            }
            records.append(fields)
            fields = []
            if index < scalars.count { newline() }
        }
        if !fields.isEmpty { records.append(fields) }
        return records
    }

    /// Writes rows as CSV with CSV.swift's writer (it quotes commas, quotes and newlines), LF line ends and a
    /// final newline. In UTF-8 a byte-order mark comes first, so that Excel opens Chinese text correctly; GB18030
    /// (``TextEncoding``) has none, as Excel and WPS write it.
    ///
    /// - Returns: The bytes, and how many characters lie outside GBK (always 0 for UTF-8).
    static func render(_ rows: [[String]], encoding: TextEncoding = .utf8) throws -> (data: Data, beyondGBK: Int) {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        guard let body = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw ShellError.user("无法生成 CSV")
        }
        switch encoding {
        case .utf8:
            return (Data("\u{FEFF}".utf8) + body + Data("\n".utf8), 0)
        case .gb18030:
            guard let text = String(data: body + Data("\n".utf8), encoding: .utf8),
                let bytes = TextEncoding.gb18030(text)
            else { throw ShellError.user("无法按 GB18030 编码生成 CSV：请改用 --encoding utf8") }
            return (Data(bytes), TextEncoding.beyondGBK(text, gb18030: bytes))
        }
    }
}
