import FieldbookModel

/// The table of book commands (SHELL.md "Commands inside the book"), each declared once (``CommandSpec``): names,
/// forms, flags, help and handler. Parsing, usage errors, `help` and tab completion all read this table.
public enum Commands {
    private typealias F = CommandForm

    /// Every command, in the order `help` lists them.
    public static let all: [CommandSpec] = [
        CommandSpec(
            "add", aliases: ["添加"], summary: "新建客户，归本人管户；打印短 ID",
            example: "add 王芳 phone=13800138000 tier=钻石 birthday=1975-03-08",
            forms: [F(.argument("姓名", .text, .oneOrMore), .fields(.customer))], flags: [.json],
            run: CustomerCommands.add),
        CommandSpec(
            "show", aliases: ["查看"],
            summary: "客户卡片：字段（标出冲突）、家人、标签、管户、持仓和盈亏、联系记录、待办、投诉；身份证号只显示前 6 位和后 4 位，--reveal 显示完整号码并记入工作日志",
            example: "show 王芳", forms: [F(.argument("客户", .customer))],
            flags: [.flag("reveal", "显示完整身份证号（记入工作日志）"), .json], run: CustomerCommands.show),
        CommandSpec(
            "set", aliases: ["改"], summary: "修改客户字段（空值清除）", example: "set 王芳 phone=13900139000 risk=C3",
            forms: [F(.argument("客户", .customer), .fields(.customer, required: true, shown: true))], flags: [.confirm],
            run: CustomerCommands.set),
        CommandSpec(
            "find", aliases: ["查找", "找"],
            summary: "按姓名、电话、备注的任意片段（一个汉字也行）或姓名拼音（wf、wangfang）查找；条件如 aum>1000万 tier>=钻石 birthday=12月 last_contact>30d age>=60 matures<30d，可排序；之后 @ 指列出的客户",
            example: "find 王 tier>=钻石 last_contact>30d --sort -aum",
            forms: [F(.argument("文字", .text, .zeroOrMore), .segmentFilters, .key("tag", "标签", .tag))],
            flags: [
                .option("sort", "[-]字段", "按字段排序，-字段 从大到小（能比较大小的字段都可以）", values: sortValues),
                .limit, .flag("all", "全部列出（默认只显示前 50 位）"), .flag("archived", "连已归档的客户也列出"), .json,
            ],
            run: CustomerCommands.find),
        CommandSpec(
            "tag", aliases: ["标签"], summary: "添加、移除标签；客户写 @ 就是上一次 find 列出的全部客户",
            example: "tag 王芳 +理财沙龙 -待激活", forms: [F(.argument("客户", .customer), .tagEdits)], flags: [.confirm],
            run: CustomerCommands.tag),
        CommandSpec(
            "family", aliases: ["家人"], summary: "添加家人（生日是打电话的好理由）；按卡片上的短 ID 修改或移除家人",
            example: "family 王芳 李明 relation=儿子 birthday=2010-06-01",
            forms: [
                F(
                    .argument("客户", .customer), .argument("姓名", .text, .oneOrMore), .requiredKey("relation", "关系"),
                    .key("birthday", "日期", .date), .key("phone", "电话"), .fields(.family, required: false, shown: false)),
                F(
                    .keyword("set", aliases: ["修改"]), .argument("家人ID", .familyMember),
                    .fields(.family, required: true, shown: true)),
                F(.keyword("remove", aliases: ["移除", "删除"]), .argument("家人ID", .familyMember)),
            ],
            run: FamilyCommands.family),
        CommandSpec(
            "undo", aliases: ["撤销"], summary: "撤销本次会话的上一条修改命令（写入反向修改，history 两次都保留）；之后又被别人改过就拒绝",
            example: "undo", run: UndoCommand.undo),
        CommandSpec(
            "archive", aliases: ["归档"], summary: "归档客户：find、today 和 @ 不再列出（什么都不删除；unarchive 恢复）",
            example: "archive 王芳", forms: [F(.argument("客户", .customer))], flags: [.confirm], run: ArchiveCommands.archive),
        CommandSpec(
            "unarchive", aliases: ["取消归档"], summary: "取消归档，客户重新出现在 find 和 today 里", example: "unarchive 王芳",
            forms: [F(.argument("客户", .customer))], flags: [.confirm], run: ArchiveCommands.unarchive),
        CommandSpec(
            "contact", aliases: ["联系"], summary: "记录一次联系；next= 同时建一条跟进待办",
            example: "contact 王芳 上门 上门聊了基金定投 outcome=有意向 next=+7d",
            forms: [
                F(
                    .argument("客户", .customer), .argument("电话|上门|到店|短信|活动", .channel),
                    .argument("内容", .text, .oneOrMore), .key("outcome", "结果"), .key("next", "日期", .date),
                    .fields(.contact, required: false, shown: false))
            ],
            run: EventCommands.contact),
        CommandSpec(
            "task", aliases: ["待办"], summary: "新建待办：关于某位客户，或不写客户就是自己的事；at= 写时间就是约见，today 先列出当天的约见；打印短 ID",
            example: "task 王芳 送生日蛋糕 due=03-07",
            forms: [
                F(
                    .argument("客户", .customer, .optional), .argument("内容", .text, .oneOrMore),
                    .requiredKey("due", "日期", .date), .key("at", "HH:MM", .text),
                    .key("where", "上门|网点", .choice(["上门", "网点"])), .key("note", "备注"),
                    .fields(.task, required: false, shown: false))
            ],
            flags: [.confirm, .json], run: TaskCommands.task),
        CommandSpec(
            "tasks", aliases: ["待办列表"], summary: "列出未完成的待办（逾期的标出）；--all 连已完成的也列出", example: "tasks",
            forms: [F(.argument("客户", .customer, .optional))],
            flags: [.flag("all", "连已完成的也列出"), .limit, .json], run: TaskCommands.tasks),
        CommandSpec(
            "done", aliases: ["完成"], summary: "把待办标为已完成（ID 见 tasks 或客户卡片）", example: "done k3m9",
            forms: [F(.argument("待办ID", .task, .oneOrMore))], run: TaskCommands.done),
        CommandSpec(
            "complaint", aliases: ["投诉"], summary: "登记投诉（due= 同时建处理待办），或关闭投诉并写下处理结果",
            example: "complaint 王芳 理财收益与介绍不符 due=明天",
            forms: [
                F(
                    .argument("客户", .customer), .argument("内容", .text, .oneOrMore), .key("date", "日期", .date),
                    .key("due", "日期", .date), flags: [.json]),
                F(.keyword("close", aliases: ["关闭"]), .argument("投诉ID", .complaint), .argument("处理结果", .text, .oneOrMore)),
            ],
            run: ComplaintCommands.complaint),
        CommandSpec(
            "complaints", aliases: ["投诉列表"], summary: "列出未关闭的投诉；--all 连已解决的和处理结果也列出",
            example: "complaints --all", forms: [F(.argument("客户", .customer, .optional))],
            flags: [.flag("all", "连已解决的也列出，带处理结果"), .limit, .json], run: ComplaintCommands.complaints),
        CommandSpec(
            "product", aliases: ["产品"], summary: "添加产品到目录（全行共享），或修改名称、风险等级、类型",
            example: "product JX2024A 稳健理财A risk=R2 kind=理财",
            forms: [
                F(
                    .argument("代码", .product), .argument("名称", .text, .oneOrMore),
                    .requiredKey("risk", "R1..R5", .choice(["R1", "R2", "R3", "R4", "R5"])), .key("kind", "类型")),
                F(.argument("代码", .product), .fields(.product, required: true, shown: true)),
            ],
            flags: [.json], run: ProductCommands.product),
        CommandSpec(
            "products", aliases: ["产品列表"], summary: "产品目录：代码、名称、风险等级、最新价格", example: "products",
            forms: [F(.argument("文字", .text, .zeroOrMore))], flags: [.json], run: ProductCommands.products),
        CommandSpec(
            "price", aliases: ["价格"], summary: "录入产品某天的价格（净值）；持仓盈亏按它计算",
            example: "price JX2024A 1.0523 date=11-20",
            forms: [F(.argument("代码", .product), .argument("价格", .money), .key("date", "日期", .date))],
            run: ProductCommands.price),
        CommandSpec(
            "buy", aliases: ["购买"], summary: "记录购买；产品风险高于客户评估、或评估超过一年时提示（批量模式需 --confirm）并记下提示",
            example: "buy 王芳 JX2024A amount=50万 take_profit=8% stop_loss=-5% matures=+180d",
            forms: [
                F(
                    .argument("客户", .customer), .argument("代码", .product), .requiredKey("amount", "金额", .money),
                    .key("price", "价格", .money), .key("date", "日期", .date), .key("expected", "%", .number),
                    .key("take_profit", "%", .number), .key("stop_loss", "%", .number), .key("matures", "日期", .date),
                    .fields(.purchase, required: false, shown: false))
            ],
            flags: [.flag("confirm", "批量模式下确认已向客户揭示风险（适当性提示）"), .json], run: ProductCommands.buy),
        CommandSpec(
            "movement", aliases: ["异动"], summary: "记录大额异动（转入 +，转出 -）；today 里提醒 7 天",
            example: "movement 王芳 -80万 note=转出他行",
            forms: [
                F(
                    .argument("客户", .customer), .argument("±金额", .money), .key("date", "日期", .date), .key("note", "备注"),
                    .fields(.movement, required: false, shown: false))
            ],
            flags: [.json], run: MovementCommands.movement),
        CommandSpec(
            "today", aliases: ["今天", "日程"], summary: "今天的日程：约见（按时间）、计划、投诉、待办、止盈止损、大额异动、生日、到期、该联系的客户、电话数",
            example: "today", forms: [F(.key("date", "日期", .date))],
            flags: [.flag("all", "每组全部列出"), .option("limit", "N", "每组最多列出 N 条"), .json], run: AgendaCommands.today),
        CommandSpec(
            "journal", aliases: ["日志"], summary: "工作日志：不写内容时汇总当天的联系、成交、记事和明日计划；写内容就记一笔",
            example: "journal 下午上门两户，王芳有意向续作",
            forms: [F(.argument("内容", .text, .zeroOrMore), .key("date", "日期", .date))], flags: [.json],
            run: JournalCommands.journal),
        CommandSpec(
            "plan", aliases: ["计划"], summary: "把客户加入明天（或 date= 那天）的电话计划；不写客户就列出计划。明天的 today 先显示它",
            example: "plan 王芳 李明 note=到期续作",
            forms: [F(.argument("客户", .customer, .zeroOrMore), .key("date", "日期", .date), .key("note|事由", "事由"))],
            flags: [.confirm, .json], run: JournalCommands.plan),
        CommandSpec(
            "settings", aliases: ["设置"], summary: "本账本的日程设置：各层级的联系周期、每天电话目标、持仓波动提醒幅度",
            example: "settings cadence.钻石=20 calls=25",
            forms: [
                F(
                    .key("cadence.层级|周期.层级", "天数", .number), .key("calls|电话", "个数", .number),
                    .key("move|波动", "百分比", .number), .key("lease|离线期限", "天数", .number),
                    .key("overlap|重叠", "天数", .number))
            ],
            flags: [.json], run: AgendaCommands.settings),
        CommandSpec(
            "conflicts", aliases: ["冲突"], summary: "列出尚未解决的并发修改（所有值都保留着）", example: "conflicts",
            forms: [F(.argument("客户", .customer, .optional))], flags: [.all, .limit, .json],
            run: ConflictCommands.conflicts),
        CommandSpec(
            "resolve", aliases: ["解决"], summary: "解决冲突：写入一个取代所有冲突值的新值（只写字段则保留当前显示的值），历史仍然保留",
            example: "resolve 王芳 phone=13900139000",
            forms: [F(.argument("客户", .customer), .argument("字段", .text, .zeroOrMore), .fields(.customer, required: false, shown: true))],
            run: ConflictCommands.resolve),
        CommandSpec(
            "history", aliases: ["历史"], summary: "客户的全部变更：何时、谁、哪台设备；身份证号打码，--reveal 显示完整号码并记入工作日志",
            example: "history 王芳", forms: [F(.argument("客户", .customer))],
            flags: [.flag("reveal", "显示完整身份证号（记入工作日志）"), .flag("all", "全部列出（默认只列最近的）"), .limit, .json],
            run: HistoryCommand.history),
        CommandSpec(
            "export", aliases: ["导出"],
            summary: "把客户导出为 CSV（Excel/WPS 可打开，= + - @ 开头的格子前加 ' 以免被当成公式）；可按 find 的条件筛选，@ 是上一次 find 列出的客户；身份证号打码，--with-id-numbers 导出完整号码并记入工作日志",
            example: "export csv 客户.csv tier=钻石",
            forms: [
                F(
                    .keyword("csv"), .argument("文件", .path), .argument("文字", .text, .zeroOrMore), .segmentFilters,
                    .key("tag", "标签", .tag))
            ],
            flags: [
                .flag("all", "连已归档的客户也导出"), .flag("force", "覆盖已有的文件"),
                .option("encoding", "gbk", "文件编码：gbk、gb18030 或 utf8（默认，带 BOM）", values: ["gbk", "gb18030", "utf8"]),
                .flag("with-id-numbers", "导出完整身份证号（记入工作日志）"), .confirm,
            ],
            run: CSVCommands.export),
        CommandSpec(
            "import", aliases: ["导入"],
            summary: "从 CSV 导入客户（有 id 的更新，没有的新建）；import movements 文件 导入核心系统的大额异动；有一行不对就整个不导入",
            example: "import csv 客户.csv --dry-run",
            forms: [
                F(
                    .keyword("csv"), .argument("文件", .path),
                    flags: [.flag("dry-run", "只检查，不导入"), .flag("allow-duplicates", "疑似重复的客户也导入")]),
                F(.keyword("movements", aliases: ["异动"]), .argument("文件", .path), flags: [.flag("dry-run", "只检查，不导入")]),
            ],
            run: CSVCommands.import),
        CommandSpec(
            "sync", aliases: ["同步"],
            summary: "与中心节点同步：推送本机修改，接收范围内的更新；打印发送、接收、新增和移出的客户、新冲突，及所连的服务器",
            example: "sync", flags: [.option("server", "主机:端口", "这一次连这个中心节点（几台服务器用逗号分隔，依次尝试）")],
            run: SyncCommand.sync),
        CommandSpec(
            "status", aliases: ["状态"], summary: "账本路径、员工、设备、数量、未同步操作、状态哈希", example: "status",
            flags: [.json], run: StatusCommands.status),
        CommandSpec(
            "check", aliases: ["检查"], summary: "检查账本文件和操作日志是否完好（不做任何修改）；有问题时退出码为 1",
            example: "check", flags: [.json], run: CheckCommand.check),
        CommandSpec(
            "help", aliases: ["帮助", "?"], summary: "命令列表，或一个命令的用法和例子", example: "help contact",
            forms: [F(.argument("命令", .command, .optional))], run: HelpCommand.help),
        CommandSpec("quit", aliases: ["exit", "退出"], summary: "退出", example: "quit", run: { session, _ in session.quit() }),
    ]

    /// What `find --sort` takes: every field with an order, ascending or (`-`) descending.
    static let sortValues = SegmentField.allCases.filter(\.isOrdered).flatMap { [$0.name, "-" + $0.name] }

    /// The command with a name or alias.
    public static func find(_ name: String) -> CommandSpec? {
        let lower = name.lowercased()
        return all.first { $0.name == lower || $0.aliases.contains(name) }
    }

    /// The message for an unknown command, with the closest name.
    static func unknownMessage(_ name: String) -> String {
        let closest = all.min {
            Schema.editDistance($0.name, name.lowercased()) < Schema.editDistance($1.name, name.lowercased())
        }
        if let closest, Schema.editDistance(closest.name, name.lowercased()) <= 2 {
            return "未知命令 \"\(name)\"，是否要输入 \"\(closest.name)\"？输入 help 查看全部命令"
        }
        return "未知命令 \"\(name)\"：输入 help 查看全部命令"
    }

    /// The spec of a command by name; the table is static, so a missing name is a programming error.
    static func spec(_ name: String) -> CommandSpec { find(name)! }
}
