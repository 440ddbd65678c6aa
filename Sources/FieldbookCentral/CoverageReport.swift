import FieldbookModel

/// VIP customers (钻石 and 私人银行) that nobody has contacted within their cadence, per covering principal, as
/// `fieldbook admin report coverage` shows it.
///
/// The cadence and the rule are the agenda's defaults (``AgendaSettings/cadence(tier:familiarity:)`` and
/// ``AgendaSettings/isDue(daysSince:cadence:)``): books may configure their own, the centre applies the defaults
/// to every book.
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

        /// Makes a value (for the stores that compute it).
        package init(id: EntityID, name: String, tier: String, familiarity: String?, cadence: Int, lastContact: Day?, daysSince: Int?) {
            self.id = id
            self.name = name
            self.tier = tier
            self.familiarity = familiarity
            self.cadence = cadence
            self.lastContact = lastContact
            self.daysSince = daysSince
        }
    }

    /// One covering principal.
    public struct Principal: Sendable, Hashable {
        /// The employee code.
        public var code: String
        /// The display name, when registered.
        public var name: String?
        /// The role, when registered.
        public var role: PrincipalRole?
        /// The VIPs the principal covers (owns or co-covers).
        public var vips: Int
        /// Those past their cadence, never contacted first, then longest silence first.
        public var overdue: [Customer]

        /// Makes a value (for the stores that compute it).
        package init(code: String, name: String?, role: PrincipalRole?, vips: Int, overdue: [Customer]) {
            self.code = code
            self.name = name
            self.role = role
            self.vips = vips
            self.overdue = overdue
        }
    }

    /// The day the report is made for.
    public var today: Day
    /// Principals covering at least one VIP, by code.
    public var principals: [Principal]

    /// The tiers that count as VIP.
    public static let vipTiers: Set<String> = Set(Tier.vip.map(\.rawValue))

    /// Makes a value (for the stores that compute it).
    package init(today: Day, principals: [Principal]) {
        self.today = today
        self.principals = principals
    }
}
