import FieldbookModel

/// VIP customers (钻石 and 私人银行) that nobody has contacted within their cadence, per covering principal, as
/// `fieldbook admin report coverage` shows it.
///
/// A VIP is listed under its owner and under every co-coverer. Any contact counts, whoever made it: the question
/// is whether the customer has heard from the bank, not from whom.
///
/// ```swift
/// let report = try central.coverageReport()
/// for principal in report.principals { print(principal.code, principal.vips, principal.overdue.count) }
/// ```
public struct CoverageReport: Sendable, Hashable {
    /// A VIP past its cadence.
    public struct Customer: Sendable, Hashable {
        /// The customer.
        public var id: EntityID
        /// Its display name.
        public var name: String
        /// Its tier.
        public var tier: String
        /// Its familiarity (A, B, C), if set.
        public var familiarity: String?
        /// The cadence that applies, in days.
        public var cadence: Int
        /// The last contact, or `nil` when there never was one.
        public var lastContact: Day?
        /// Days since the last contact, or `nil` when there never was one.
        public var daysSince: Int?
    }

    /// One covering principal.
    public struct Principal: Sendable, Hashable {
        /// The employee code.
        public var code: String
        /// The display name, when registered.
        public var name: String?
        /// The role, when registered.
        public var role: String?
        /// The VIPs the principal covers (owns or co-covers).
        public var vips: Int
        /// Those past their cadence, never contacted first, then longest silence first.
        public var overdue: [Customer]
    }

    /// The day the report is made for.
    public var today: Day
    /// Principals covering at least one VIP, by code.
    public var principals: [Principal]

    /// The tiers that count as VIP.
    public static let vipTiers: Set<String> = ["钻石", "私人银行"]

    /// The default contact cadence in days for a tier and familiarity (issue 7): 私人银行 and 钻石 30 days, 金葵花
    /// 60, 普通 (or no tier) 90, tightened one step for familiarity C (90 → 60 → 30 → 15).
    ///
    /// Books may configure their own cadence; the centre applies these defaults to every book.
    ///
    /// ```swift
    /// CoverageReport.cadence(tier: "钻石", familiarity: "C")   // 15
    /// ```
    public static func cadence(tier: String?, familiarity: String?) -> Int {
        let ladder = [90, 60, 30, 15]
        var step: Int
        switch tier {
        case "私人银行", "钻石": step = 2
        case "金葵花": step = 1
        default: step = 0
        }
        if familiarity == "C" { step += 1 }
        return ladder[min(step, ladder.count - 1)]
    }
}
