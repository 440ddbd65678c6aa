/// `help` and `help CMD`, both written from the declarations in ``Commands``.
enum HelpCommand {
    static func help(_ session: Session, _ arguments: inout Arguments) throws {
        guard let name = arguments.positionals.first else {
            for line in overview() { session.say(line) }
            return
        }
        guard arguments.positionals.count == 1 else { throw Commands.spec("help").usageError("一次只能查看一个命令") }
        guard let command = Commands.find(name) else { throw ShellError.usage(Commands.unknownMessage(name)) }
        for line in page(command) { session.say(line) }
    }

    /// The list of commands: name and summary.
    static func overview() -> [String] {
        var lines = ["命令（help 命令 查看用法和例子）："]
        var table = TextTable(header: ["命令", "说明"])
        for command in Commands.all { table.append([command.name, command.summary]) }
        lines += table.render().dropFirst().map { "  " + $0 }
        lines.append("客户可以用短 ID（至少 4 位）或完整姓名指代；日期可写 2026-11-23、11-23、明天、周五、3天后、+7d；金额可写 50万、1.2亿。")
        return lines
    }

    /// One command's page: usage (one line per form), summary, options, example, aliases.
    static func page(_ command: CommandSpec) -> [String] {
        let usage = command.usageLines
        var lines = ["用法：" + usage[0]] + usage.dropFirst().map { "      " + $0 }
        lines.append(command.summary)
        let flags = command.allFlags
        if !flags.isEmpty {
            lines.append("选项：")
            let names = flags.map { "--" + $0.name + ($0.valueName.map { " " + $0 } ?? "") }
            let width = names.map(DisplayWidth.of).max()! + 2
            for (name, flag) in zip(names, flags) { lines.append("  " + DisplayWidth.pad(name, to: width) + flag.help) }
        }
        lines.append("例子：\(command.example)")
        if !command.aliases.isEmpty { lines.append("别名：\(command.aliases.joined(separator: " "))") }
        return lines
    }
}
