/// The field table: every field of every entity kind, with stable numbers.
///
/// Numbers are never reused or renumbered. A field may share its name with a field of another kind (`risk` is
/// C1–C5 on a customer and R1–R5 on a product); lookups are by kind and name.
///
/// ```swift
/// let tier = try Schema.field(named: "tier", for: .customer)
/// try tier.parse("diamond", today: today)   // .text("钻石"), Tier.diamond.value
/// ```
public enum Schema {
    /// The version of this table. Operations record the version they were written with.
    public static let version: UInt16 = 1

    private typealias C = FieldSpec.Choice
    private static let people: Set<EntityKind> = [.customer, .family]
    private static let everything = Set(EntityKind.known)

    /// Every field, by number.
    public static let fields: [FieldSpec] = [
        // Customer identity and profile (SHELL.md "Customer fields").
        FieldSpec(1, "name", "姓名", .text, [.customer, .family, .product]),
        FieldSpec(2, "phone", "电话", .phone, people, sensitive: true),
        FieldSpec(3, "id_number", "身份证", .idNumber, [.customer], sensitive: true),
        FieldSpec(4, "address", "地址", .text, [.customer], sensitive: true),
        FieldSpec(5, "birthday", "生日", .date, people),
        FieldSpec(6, "gender", "性别", .choice([C("男", "male", "m"), C("女", "female", "f")]), people),
        FieldSpec(7, "region", "地区", .text, [.customer]),
        FieldSpec(8, "occupation", "职业", .text, [.customer]),
        FieldSpec(9, "education", "学历", .text, [.customer]),
        FieldSpec(10, "income", "收入", .money, [.customer]),
        FieldSpec(11, "aum", "资产", .money, [.customer]),
        FieldSpec(12, "tier", "层级", .choice(Tier.choices), [.customer]),
        FieldSpec(13, "familiarity", "熟悉度", .choice([C("A"), C("B"), C("C")]), [.customer]),
        FieldSpec(14, "group", "客群", .choice(CustomerGroup.choices), [.customer]),
        FieldSpec(15, "stage", "关系阶段", .choice(RelationshipStage.choices), [.customer]),
        FieldSpec(16, "risk", "风险评估", .choice([C("C1"), C("C2"), C("C3"), C("C4"), C("C5")]), [.customer]),
        FieldSpec(17, "risk_date", "评估日期", .date, [.customer]),
        FieldSpec(18, "contact_time", "联系时间", .text, [.customer]),
        FieldSpec(19, "note", "备注", .text, [.customer, .family, .purchase, .movement, .task]),
        FieldSpec(20, "owner", "管户", .principal, [.customer], writer: .admin),
        FieldSpec(21, "archived", "已归档", .bool, everything),
        FieldSpec(22, "tags", "标签", .set, [.customer]),
        FieldSpec(23, "cocoverers", "协同", .set, [.customer], writer: .admin),
        // Family members.
        FieldSpec(30, "relation", "关系", .text, [.family]),
        // Purchases, movements, products.
        FieldSpec(40, "product", "产品", .text, [.purchase]),
        FieldSpec(41, "amount", "金额", .signedMoney, [.purchase, .movement]),
        FieldSpec(42, "price", "价格", .price, [.purchase, .product]),
        FieldSpec(43, "date", "日期", .date, [.purchase, .movement, .contact, .worklog, .complaint]),
        FieldSpec(44, "expected", "预期收益", .percent, [.purchase]),
        FieldSpec(45, "take_profit", "止盈", .percent, [.purchase]),
        FieldSpec(46, "stop_loss", "止损", .percent, [.purchase]),
        FieldSpec(47, "matures", "到期日", .date, [.purchase]),
        FieldSpec(48, "warning", "适当性提示", .text, [.purchase]),
        // Contacts.
        FieldSpec(50, "channel", "方式", .choice(ContactChannel.choices), [.contact]),
        FieldSpec(51, "text", "内容", .text, [.contact, .task, .complaint, .worklog]),
        FieldSpec(52, "outcome", "结果", .text, [.contact]),
        FieldSpec(53, "next", "下一步", .date, [.contact]),
        // Tasks.
        FieldSpec(60, "due", "到期", .date, [.task]),
        FieldSpec(61, "done", "已完成", .bool, [.task]),
        // Appointments: a task with a time (and a place) is on the day's schedule (issue 18).
        FieldSpec(62, "at", "时间", .time, [.task]),
        FieldSpec(63, "where", "地点", .choice(AppointmentPlace.choices), [.task]),
        // Complaints.
        FieldSpec(70, "status", "状态", .choice(ComplaintStatus.choices), [.complaint]),
        FieldSpec(71, "resolution", "处理结果", .text, [.complaint]),
        // Products.
        FieldSpec(80, "code", "代码", .text, [.product]),
        FieldSpec(
            81, "risk", "风险等级", .choice([C("R1"), C("R2"), C("R3"), C("R4"), C("R5")]), [.product]),
        FieldSpec(82, "kind", "类型", .text, [.product]),
        FieldSpec(83, "price_date", "价格日期", .date, [.product]),
        // Price history of a product: `2026-11-20=1.0523` elements, so that prices entered offline for different
        // days on different devices all survive and "the price on a day" can be read back.
        FieldSpec(84, "prices", "历史价格", .set, [.product]),
        // Work log: a plan entry names the customer to contact on its `date`.
        FieldSpec(90, "customer", "客户", .text, [.worklog]),
        FieldSpec(91, "entry", "条目", .choice(WorkLogEntryKind.choices), [.worklog]),
    ]

    private static let byID: [FieldID: FieldSpec] = Dictionary(uniqueKeysWithValues: fields.map { ($0.id, $0) })

    /// The field with a number, or `nil` if this schema does not know it.
    public static func field(_ id: FieldID) -> FieldSpec? { byID[id] }

    /// The fields of one entity kind, in number order.
    public static func fields(for kind: EntityKind) -> [FieldSpec] { fields.filter { $0.kinds.contains(kind) } }

    /// The field of a kind with a given name (or Chinese label).
    ///
    /// - Throws: ``ModelError`` with code ``ModelError/Code/unknownField``, suggesting the closest name.
    public static func field(named name: String, for kind: EntityKind) throws(ModelError) -> FieldSpec {
        let lower = name.lowercased()
        let candidates = fields(for: kind)
        if let spec = candidates.first(where: { $0.name == lower || $0.label == name }) { return spec }
        let suggestion = candidates.min { editDistance($0.name, lower) < editDistance($1.name, lower) }
        if let suggestion, editDistance(suggestion.name, lower) <= max(2, lower.count / 3) {
            throw ModelError(.unknownField, "未知字段 \"\(name)\"，是否要输入 \"\(suggestion.name)\"？")
        }
        // Each name as the start of an assignment (`name= phone= …`): what the user types, and no bare English word in
        // a Chinese message.
        let names = candidates.filter { $0.writer == .anyone && $0.id != Schema.F.archived }.map { $0.name + "=" }
            .joined(separator: " ")
        throw ModelError(.unknownField, "未知字段 \"\(name)\"：\(kind.label)的字段有 \(names)")
    }

    /// Levenshtein distance over characters, for "did you mean" suggestions.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a)
        let y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
