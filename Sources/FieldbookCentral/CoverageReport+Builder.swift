import FieldbookModel

extension CoverageReport {
    /// A VIP as the coverage report needs it: what a store reads of each live (not archived) 钻石 or 私人银行
    /// customer.
    public struct VIP: Sendable, Hashable {
        /// The customer.
        public var id: EntityID
        /// Its display name.
        public var name: String
        /// Its tier (one of ``CoverageReport/vipTiers``).
        public var tier: String
        /// Its familiarity (A, B, C), if set.
        public var familiarity: String?
        /// Its owner and co-coverers, owner first, without duplicates.
        public var coverers: [String]

        /// Makes a value.
        public init(id: EntityID, name: String, tier: String, familiarity: String?, coverers: [String]) {
            self.id = id
            self.name = name
            self.tier = tier
            self.familiarity = familiarity
            self.coverers = coverers
        }
    }

    /// The coverage report's arithmetic, once for every store: a store feeds it the live VIPs, then the live
    /// contacts, then the registered principals, and gets the report. The cadence is the agenda's default rule
    /// (``AgendaSettings/cadence(tier:familiarity:)``, ``AgendaSettings/isDue(daysSince:cadence:)``).
    ///
    /// ```swift
    /// var builder = CoverageReport.Builder(today: today, offsetSeconds: offset)
    /// for vip in vips { builder.add(vip) }
    /// for contact in contacts { builder.add(contact) }
    /// let report = builder.report(principals: principals)
    /// ```
    public struct Builder: Sendable {
        /// The day the report is made for.
        public let today: Day
        private let offsetSeconds: Int
        private var vips: [EntityID: VIP] = [:]
        private var lastContact: [EntityID: Day] = [:]

        /// Starts a report for `today`.
        public init(today: Day, offsetSeconds: Int) {
            self.today = today
            self.offsetSeconds = offsetSeconds
        }

        /// Adds a live VIP. Add every VIP before the contacts: a contact of a customer not added is not kept.
        public mutating func add(_ vip: VIP) { vips[vip.id] = vip }

        /// Counts a live contact of a VIP, whoever made it, unless it is dated after the report's day (it has not
        /// happened yet as far as this report knows).
        public mutating func add(_ contact: ReportEvent) {
            guard let customer = contact.customer, vips[customer] != nil else { return }
            let day = contact.day(offsetSeconds: offsetSeconds)
            guard day <= today else { return }
            lastContact[customer] = max(lastContact[customer] ?? day, day)
        }

        /// The report: every VIP under each of its coverers, those past their cadence listed (never contacted first,
        /// then longest silence first, then by ID); principals by code.
        ///
        /// - Parameter principals: Every registered principal (for names and roles).
        public func report(principals registered: [PrincipalRecord]) -> CoverageReport {
            let registered = Dictionary(registered.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
            var principals: [String: CoverageReport.Principal] = [:]
            for vip in vips.values {
                let cadence = AgendaSettings().cadence(tier: vip.tier, familiarity: vip.familiarity)
                let last = lastContact[vip.id]
                let since = last.map { Int(today.number - $0.number) }
                let overdue = AgendaSettings.isDue(daysSince: since, cadence: cadence)
                for code in vip.coverers {
                    var principal =
                        principals[code]
                        ?? CoverageReport.Principal(
                            code: code, name: registered[code]?.name, role: registered[code]?.role, vips: 0, overdue: [])
                    principal.vips += 1
                    if overdue {
                        principal.overdue.append(
                            CoverageReport.Customer(
                                id: vip.id, name: vip.name, tier: vip.tier, familiarity: vip.familiarity, cadence: cadence,
                                lastContact: last, daysSince: since))
                    }
                    principals[code] = principal
                }
            }
            let sorted = principals.values.map { principal in
                var principal = principal
                principal.overdue.sort { ($0.daysSince ?? Int.max, $1.id.text) > ($1.daysSince ?? Int.max, $0.id.text) }
                return principal
            }.sorted { $0.code < $1.code }
            return CoverageReport(today: today, principals: sorted)
        }
    }
}
