import FieldbookModel
import FieldbookStore
import Foundation

/// `movement` and `import movements FILE`: large account movements (大额异动), a reason to call.
enum MovementCommands {
    static func movement(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("movement")
        guard arguments.positionals.count >= 2 else { throw spec.usageError("缺少客户或金额") }
        guard arguments.positionals.count == 2 else {
            throw spec.usageError("金额之后只接受 date=日期 note=备注（备注里有空格请加引号）")
        }
        let today = session.today
        let amount = try Money.parse(arguments.positionals[1], allowNegative: true)
        guard amount != 0 else { throw ShellError.user("金额不能为 0：转入写 +50万，转出写 -50万") }
        var fields = try session.fieldValues(arguments.assignments, kind: .movement)
        fields.removeAll { $0.field == Schema.F.amount }
        let day = fields.first { $0.field == Schema.F.date }?.value.day ?? today
        guard day <= today else { throw ShellError.user("异动日期不能晚于今天") }
        fields.removeAll { $0.field == Schema.F.date }
        fields = [FieldAssignment(Schema.F.amount, .money(amount)), FieldAssignment(Schema.F.date, .date(day))] + fields
        let reference = arguments.positionals[0]
        let (id, customer) = try session.book.write { tx in
            let customer = try tx.resolveCustomer(reference)
            return (try tx.create(.movement, scope: .customer(customer), fields: fields), customer)
        }
        if arguments.json {
            session.say(
                .object([
                    ("id", .string(id.text)), ("customer", .string(customer.text)), ("amount", Render.json(.money(amount))),
                    ("date", .string(day.iso)),
                ]))
            return
        }
        session.say("已记录大额异动 [\(id.short)]：\(try session.label(customer: customer)) \(signed(amount))（\(day.short)）")
    }

    /// Money with its sign: `+50万`, `-8万`.
    static func signed(_ fen: Int64) -> String { (fen > 0 ? "+" : "") + Money.format(fen) }

    // MARK: - import movements

    /// What a column of a core-banking movements file holds.
    enum Column: Equatable {
        case id, name, idNumber, phone, amount, date, note, ignored
    }

    /// Header titles accepted for each column (lowercased).
    static let titles: [(Column, [String])] = [
        (.id, ["id", "编号"]),
        (.name, ["name", "姓名", "客户", "客户姓名", "户名"]),
        (.idNumber, ["id_number", "身份证", "证件号码", "身份证号"]),
        (.phone, ["phone", "电话", "手机", "手机号"]),
        (.amount, ["amount", "金额", "交易金额", "发生额"]),
        (.date, ["date", "日期", "交易日期"]),
        (.note, ["note", "备注", "摘要", "用途"]),
    ]

    /// `import movements FILE [--dry-run]`: every row becomes a movement of the customer it names, in one
    /// transaction. A row with the same customer, day and amount as a movement already in the book is skipped, so
    /// importing the same file twice changes nothing.
    static func importFile(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("import")
        let usage = "import movements 文件 [--dry-run]"
        guard arguments.positionals.count == 2, !arguments.positionals[1].isEmpty else {
            throw ShellError.usage("缺少文件路径；用法：\(usage)")
        }
        guard arguments.assignments.isEmpty else { throw spec.usageError("文件路径之后不接受别的参数") }
        let path = (arguments.positionals[1] as NSString).expandingTildeInPath
        let table: CSVTable
        do {
            table = try CSVTable.read(path: path)
        } catch let problem as CSVTable.Problem {
            throw failure(problem, problem.message)
        }
        var columns: [Column] = []
        for (index, title) in table.header.enumerated() {
            let key = title.lowercased()
            let column = titles.first { $0.1.contains(key) }?.0 ?? .ignored
            if column != .ignored, columns.contains(column) {
                throw failure(CSVTable.Problem(line: 1, column: index + 1, message: ""), "\(title) 列重复了")
            }
            columns.append(column)
        }
        guard columns.contains(.amount), columns.contains(.date) else {
            throw failure(
                CSVTable.Problem(line: 1, column: nil, message: ""), "表头要有 金额（amount）和 日期（date）两列")
        }
        guard columns.contains(where: { [.id, .name, .idNumber, .phone].contains($0) }) else {
            throw failure(
                CSVTable.Problem(line: 1, column: nil, message: ""), "表头要有一列指明客户：id、身份证（id_number）、电话（phone）或姓名（name）")
        }
        let book = session.book
        let today = session.today
        var rows: [(customer: EntityID, amount: Int64, day: Day, note: String?)] = []
        for record in table.records {
            var amount: Int64?
            var day: Day?
            var note: String?
            // The most precise customer column wins: id, then ID number, then phone, then name.
            var found: [Column: EntityID] = [:]
            for (index, column) in columns.enumerated() {
                let cell = record.fields[index].trimmingCharacters(in: .whitespaces)
                let place = CSVTable.Problem(line: record.fieldLines[index], column: index + 1, message: "")
                guard !cell.isEmpty || column == .amount || column == .date else { continue }
                switch column {
                case .id:
                    guard let id = EntityID(text: cell), try book.snapshot(of: id)?.kind == .customer else {
                        throw failure(place, "id 不是本账本里的客户编号")
                    }
                    found[.id] = id
                case .idNumber, .phone:
                    let field = column == .idNumber ? Schema.F.idNumber : Schema.F.phone
                    let value: Value
                    do {
                        value = try Schema.field(field)!.parse(cell, today: today)
                    } catch {
                        throw failure(place, error.message)
                    }
                    let matches = try book.find(filters: [(field, value)], includeArchived: true, limit: 2)
                    guard matches.count == 1 else {
                        throw failure(place, matches.isEmpty ? "账本里没有这位客户" : "有多位客户符合，请改用 id 列")
                    }
                    found[column] = matches[0].id
                case .name:
                    do {
                        found[.name] = try book.resolveCustomer(cell)
                    } catch where error.code == .ambiguous {
                        throw failure(place, "有多位同名客户，请加一列 id 或身份证")
                    } catch {
                        throw failure(place, "账本里没有这位客户")
                    }
                case .amount:
                    do {
                        amount = try Money.parse(cell, allowNegative: true)
                    } catch {
                        throw failure(place, error.message)
                    }
                    if amount == 0 { throw failure(place, "金额不能为 0") }
                case .date:
                    do {
                        day = try Day.parse(cell, today: today)
                    } catch {
                        throw failure(place, error.message)
                    }
                    if day! > today { throw failure(place, "日期晚于今天") }
                case .note:
                    note = cell
                case .ignored:
                    break
                }
            }
            guard let customer = found[.id] ?? found[.idNumber] ?? found[.phone] ?? found[.name] else {
                throw failure(CSVTable.Problem(line: record.line, column: nil, message: ""), "这一行没有指明客户")
            }
            rows.append((customer, amount!, day!, note))
        }
        let dryRun = arguments.flags.contains("dry-run")
        var known = Set<String>()
        for movement in try book.movements() {
            known.insert("\(movement.customer.text)|\(movement.day.number)|\(movement.amount)")
        }
        let (added, skipped) = try book.write { tx -> (Int, Int) in
            var added = 0
            var skipped = 0
            for row in rows {
                let key = "\(row.customer.text)|\(row.day.number)|\(row.amount)"
                guard !known.contains(key) else {
                    skipped += 1
                    continue
                }
                added += 1
                if dryRun { continue }
                var fields = [FieldAssignment(Schema.F.amount, .money(row.amount)), FieldAssignment(Schema.F.date, .date(row.day))]
                if let note = row.note, !note.isEmpty { fields.append(FieldAssignment(Schema.F.note, .text(note))) }
                try tx.create(.movement, scope: .customer(row.customer), fields: fields)
            }
            return (added, skipped)
        }
        let skippedText = skipped > 0 ? "，\(skipped) 行与账本里已有的异动相同，跳过" : ""
        if dryRun {
            session.say("检查通过，没有导入（--dry-run）：共 \(table.records.count) 行，将导入 \(added) 条异动\(skippedText)")
        } else if added == 0 {
            session.say("没有新的异动：\(table.records.count) 行都与账本里已有的异动相同，没有导入")
        } else {
            session.say("已导入 \(added) 条大额异动（共 \(table.records.count) 行\(skippedText)）：today 里会提醒")
        }
    }

    static func failure(_ place: CSVTable.Problem, _ message: String) -> ShellError {
        var problem = place
        problem.message = message
        return ShellError.user(problem.text + "；没有导入任何异动")
    }
}
