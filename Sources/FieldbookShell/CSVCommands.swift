import FieldbookModel
import FieldbookStore
import Foundation

/// `export csv PATH [--encoding gbk]` and `import csv PATH [--dry-run] [--allow-duplicates]`: customers out and in
/// (SHELL.md).
///
/// The file has a header line of field names (`id,name,phone,…,tags`; Chinese labels such as `姓名` are accepted on
/// import) and one customer per line. Money is plain yuan, dates are ISO, tags are joined with `、`. On import a row
/// whose `id` names a customer of this book updates it (an empty cell clears the field); any other row creates a
/// customer. The whole file is one transaction: every bad cell is reported by line and column (the first 50, then a
/// count), never with its value, and nothing is imported.
///
/// Encodings (issue 19, ``TextEncoding``): import reads UTF-8, with or without a byte-order mark, and GB18030/GBK,
/// which WPS and Excel on Chinese Windows write for plain "CSV", detected by whether the file is valid UTF-8. Export
/// writes UTF-8 with a byte-order mark, or with `--encoding gbk` (or `gb18030`) GB18030 without one. GB18030 writes
/// every character GBK has with GBK's bytes (but `€`), so a GBK reader reads them; a character GBK lacks (`䶮`, `𠀀`)
/// is written in GB18030 rather than lost or refused, and the confirmation says how many such characters there were.
///
/// Duplicates: a row that would add a customer, and whose name and phone, or whose ID number, equal those of a
/// customer of the book or of an earlier row of the file, is reported as a possible duplicate, and nothing is
/// imported unless `--allow-duplicates` is given. A row with an exported `id` of this book updates that customer and is
/// never a duplicate, so importing an export back adds nothing. An empty phone or ID number matches nothing.
///
/// A cell that a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) is exported with an apostrophe in
/// front, and import takes it off again, so a round trip is exact (``CSVFormulaGuard``). A CR LF inside a cell (a
/// multi-line cell saved by Excel) is read as one line feed; line feeds are kept only in free-text columns such as
/// `note`.
enum CSVCommands {
    /// The columns of an export: the ID, every customer field a manager may write, and the tags.
    static var exportFields: [FieldSpec] {
        Schema.fields(for: .customer).filter { !$0.isSet && $0.writer == .anyone }
    }

    static func export(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("export")
        // ID numbers are exported masked (`110101********1234`) unless asked for; asking is recorded (IDReveal).
        let reveal = arguments.flags.contains("with-id-numbers")
        let encoding = try exportEncoding(&arguments, spec: spec)
        let path = try self.path(arguments, spec: spec)
        let fields = exportFields
        // The customers: `@` (the last listing), or `find`'s text and filters (everyone, archived too, without any).
        let words = Array(arguments.positionals.dropFirst(2))
        let customers: [EntityID]
        if words.contains(where: Session.isAt) {
            guard words.count == 1, arguments.assignments.isEmpty else {
                throw spec.usageError("@ 不能和别的条件一起用：先用 find 列出客户，再 export csv 文件 @")
            }
            guard let listing = try session.atCustomers(arguments, action: "导出") else { return }
            customers = listing
        } else {
            var query = try CustomerCommands.segment(&arguments, words: words, session: session)
            query.includeArchived = arguments.flags.contains("all") || (query.text == nil && query.filters.isEmpty)
            customers = try session.book.find(query).matches.map(\.customer.id)
        }
        var rows = [["id"] + fields.map(\.name) + ["tags"]]
        var revealed: [EntityID] = []
        for customer in customers {
            guard let card = try session.book.snapshot(of: customer) else { continue }
            var row = [customer.text]
            for field in fields {
                if field.type == .idNumber, case .text(let number)? = card.value(field.id) {
                    if reveal { revealed.append(customer) }
                    row.append(reveal ? number : IDReveal.mask(number))
                } else {
                    row.append(card.value(field.id).map(cell) ?? "")
                }
            }
            row.append((card.sets[Schema.F.tags] ?? []).joined(separator: "、"))
            rows.append(row.map(CSVFormulaGuard.export))
        }
        let rendered = try CSVTable.render(rows, encoding: encoding.bytes)
        try write(rendered.data, to: path, force: arguments.flags.contains("force"))
        try IDReveal.record(.export, customers: revealed, session: session)
        let what =
            switch encoding {
            case .utf8: "UTF-8 CSV，Excel/WPS 可直接打开"
            case .gbk where rendered.beyondGBK > 0:
                "GBK CSV，Excel/WPS 可直接打开；有 \(rendered.beyondGBK) 个字 GBK 里没有，按 GB18030 写出，只认 GBK 的软件会显示成乱码"
            case .gbk: "GBK CSV，Excel/WPS 可直接打开"
            case .gb18030: "GB18030 CSV，Excel/WPS 可直接打开"
            }
        session.say("已导出 \(customers.count) 位客户到 \(arguments.positionals[1])（\(what)）")
        if !revealed.isEmpty {
            session.say("含 \(revealed.count) 位客户的完整身份证号：已记入工作日志；请妥善保管这个文件")
        } else if !reveal, rows.dropFirst().contains(where: { $0.contains(where: IDReveal.isMasked) }) {
            session.say("身份证号只写了前 6 位和后 4 位；要完整号码请加 --with-id-numbers（会记入工作日志）")
        }
    }

    /// The encoding `export` was asked for.
    enum ExportEncoding {
        case utf8, gbk, gb18030

        /// What is written: GBK is written as GB18030, its superset (``CSVCommands``).
        var bytes: TextEncoding { self == .utf8 ? .utf8 : .gb18030 }
    }

    /// Takes `--encoding NAME` (or `--encoding=NAME`) from the arguments: `utf8` (the default), `gbk` or `gb18030`.
    static func exportEncoding(_ arguments: inout Arguments, spec: CommandSpec) throws(ShellError) -> ExportEncoding {
        func named(_ name: String) -> ExportEncoding? {
            switch name.lowercased() {
            case "utf8", "utf-8": .utf8
            case "gbk", "cp936", "gb2312": .gbk
            case "gb18030": .gb18030
            default: nil
            }
        }
        let problem = "--encoding 后面写 gbk、gb18030 或 utf8"
        if let value = arguments.take("encoding") {
            guard let encoding = named(value) else { throw spec.usageError(problem) }
            return encoding
        }
        return .utf8
    }

    /// A value as a CSV cell: what import reads back to the same value, and what a spreadsheet can sum.
    static func cell(_ value: Value) -> String {
        switch value {
        case .money(let fen): return FixedPoint.format(fen, places: 2)
        case .bool(let b): return b ? "是" : ""
        default: return value.display
        }
    }

    static func write(_ data: Data, to path: String, force: Bool) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isFolder) {
            guard !isFolder.boolValue else { throw ShellError.user("这是一个文件夹：请给出文件名，例如 客户.csv") }
            guard force else { throw ShellError.user("文件已存在：换一个文件名，或加 --force 覆盖") }
        }
        let folder = (path as NSString).deletingLastPathComponent
        guard folder.isEmpty || manager.fileExists(atPath: folder) else {
            throw ShellError.user("文件夹不存在：\(folder)")
        }
        // Write beside the target and rename, owner-only: the file holds customers' personal data.
        let temporary = path + ".tmp-\(getpid())"
        guard manager.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ShellError.user("无法写入文件（没有权限，或磁盘已满）")
        }
        guard rename(temporary, path) == 0 else {
            try? manager.removeItem(atPath: temporary)
            throw ShellError.user("无法写入文件（没有权限，或磁盘已满）")
        }
    }

    /// `export csv PATH` / `import csv PATH`: the path, with `~` expanded.
    static func path(_ arguments: Arguments, spec: CommandSpec) throws(ShellError) -> String {
        guard let format = arguments.positionals.first else { throw spec.usageError("缺少格式和文件") }
        guard format.lowercased() == "csv" else { throw spec.usageError("目前只支持 csv 格式") }
        guard arguments.positionals.count >= 2, !arguments.positionals[1].isEmpty else {
            throw spec.usageError("缺少文件路径")
        }
        return (arguments.positionals[1] as NSString).expandingTildeInPath
    }

    // MARK: - Import

    /// What one column of an imported file holds.
    enum Column {
        case id
        case field(FieldSpec)
        case tags
    }

    /// One data row of an imported file, parsed.
    struct Row {
        var record: CSVTable.Record
        /// The `id` cell, when it holds one.
        var id: EntityID?
        /// Whether ``id`` names a customer of this book: the row updates it.
        var updates = false
        var values: [(FieldSpec, Value)] = []
        var tags: [String]?

        func value(_ field: FieldID) -> Value? { values.last { $0.0.id == field }?.1 }
    }

    /// How many bad cells are listed before the rest is only counted.
    static let listedProblems = 50

    static func `import`(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("import")
        if arguments.positionals.first?.lowercased() == "movements" || arguments.positionals.first == "异动" {
            try MovementCommands.importFile(session, &arguments)
            return
        }
        let path = try self.path(arguments, spec: spec)
        guard arguments.positionals.count == 2, arguments.assignments.isEmpty else {
            throw spec.usageError("文件路径之后不接受别的参数（路径里有空格请加引号）")
        }
        let dryRun = arguments.flags.contains("dry-run")
        let allowDuplicates = arguments.flags.contains("allow-duplicates")
        let table: CSVTable
        do {
            table = try CSVTable.read(path: path)
        } catch let problem as CSVTable.Problem {
            throw refusal(problem.all, session)
        }
        let columns: [Column]
        do {
            columns = try self.columns(table.header)
        } catch {
            throw refusal(error.all, session)
        }
        let today = session.today
        // Check every cell and row before touching the book, so that each bad value is reported with its place.
        var problems: [CSVTable.Problem] = []
        func report(_ line: Int, _ column: Int?, _ message: String) {
            problems.append(CSVTable.Problem(line: line, column: column, message: message))
        }
        let nameColumn = columns.firstIndex { if case .field(let f) = $0 { f.id == Schema.F.name } else { false } }
        var rows: [Row] = []
        var seen: [EntityID: Int] = [:]
        for record in table.records {
            var row = Row(record: record)
            for (index, column) in columns.enumerated() {
                let cell = lineFeeds(CSVFormulaGuard.import(record.fields[index]))
                let line = record.fieldLines[index]
                switch column {
                case .id:
                    let trimmed = cell.trimmingCharacters(in: .whitespaces)
                    guard !trimmed.isEmpty else { continue }
                    guard let parsedID = EntityID(text: trimmed) else {
                        report(line, index + 1, "id 应为导出文件里的 26 位编号，或留空（新建客户）")
                        continue
                    }
                    if let earlier = seen[parsedID] {
                        report(line, index + 1, "这个 id 在第 \(earlier) 行已经出现过：一位客户只能有一行")
                        continue
                    }
                    seen[parsedID] = record.line
                    row.id = parsedID
                    row.updates = try session.book.snapshot(of: parsedID)?.kind == .customer
                case .field(let field):
                    if field.id == Schema.F.name, cell.contains("\n") {
                        report(line, index + 1, "姓名里不能换行")
                        continue
                    }
                    // A masked ID number (an export without --with-id-numbers) leaves the field as it is.
                    if field.type == .idNumber, IDReveal.isMasked(cell) { continue }
                    let value: Value
                    do {
                        value = try field.parse(cell, today: today)
                    } catch {
                        report(line, index + 1, error.message)
                        continue
                    }
                    // The value rules, here so that the message says where (a write would refuse it anyway).
                    if case .text(let text) = value, let problem = Operation.textProblem(field.id, text) {
                        report(line, index + 1, problem)
                        continue
                    }
                    row.values.append((field, value))
                case .tags:
                    let list = cell.split(whereSeparator: { "、;；".contains($0) })
                        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    if list.contains(where: { $0.count > 40 }) {
                        report(line, index + 1, "标签太长：最多 40 个字")
                    } else if let problem = list.lazy.compactMap({ Operation.textProblem(Schema.F.tags, $0) }).first {
                        report(line, index + 1, problem)
                    } else {
                        row.tags = list
                    }
                }
            }
            // A name: a new customer needs one, and an update may not clear it. A bad name cell was reported above.
            if row.updates {
                if row.value(Schema.F.name) == .null {
                    report(record.line, (nameColumn ?? 0) + 1, "姓名不能为空")
                }
            } else if row.value(Schema.F.name).map({ $0 == .null }) ?? (nameColumn == nil) {
                report(record.line, nameColumn.map { $0 + 1 }, "缺少姓名：新客户的姓名一格不能为空")
            }
            rows.append(row)
        }
        let idNumberColumn = columns.firstIndex {
            if case .field(let f) = $0 { f.id == Schema.F.idNumber } else { false }
        }
        let duplicates = try self.duplicates(rows, idNumberColumn: idNumberColumn, book: session.book)
        if !allowDuplicates { problems += duplicates.problems }
        if !problems.isEmpty { throw refusal(problems, session) }

        struct DryRun: Error { var counts: (Int, Int, Int) }
        let apply = { (tx: BookTransaction) throws -> (Int, Int, Int) in
            var created = 0
            var updated = 0
            var unchanged = 0
            for row in rows {
                if row.updates, let id = row.id, try tx.snapshot(of: id)?.kind == .customer {
                    var changed = false
                    for (field, value) in row.values {
                        // An empty cell clears a field; a field that has no value stays without one.
                        if value == .null, try tx.liveValues(id, field.id).allSatisfy({ $0.value == .null }) { continue }
                        if try tx.set(id, field.id, value) != nil { changed = true }
                    }
                    if let tags = row.tags {
                        let current = try tx.snapshot(of: id)?.sets[Schema.F.tags] ?? []
                        for tag in tags where !current.contains(tag) { try tx.add(id, Schema.F.tags, tag); changed = true }
                        for tag in current where !tags.contains(tag) { try tx.remove(id, Schema.F.tags, tag); changed = true }
                    }
                    if changed { updated += 1 } else { unchanged += 1 }
                } else {
                    let fields = row.values.filter { $0.1 != .null }.map { FieldAssignment($0.0.id, $0.1) }
                    let id = try tx.create(.customer, scope: nil, fields: fields)
                    for tag in row.tags ?? [] { try tx.add(id, Schema.F.tags, tag) }
                    created += 1
                }
            }
            if dryRun { throw DryRun(counts: (created, updated, unchanged)) }
            return (created, updated, unchanged)
        }
        let counts: (Int, Int, Int)
        do {
            counts = try session.book.write(apply)
        } catch let rollback as DryRun {
            counts = rollback.counts
        }
        let (created, updated, unchanged) = counts
        var summary = "新建 \(created) 位，更新 \(updated) 位"
        if unchanged > 0 { summary += "，\(unchanged) 位没有变化" }
        if !duplicates.lines.isEmpty {
            summary += "；其中 \(duplicates.lines.count) 行可能重复（--allow-duplicates），照样新建"
        }
        let source = table.encoding == .gb18030 ? "（按 GBK/GB18030 编码读取）" : ""
        if dryRun {
            session.say("检查通过，没有导入（--dry-run）\(source)：共 \(table.records.count) 行，将\(summary)")
        } else {
            session.say("已导入 \(table.records.count) 行\(source)：\(summary)")
        }
    }

    /// The rows that would add a customer the book or the file already has: same name and phone, or same ID number.
    ///
    /// - Returns: One problem per duplicate row (the ID number's column, or the row when it is the name and phone),
    ///   and the lines of those rows.
    static func duplicates(
        _ rows: [Row], idNumberColumn: Int?, book: Book
    ) throws -> (problems: [CSVTable.Problem], lines: Set<Int>) {
        func personKey(_ name: Value?, _ phone: Value?) -> String? {
            guard let name, let phone, name != .null, phone != .null else { return nil }
            // A phone is stored as typed, less spaces and dashes: `+8613800138000` is the mobile 13800138000.
            var number = phone.display
            if number.hasPrefix("+86"), number.count == 14 { number.removeFirst(3) }
            return name.display + "\u{1F}" + number
        }
        func numberKey(_ number: Value?) -> String? {
            guard let number, number != .null else { return nil }
            return number.display.uppercased()
        }
        guard rows.contains(where: { !$0.updates }) else { return ([], []) }
        // What the book holds, every live value of a field in conflict included.
        var people: [String: EntityID] = [:]
        var numbers: [String: EntityID] = [:]
        for customer in try book.entities(kind: .customer) {
            let names = customer.fields[Schema.F.name]?.map(\.value) ?? []
            let phones = customer.fields[Schema.F.phone]?.map(\.value) ?? []
            for name in names {
                for phone in phones { if let key = personKey(name, phone) { people[key] = people[key] ?? customer.id } }
            }
            for number in customer.fields[Schema.F.idNumber]?.map(\.value) ?? [] {
                if let key = numberKey(number) { numbers[key] = numbers[key] ?? customer.id }
            }
        }
        let hint = "要更新这位客户请填上导出文件里的 id，确实是另一位客户请加 --allow-duplicates"
        var filePeople: [String: Int] = [:]
        var fileNumbers: [String: Int] = [:]
        var problems: [CSVTable.Problem] = []
        var lines: Set<Int> = []
        for row in rows {
            let person = personKey(row.value(Schema.F.name), row.value(Schema.F.phone))
            let number = numberKey(row.value(Schema.F.idNumber))
            if !row.updates {
                var found: CSVTable.Problem?
                let line = idNumberColumn.map { row.record.fieldLines[$0] } ?? row.record.line
                let column = idNumberColumn.map { $0 + 1 }
                if let number, let customer = numbers[number] {
                    found = .init(line: line, column: column, message: "身份证号和已有客户 [\(customer.short)] 相同，可能重复：\(hint)")
                } else if let number, let earlier = fileNumbers[number] {
                    found = .init(line: line, column: column, message: "身份证号和第 \(earlier) 行相同，可能重复：\(hint)")
                } else if let person, let customer = people[person] {
                    found = .init(line: row.record.line, column: nil, message: "姓名和电话与已有客户 [\(customer.short)] 相同，可能重复：\(hint)")
                } else if let person, let earlier = filePeople[person] {
                    found = .init(line: row.record.line, column: nil, message: "姓名和电话与第 \(earlier) 行相同，可能重复：\(hint)")
                }
                if let found {
                    problems.append(found)
                    lines.insert(row.record.line)
                }
            }
            if let person, filePeople[person] == nil { filePeople[person] = row.record.line }
            if let number, fileNumbers[number] == nil { fileNumbers[number] = row.record.line }
        }
        return (problems, lines)
    }

    /// The refusal of a file: one problem on one line, as before; several, the first 50 on standard error, each on its
    /// line, and then the count. None of them repeats a cell's value.
    static func refusal(_ problems: [CSVTable.Problem], _ session: Session) -> ShellError {
        let sorted = problems.enumerated().sorted {
            ($0.element.line, $0.element.column ?? 0, $0.offset) < ($1.element.line, $1.element.column ?? 0, $1.offset)
        }.map(\.element)
        if sorted.count == 1 { return failure(sorted[0], sorted[0].message) }
        for problem in sorted.prefix(listedProblems) { session.output.error(problem.text) }
        if sorted.count > listedProblems {
            return ShellError.user("还有 \(sorted.count - listedProblems) 处错误（共 \(sorted.count) 处）；没有导入任何客户")
        }
        return ShellError.user("共 \(sorted.count) 处错误；没有导入任何客户")
    }

    /// A cell with each CR LF, and each CR alone, made a line feed: the line ends of a multi-line cell saved on
    /// Windows or an old Mac. No value may hold a CR (``Operation/isForbiddenControl(_:)``).
    static func lineFeeds(_ cell: String) -> String {
        guard cell.unicodeScalars.contains("\r") else { return cell }
        var result = String.UnicodeScalarView()
        var previousCR = false
        for scalar in cell.unicodeScalars {
            if scalar == "\r" {
                result.append("\n")
            } else if !(scalar == "\n" && previousCR) {
                result.append(scalar)
            }
            previousCR = scalar == "\r"
        }
        return String(result)
    }

    /// Maps a header to columns: `id`, field names or Chinese labels, `tags`.
    ///
    /// - Throws: ``CSVTable/Problem`` for the first bad title, with the others in ``CSVTable/Problem/others``.
    static func columns(_ header: [String]) throws(CSVTable.Problem) -> [Column] {
        var columns: [Column] = []
        var problems: [CSVTable.Problem] = []
        var seen: [String: Int] = [:]
        for (index, title) in header.enumerated() {
            func report(_ message: String) { problems.append(CSVTable.Problem(line: 1, column: index + 1, message: message)) }
            let key = title.lowercased()
            let column: Column
            let name: String
            if key == "id" || title == "编号" {
                column = .id
                name = "id"
            } else if key == "tags" || title == "标签" {
                column = .tags
                name = "tags"
            } else {
                guard !title.isEmpty else {
                    report("表头是空的：每一列都要有列名，例如 姓名、电话、层级")
                    continue
                }
                let field: FieldSpec
                do {
                    field = try Schema.field(named: title, for: .customer)
                } catch {
                    // The header may be a customer's row when the file has none: never repeat it.
                    let suggestion = Schema.fields(for: .customer).filter { $0.writer == .anyone }
                        .min { Schema.editDistance($0.name, key) < Schema.editDistance($1.name, key) }
                    if let suggestion, Schema.editDistance(suggestion.name, key) <= max(2, key.count / 3) {
                        report("未知列名，是否要写 \"\(suggestion.name)\"？")
                    } else {
                        report("未知列名：第一行应为表头（如 姓名,电话,层级,标签），可先 export csv 生成一个样板")
                    }
                    continue
                }
                guard field.writer == .anyone else {
                    report("\(field.label)不能导入（只能由管理员在中心节点修改）：请删掉这一列")
                    continue
                }
                guard !field.isSet else {
                    report("\(field.label)不能导入：请删掉这一列")
                    continue
                }
                column = .field(field)
                name = field.name
            }
            if let earlier = seen[name] {
                let shown: String
                switch column {
                case .id: shown = "编号"
                case .tags: shown = "标签"
                case .field(let field): shown = field.label
                }
                report("\(shown)列重复了（第 \(earlier) 列已经是\(shown)）")
                continue
            }
            seen[name] = index + 1
            columns.append(column)
        }
        if var first = problems.first {
            // No title known at all: the file most likely has no header, and one line says so.
            if !columns.isEmpty { first.others = Array(problems.dropFirst()) }
            throw first
        }
        return columns
    }

    static func failure(_ place: CSVTable.Problem, _ message: String) -> ShellError {
        var problem = place
        problem.message = message
        return ShellError.user(problem.text + (message.hasSuffix("？") ? "" : "；") + "没有导入任何客户")
    }
}
