import FieldbookModel
import Testing

/// The typed vocabulary (issue 19): each enum's raw values are the text the op log already stores, every alias the
/// schema accepted still parses, and every label is Chinese.
@Suite("Typed vocabulary")
struct VocabularyTests {
    static let today = Day(year: 2026, month: 11, day: 23)!

    /// The stored texts and aliases as the schema spelled them before the enums existed. Changing one of these
    /// changes stored data: it must not happen.
    static let pinned: [(field: String, kind: EntityKind, choices: [(String, [String])])] = [
        (
            "tier", .customer,
            [("普通", ["standard"]), ("金葵花", ["gold"]), ("钻石", ["diamond"]), ("私人银行", ["private"])]
        ),
        (
            "group", .customer,
            [
                ("企业老板", ["owner", "business"]), ("退休", ["retiree", "retired"]), ("家庭主妇", ["homemaker"]),
                ("港澳台", ["hmt"]), ("企业员工", ["employee"]), ("炒股", ["trader", "专业炒股型"]),
            ]
        ),
        (
            "stage", .customer,
            [
                ("认识", ["acquaintance"]), ("接受", ["acceptance"]), ("习惯", ["habit"]), ("依赖", ["reliance"]),
                ("朋友", ["friend"]),
            ]
        ),
        (
            "channel", .contact,
            [
                ("call", ["电话"]), ("visit", ["到店", "面谈"]), ("home", ["上门"]), ("message", ["短信", "微信"]),
                ("event", ["活动"]),
            ]
        ),
        ("status", .complaint, [("open", ["处理中"]), ("closed", ["已解决"])]),
        ("entry", .worklog, [("journal", ["日志"]), ("plan", ["计划"])]),
    ]

    /// Each enum's choices, by field name.
    static func choices(of field: String) -> [FieldSpec.Choice] {
        switch field {
        case "tier": Tier.choices
        case "group": CustomerGroup.choices
        case "stage": RelationshipStage.choices
        case "channel": ContactChannel.choices
        case "status": ComplaintStatus.choices
        case "entry": WorkLogEntryKind.choices
        default: []
        }
    }

    /// Each enum's labels, by field name.
    static func labels(of field: String) -> [String] {
        switch field {
        case "tier": Tier.allCases.map(\.label)
        case "group": CustomerGroup.allCases.map(\.label)
        case "stage": RelationshipStage.allCases.map(\.label)
        case "channel": ContactChannel.allCases.map(\.label)
        case "status": ComplaintStatus.allCases.map(\.label)
        case "entry": WorkLogEntryKind.allCases.map(\.label)
        default: []
        }
    }

    @Test(arguments: pinned.map(\.field))
    func rawValuesAreWhatTheSchemaStores(field: String) throws {
        let entry = try #require(Self.pinned.first { $0.field == field })
        let spec = try Schema.field(named: field, for: entry.kind)
        let enumChoices = Self.choices(of: field)
        #expect(enumChoices.map(\.canonical) == entry.choices.map(\.0))
        #expect(enumChoices.map(\.aliases) == entry.choices.map(\.1))
        #expect(spec.choices == enumChoices)
    }

    @Test(arguments: pinned.map(\.field))
    func everyAliasParses(field: String) throws {
        let entry = try #require(Self.pinned.first { $0.field == field })
        let spec = try Schema.field(named: field, for: entry.kind)
        for (stored, aliases) in entry.choices {
            for typed in [stored, stored.uppercased()] + aliases + aliases.map { $0.uppercased() } {
                #expect(try spec.parse(typed, today: Self.today) == .text(stored), "\(field) \(typed)")
            }
        }
    }

    @Test func enumsParseTheirAliases() {
        #expect(Tier.parse("Diamond") == .diamond)
        #expect(Tier.parse(" 私人银行 ") == .privateBanking)
        #expect(Tier.parse("platinum") == nil)
        #expect(CustomerGroup.parse("专业炒股型") == .trader)
        #expect(CustomerGroup.parse("HMT") == .hongKongMacauTaiwan)
        #expect(RelationshipStage.parse("朋友") == .friend)
        #expect(ContactChannel.parse("微信") == .message)
        #expect(ContactChannel.parse("面谈") == .visit)
        #expect(ComplaintStatus.parse("已解决") == .closed)
        #expect(WorkLogEntryKind.parse("计划") == .plan)
        for tier in Tier.allCases { #expect(Tier.parse(tier.rawValue) == tier) }
        for channel in ContactChannel.allCases {
            #expect(ContactChannel.parse(channel.rawValue) == channel)
            #expect(ContactChannel.parse(channel.label) == channel)
        }
    }

    @Test(arguments: pinned.map(\.field))
    func labelsAreChinese(field: String) {
        let labels = Self.labels(of: field)
        #expect(!labels.isEmpty)
        for label in labels {
            #expect(!label.unicodeScalars.contains { $0.isASCII }, "\(field) \(label)")
        }
    }

    @Test func storedValuesRoundTrip() {
        #expect(Tier(.text("钻石")) == .diamond)
        #expect(Tier(nil) == nil)
        #expect(Tier(.text("diamond")) == nil)
        #expect(ComplaintStatus(ComplaintStatus.closed.value) == .closed)
        #expect(Tier.vip == [.diamond, .privateBanking])
        #expect(Tier.gold.isVIP == false)
        #expect(ContactChannel.allCases.map(\.label) == ["电话", "到店", "上门", "短信", "活动"])
    }
}
