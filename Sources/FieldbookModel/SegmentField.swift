/// A field a customer segment (`find aum>1000万 tier>=钻石 --sort -aum`) filters or sorts on: a customer field, or a
/// value derived from the customer's contacts, holdings and birthday.
///
/// The fields come in four sorts, which decide the comparisons allowed (``isOrdered``):
/// - money (`aum`, `income`, `holdings`) and dates (`birthday`, `risk_date`): every comparison;
/// - ordered choices (`tier`, `risk`, `stage`, `familiarity`): every comparison, in the order of their choices
///   (普通 < 金葵花 < 钻石 < 私人银行, C1 < … < C5, 认识 < … < 朋友, A < B < C);
/// - day counts and years derived on the day of the query (`last_contact`, `matures`, `age`): every comparison;
/// - other choices, text and tags (`gender`, `group`, `region`, `occupation`, `education`, `contact_time`, `tag`):
///   `=` and `!=` only.
///
/// ```swift
/// try SegmentField.named("资产")          // .aum
/// SegmentField.lastContact.isOrdered      // true
/// ```
public enum SegmentField: String, CaseIterable, Sendable, Hashable {
    /// Assets under management (money).
    case aum
    /// Income (money).
    case income
    /// The customer's birthday (a date; `birthday=12月` matches a month, `birthday=12-15` a day of any year).
    case birthday
    /// The day of the risk assessment (a date).
    case riskDate = "risk_date"
    /// The tier, 普通 < 金葵花 < 钻石 < 私人银行 (an unset tier counts as 普通, as in the agenda).
    case tier
    /// The risk assessment, C1 < … < C5.
    case risk
    /// The relationship stage, 认识 < 接受 < 习惯 < 依赖 < 朋友.
    case stage
    /// Familiarity, A < B < C.
    case familiarity
    /// Days since the last contact by anyone (since the customer was added, when never contacted), as the agenda
    /// counts them.
    case lastContact = "last_contact"
    /// The value of the holdings not yet matured, at each product's latest price (the amount paid when no price is
    /// known), as the card totals them.
    case holdings
    /// Age in whole years on the day of the query.
    case age
    /// Days to the nearest maturity of a holding, from the day of the query (a holding maturing today is 0).
    case matures
    /// Gender (equality only).
    case gender
    /// Customer group (equality only).
    case group
    /// Region (equality only).
    case region
    /// Occupation (equality only).
    case occupation
    /// Education (equality only).
    case education
    /// Preferred contact time (equality only).
    case contactTime = "contact_time"
    /// A tag (equality only: `tag=沙龙` has it, `tag!=沙龙` has it not).
    case tag

    /// The name typed (`last_contact`).
    public var name: String { rawValue }

    /// The Chinese name, also accepted when typed.
    public var label: String {
        switch self {
        case .lastContact: "上次联系"
        case .holdings: "持仓"
        case .age: "年龄"
        case .matures: "到期"
        case .tag: "标签"
        default: schemaField!.label
        }
    }

    /// The customer field it reads, for fields stored on the customer.
    public var schemaField: FieldSpec? {
        let id: FieldID? =
            switch self {
            case .aum: Schema.F.aum
            case .income: Schema.F.income
            case .birthday: Schema.F.birthday
            case .riskDate: Schema.F.riskDate
            case .tier: Schema.F.tier
            case .risk: Schema.F.customerRisk
            case .stage: Schema.F.stage
            case .familiarity: Schema.F.familiarity
            case .gender: Schema.F.gender
            case .group: Schema.F.group
            case .region: Schema.F.region
            case .occupation: Schema.F.occupation
            case .education: Schema.F.education
            case .contactTime: Schema.F.contactTime
            case .tag: Schema.F.tags
            case .lastContact, .holdings, .age, .matures: nil
            }
        return id.flatMap(Schema.field)
    }

    /// What its values are, which decides how a typed value is read and which comparisons are allowed.
    public enum Sort: Sendable, Hashable {
        /// Money in fen.
        case money
        /// A calendar day.
        case date
        /// A choice whose choices are in order (their index is the rank).
        case orderedChoice
        /// A count of days.
        case days
        /// A count of years.
        case years
        /// Anything compared for equality only.
        case equality
    }

    /// The sort of its values.
    public var sort: Sort {
        switch self {
        case .aum, .income, .holdings: .money
        case .birthday, .riskDate: .date
        case .tier, .risk, .stage, .familiarity: .orderedChoice
        case .lastContact, .matures: .days
        case .age: .years
        case .gender, .group, .region, .occupation, .education, .contactTime, .tag: .equality
        }
    }

    /// Whether `<`, `<=`, `>`, `>=` apply, and so whether a listing can be sorted by it.
    public var isOrdered: Bool { sort != .equality }

    /// Whether its value is computed from other entities (contacts, holdings) or from the day of the query.
    public var isDerived: Bool { [.lastContact, .holdings, .age, .matures].contains(self) }

    /// The canonical choices in rank order, for an ordered choice.
    public var rankedChoices: [String] { schemaField?.choices.map(\.canonical) ?? [] }

    /// The fields that can be compared with `<` and `>` (and sorted on), as a list for messages, each written as the
    /// start of a filter (`aum> income> …`), so that no bare English word reaches a Chinese message.
    public static let orderedNames = allCases.filter(\.isOrdered).map { $0.name + ">" }.joined(separator: " ")
    /// Every field, as a list for messages, each written as the start of a filter (`aum= … tag=`).
    public static let allNames = allCases.map { $0.name + "=" }.joined(separator: " ")

    /// The field with a name or Chinese label (`aum`, `资产`, `last_contact`, `上次联系`, `tags`).
    ///
    /// - Throws: ``ModelError`` with code ``ModelError/Code/unknownField`` listing the fields.
    public static func named(_ typed: String) throws(ModelError) -> SegmentField {
        let lower = typed.trimmingSpaces().lowercased()
        if let field = allCases.first(where: { $0.rawValue == lower || $0.label == typed.trimmingSpaces() }) {
            return field
        }
        if lower == "tags" { return .tag }
        if lower == "风险" { return .risk }
        let suggestion = allCases.min { Schema.editDistance($0.name, lower) < Schema.editDistance($1.name, lower) }
        if let suggestion, Schema.editDistance(suggestion.name, lower) <= max(1, lower.count / 3) {
            throw ModelError(.unknownField, "不能按 \"\(typed)\" 筛选，是否要输入 \"\(suggestion.name)\"？可筛选的字段有 \(allNames)")
        }
        throw ModelError(.unknownField, "不能按 \"\(typed)\" 筛选：可筛选的字段有 \(allNames)")
    }
}
