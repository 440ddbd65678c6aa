import FieldbookModel

/// The table of book commands (SHELL.md "Commands inside the book"): names, help and handlers.
public enum Commands {
    /// Every command, in the order `help` lists them.
    public static let all: [CommandSpec] = [
        CommandSpec(
            "add", aliases: ["添加"], usage: "add 姓名 [字段=值 …]",
            summary: "新建客户，归本人管户；打印短 ID",
            example: "add 王芳 phone=13800138000 tier=钻石 birthday=1975-03-08", run: CustomerCommands.add),
        CommandSpec(
            "show", aliases: ["查看"], usage: "show 客户 [--reveal] [--json]",
            summary: "客户卡片：字段（标出冲突）、家人、标签、管户、持仓和盈亏、联系记录、待办、投诉；身份证号只显示前 6 位和后 4 位，--reveal 显示完整号码并记入工作日志",
            example: "show 王芳", run: CustomerCommands.show),
        CommandSpec(
            "set", aliases: ["改"], usage: "set 客户 字段=值 …", summary: "修改客户字段（空值清除）",
            example: "set 王芳 phone=13900139000 risk=C3", run: CustomerCommands.set),
        CommandSpec(
            "find", aliases: ["查找", "找"], usage: "find [文字] [字段=值 …] [tag=标签] [--all] [--limit N] [--json]",
            summary: "按姓名、电话、备注的任意片段查找（一个汉字也行），可按字段和标签筛选",
            example: "find 王 tier=钻石", run: CustomerCommands.find),
        CommandSpec(
            "tag", aliases: ["标签"], usage: "tag 客户 +标签 -标签 …", summary: "添加、移除标签",
            example: "tag 王芳 +理财沙龙 -待激活", takesEdits: true, run: CustomerCommands.tag),
        CommandSpec(
            "family", aliases: ["家人"], usage: "family 客户 姓名 relation=关系 [birthday=日期] [phone=电话]",
            summary: "添加家人（生日是打电话的好理由）",
            example: "family 王芳 李明 relation=儿子 birthday=2010-06-01", run: CustomerCommands.family),
        CommandSpec(
            "contact", aliases: ["联系"],
            usage: "contact 客户 电话|上门|到店|短信|活动 内容 [outcome=结果] [next=日期]",
            summary: "记录一次联系；next= 同时建一条跟进待办",
            example: "contact 王芳 上门 上门聊了基金定投 outcome=有意向 next=+7d", run: EventCommands.contact),
        CommandSpec(
            "task", aliases: ["待办"], usage: "task [客户] 内容 due=日期 [note=备注]",
            summary: "新建待办：关于某位客户，或不写客户就是自己的事；打印短 ID",
            example: "task 王芳 送生日蛋糕 due=03-07", run: TaskCommands.task),
        CommandSpec(
            "tasks", aliases: ["待办列表"], usage: "tasks [客户] [--all] [--limit N] [--json]",
            summary: "列出未完成的待办（逾期的标出）；--all 连已完成的也列出",
            example: "tasks", run: TaskCommands.tasks),
        CommandSpec(
            "done", aliases: ["完成"], usage: "done 待办ID …", summary: "把待办标为已完成（ID 见 tasks 或客户卡片）",
            example: "done k3m9", run: TaskCommands.done),
        CommandSpec(
            "complaint", aliases: ["投诉"],
            usage: "complaint 客户 内容 [date=日期] [due=日期] ｜ complaint close 投诉ID 处理结果",
            summary: "登记投诉（due= 同时建处理待办），或关闭投诉并写下处理结果",
            example: "complaint 王芳 理财收益与介绍不符 due=明天", run: ComplaintCommands.complaint),
        CommandSpec(
            "complaints", aliases: ["投诉列表"], usage: "complaints [客户] [--all] [--limit N] [--json]",
            summary: "列出未关闭的投诉；--all 连已解决的和处理结果也列出",
            example: "complaints --all", run: ComplaintCommands.complaints),
        CommandSpec(
            "product", aliases: ["产品"], usage: "product 代码 名称 risk=R1..R5 [kind=类型] ｜ product 代码 字段=值 …",
            summary: "添加产品到目录（全行共享），或修改名称、风险等级、类型", example: "product JX2024A 稳健理财A risk=R2 kind=理财",
            run: ProductCommands.product),
        CommandSpec(
            "products", aliases: ["产品列表"], usage: "products [文字] [--json]", summary: "产品目录：代码、名称、风险等级、最新价格",
            example: "products", run: ProductCommands.products),
        CommandSpec(
            "price", aliases: ["价格"], usage: "price 代码 价格 [date=日期]", summary: "录入产品某天的价格（净值）；持仓盈亏按它计算",
            example: "price JX2024A 1.0523 date=11-20", run: ProductCommands.price),
        CommandSpec(
            "buy", aliases: ["购买"],
            usage:
                "buy 客户 代码 amount=金额 [price=价格] [date=日期] [expected=%] [take_profit=%] [stop_loss=%] [matures=日期] [--confirm]",
            summary: "记录购买；产品风险高于客户评估、或评估超过一年时提示（批量模式需 --confirm）并记下提示",
            example: "buy 王芳 JX2024A amount=50万 take_profit=8% stop_loss=-5% matures=+180d", run: ProductCommands.buy),
        CommandSpec(
            "movement", aliases: ["异动"], usage: "movement 客户 ±金额 [date=日期] [note=备注]",
            summary: "记录大额异动（转入 +，转出 -）；today 里提醒 7 天", example: "movement 王芳 -80万 note=转出他行",
            run: MovementCommands.movement),
        CommandSpec(
            "today", aliases: ["今天", "日程"], usage: "today [date=日期] [--all] [--limit N] [--json]",
            summary: "今天的日程：计划、投诉、待办、止盈止损、大额异动、生日、到期、该联系的客户、电话数",
            example: "today", run: AgendaCommands.today),
        CommandSpec(
            "journal", aliases: ["日志"], usage: "journal [内容] [date=日期] [--json]",
            summary: "工作日志：不写内容时汇总当天的联系、成交、记事和明日计划；写内容就记一笔",
            example: "journal 下午上门两户，王芳有意向续作", run: JournalCommands.journal),
        CommandSpec(
            "plan", aliases: ["计划"], usage: "plan [客户 …] [date=日期] [note=事由] [--json]",
            summary: "把客户加入明天（或 date= 那天）的电话计划；不写客户就列出计划。明天的 today 先显示它",
            example: "plan 王芳 李明 note=到期续作", run: JournalCommands.plan),
        CommandSpec(
            "settings", aliases: ["设置"], usage: "settings [cadence.层级=天数] [calls=个数] [move=百分比] [--json]",
            summary: "本账本的日程设置：各层级的联系周期、每天电话目标、持仓波动提醒幅度",
            example: "settings cadence.钻石=20 calls=25", run: AgendaCommands.settings),
        CommandSpec(
            "conflicts", aliases: ["冲突"], usage: "conflicts [客户] [--all] [--limit N] [--json]",
            summary: "列出尚未解决的并发修改（所有值都保留着）", example: "conflicts", run: ConflictCommands.conflicts),
        CommandSpec(
            "resolve", aliases: ["解决"], usage: "resolve 客户 字段=值（或只写字段，保留当前显示的值）",
            summary: "解决冲突：写入一个取代所有冲突值的新值，历史仍然保留",
            example: "resolve 王芳 phone=13900139000", run: ConflictCommands.resolve),
        CommandSpec(
            "history", aliases: ["历史"], usage: "history 客户 [--reveal] [--all] [--limit N] [--json]",
            summary: "客户的全部变更：何时、谁、哪台设备；身份证号打码，--reveal 显示完整号码并记入工作日志", example: "history 王芳", run: ConflictCommands.history),
        CommandSpec(
            "export", aliases: ["导出"], usage: "export csv 文件 [文字] [字段=值 …] [tag=标签] [--all] [--force] [--encoding gbk] [--with-id-numbers]",
            summary: "把客户导出为 CSV（Excel/WPS 可打开，= + - @ 开头的格子前加 ' 以免被当成公式）；可按 find 的条件筛选；身份证号打码，--with-id-numbers 导出完整号码并记入工作日志",
            example: "export csv 客户.csv tier=钻石", run: CSVCommands.export),
        CommandSpec(
            "import", aliases: ["导入"], usage: "import csv 文件 [--dry-run] [--allow-duplicates]",
            summary: "从 CSV 导入客户（有 id 的更新，没有的新建）；import movements 文件 导入核心系统的大额异动；有一行不对就整个不导入",
            example: "import csv 客户.csv --dry-run", run: CSVCommands.import),
        CommandSpec(
            "sync", aliases: ["同步"], usage: "sync [--server 主机:端口]",
            summary: "与中心节点同步：推送本机修改，接收范围内的更新；打印发送、接收、新增和移出的客户、新冲突",
            example: "sync", run: SyncCommand.sync),
        CommandSpec(
            "status", aliases: ["状态"], usage: "status [--json]",
            summary: "账本路径、员工、设备、数量、未同步操作、状态哈希", example: "status", run: StatusCommands.status),
        CommandSpec(
            "check", aliases: ["检查"], usage: "check [--json]",
            summary: "检查账本文件和操作日志是否完好（不做任何修改）；有问题时退出码为 1",
            example: "check", run: CheckCommand.check),
        CommandSpec(
            "help", aliases: ["帮助", "?"], usage: "help [命令]", summary: "命令列表，或一个命令的用法和例子",
            example: "help contact", run: StatusCommands.help),
        CommandSpec(
            "quit", aliases: ["exit", "退出"], usage: "quit", summary: "退出", example: "quit",
            run: { session, _ in session.quit() }),
    ]

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
