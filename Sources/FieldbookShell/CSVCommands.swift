import FieldbookModel
import FieldbookStore
import Foundation

/// `export csv PATH` and `import csv PATH [--dry-run]`: customers out and in (SHELL.md).
///
/// The file has a header line of field names (`id,name,phone,…,tags`; Chinese labels such as `姓名` are accepted on
/// import) and one customer per line. Money is plain yuan, dates are ISO, tags are joined with `、`. On import a row
/// whose `id` names a customer of this book updates it (an empty cell clears the field); any other row creates a
/// customer. The whole file is one transaction: a bad row is reported by line and column and nothing is imported.
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
        try arguments.allowFlags(["force", "all"], usage: spec.usage)
        let path = try self.path(arguments, spec: spec)
        let fields = exportFields
        var tags: [String] = []
        while let tag = arguments.take("tag") { tags.append(tag) }
        let filters = try session.fieldValues(arguments.assignments, kind: .customer).map { ($0.field, $0.value) }
        let text = arguments.positionals.dropFirst(2).joined(separator: " ")
        let customers = try session.book.find(
            text: text.isEmpty ? nil : text, filters: filters, tags: tags,
            includeArchived: arguments.flags.contains("all") || (text.isEmpty && filters.isEmpty && tags.isEmpty),
            limit: Int(Int32.max))
        var rows = [["id"] + fields.map(\.name) + ["tags"]]
        for customer in customers {
            guard let card = try session.book.snapshot(of: customer.id) else { continue }
            var row = [customer.id.text]
            for field in fields { row.append(card.value(field.id).map(cell) ?? "") }
            row.append((card.sets[Schema.F.tags] ?? []).joined(separator: "、"))
            rows.append(row.map(CSVFormulaGuard.export))
        }
        let data = try CSVTable.render(rows)
        try write(data, to: path, force: arguments.flags.contains("force"))
        session.say("已导出 \(customers.count) 位客户到 \(arguments.positionals[1])（UTF-8 CSV，Excel/WPS 可直接打开）")
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

    static func `import`(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("import")
        if arguments.positionals.first?.lowercased() == "movements" || arguments.positionals.first == "异动" {
            try MovementCommands.importFile(session, &arguments)
            return
        }
        try arguments.allowFlags(["dry-run"], usage: spec.usage)
        let path = try self.path(arguments, spec: spec)
        guard arguments.positionals.count == 2, arguments.assignments.isEmpty else {
            throw spec.usageError("文件路径之后不接受别的参数（路径里有空格请加引号）")
        }
        let dryRun = arguments.flags.contains("dry-run")
        let table: CSVTable
        do {
            table = try CSVTable.read(path: path)
        } catch let problem as CSVTable.Problem {
            throw failure(problem, problem.message)
        }
        let columns = try self.columns(table.header)
        let today = session.today
        // Parse every cell before touching the book, so that a bad value is reported with its place.
        var parsed: [(record: CSVTable.Record, id: EntityID?, values: [(FieldSpec, Value)], tags: [String]?)] = []
        var seen: [EntityID: Int] = [:]
        for record in table.records {
            var id: EntityID?
            var values: [(FieldSpec, Value)] = []
            var tags: [String]?
            for (index, column) in columns.enumerated() {
                let cell = lineFeeds(CSVFormulaGuard.import(record.fields[index]))
                let place = CSVTable.Problem(line: record.fieldLines[index], column: index + 1, message: "")
                switch column {
                case .id:
                    let trimmed = cell.trimmingCharacters(in: .whitespaces)
                    guard !trimmed.isEmpty else { continue }
                    guard let parsedID = EntityID(text: trimmed) else {
                        throw failure(place, "id 应为导出文件里的 26 位编号，或留空（新建客户）")
                    }
                    if let earlier = seen[parsedID] {
                        throw failure(place, "这个 id 在第 \(earlier) 行已经出现过：一位客户只能有一行")
                    }
                    seen[parsedID] = record.line
                    id = parsedID
                case .field(let field):
                    if field.id == Schema.F.name, cell.contains("\n") {
                        throw failure(place, "姓名里不能换行")
                    }
                    let value: Value
                    do {
                        value = try field.parse(cell, today: today)
                    } catch {
                        throw failure(place, error.message)
                    }
                    // The value rules, here so that the message says where (a write would refuse it anyway).
                    if case .text(let text) = value, let problem = Operation.textProblem(field.id, text) {
                        throw failure(place, problem)
                    }
                    values.append((field, value))
                case .tags:
                    let list = cell.split(whereSeparator: { "、;；".contains($0) })
                        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    if list.contains(where: { $0.count > 40 }) { throw failure(place, "标签太长：最多 40 个字") }
                    if let problem = list.lazy.compactMap({ Operation.textProblem(Schema.F.tags, $0) }).first {
                        throw failure(place, problem)
                    }
                    tags = list
                }
            }
            parsed.append((record, id, values, tags))
        }
        let nameColumn = columns.firstIndex { if case .field(let f) = $0 { f.id == Schema.F.name } else { false } }

        struct DryRun: Error { var counts: (Int, Int, Int) }
        let apply = { (tx: BookTransaction) throws -> (Int, Int, Int) in
            var created = 0
            var updated = 0
            var unchanged = 0
            for row in parsed {
                if let id = row.id, try tx.snapshot(of: id)?.kind == .customer {
                    var changed = false
                    for (field, value) in row.values {
                        if field.id == Schema.F.name, value == .null {
                            let place = CSVTable.Problem(line: row.record.line, column: (nameColumn ?? 0) + 1, message: "")
                            throw failure(place, "姓名不能为空")
                        }
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
                    guard fields.contains(where: { $0.field == Schema.F.name }) else {
                        let place = CSVTable.Problem(
                            line: row.record.line, column: nameColumn.map { $0 + 1 }, message: "")
                        throw failure(place, "缺少姓名：新客户的 name 一格不能为空")
                    }
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
        if dryRun {
            session.say("检查通过，没有导入（--dry-run）：共 \(table.records.count) 行，将\(summary)")
        } else {
            session.say("已导入 \(table.records.count) 行：\(summary)")
        }
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
    static func columns(_ header: [String]) throws -> [Column] {
        var columns: [Column] = []
        var seen: [String: Int] = [:]
        for (index, title) in header.enumerated() {
            let place = CSVTable.Problem(line: 1, column: index + 1, message: "")
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
                guard !title.isEmpty else { throw failure(place, "表头是空的：每一列都要有列名，例如 name、phone、tier") }
                let field: FieldSpec
                do {
                    field = try Schema.field(named: title, for: .customer)
                } catch {
                    // The header may be a customer's row when the file has none: never repeat it.
                    let suggestion = Schema.fields(for: .customer).filter { $0.writer == .anyone }
                        .min { Schema.editDistance($0.name, key) < Schema.editDistance($1.name, key) }
                    if let suggestion, Schema.editDistance(suggestion.name, key) <= max(2, key.count / 3) {
                        throw failure(place, "未知列名，是否要写 \"\(suggestion.name)\"？")
                    }
                    throw failure(place, "未知列名：第一行应为表头（如 id,name,phone,tier,tags），可先 export csv 生成一个样板")
                }
                guard field.writer == .anyone else {
                    throw failure(place, "\(field.name) 不能导入（只能由管理员在中心节点修改）：请删掉这一列")
                }
                guard !field.isSet else { throw failure(place, "\(field.name) 不能导入：请删掉这一列") }
                column = .field(field)
                name = field.name
            }
            if let earlier = seen[name] {
                throw failure(place, "\(name) 列重复了（第 \(earlier) 列已经是 \(name)）")
            }
            seen[name] = index + 1
            columns.append(column)
        }
        return columns
    }

    static func failure(_ place: CSVTable.Problem, _ message: String) -> ShellError {
        var problem = place
        problem.message = message
        return ShellError.user(problem.text + (message.hasSuffix("？") ? "" : "；") + "没有导入任何客户")
    }
}
