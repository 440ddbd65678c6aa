import FieldbookModel

extension SalesReport {
    /// The sales report's arithmetic, once for every store: a store feeds it the live purchases it reads, then the
    /// coverers of the customers it names and the registered principals, and gets the report.
    ///
    /// ```swift
    /// var builder = try SalesReport.Builder(from: from, to: to, offsetSeconds: offset)
    /// for purchase in purchases { builder.add(purchase) }
    /// let report = builder.report(principals: principals, coverers: coverersOf(builder.customers))
    /// ```
    public struct Builder: Sendable {
        /// The first day of the period (inclusive).
        public let from: Day
        /// The last day of the period (inclusive).
        public let to: Day
        private let offsetSeconds: Int
        private var sales: [(customer: EntityID, amount: Int64)] = []

        /// Starts a report for a period.
        ///
        /// - Throws: ``CentralError`` when `from` is after `to`.
        public init(from: Day, to: Day, offsetSeconds: Int) throws {
            guard from <= to else { throw CentralError("报表开始日期 \(from.iso) 晚于结束日期 \(to.iso)") }
            self.from = from
            self.to = to
            self.offsetSeconds = offsetSeconds
        }

        /// Counts a live purchase when its day falls in the period and it belongs to a customer.
        public mutating func add(_ purchase: ReportEvent) {
            let day = purchase.day(offsetSeconds: offsetSeconds)
            guard from <= day, day <= to, let customer = purchase.customer else { return }
            sales.append((customer, purchase.values[Schema.F.amount]?.integer ?? 0))
        }

        /// The customers of the sales counted: those whose coverers ``report(principals:coverers:)`` needs.
        public var customers: Set<EntityID> { Set(sales.map(\.customer)) }

        /// The report: each sale counted in full for its customer's owner and every co-coverer as they stand now
        /// (考核双算), and once in the total; a line for every registered principal but administrators, and for
        /// anyone a sale was attributed to; largest amount first, then by code.
        ///
        /// - Parameters:
        ///   - principals: Every registered principal.
        ///   - coverers: The owner and co-coverers of each of ``customers``, owner first, without duplicates; a
        ///     customer missing here is covered by nobody.
        public func report(principals: [PrincipalRecord], coverers: [EntityID: [String]]) -> SalesReport {
            var rows: [String: SalesReport.Row] = [:]
            for principal in principals where principal.role != .admin {
                rows[principal.code] = SalesReport.Row(
                    code: principal.code, name: principal.name, role: principal.role, sales: 0, amount: 0, sharedSales: 0,
                    sharedAmount: 0)
            }
            var total = SalesReport.Total(sales: 0, amount: 0, sharedSales: 0)
            for sale in sales {
                let coverers = coverers[sale.customer] ?? []
                let shared = coverers.count > 1
                total.sales += 1
                total.amount += sale.amount
                if shared { total.sharedSales += 1 }
                for code in coverers {
                    var row =
                        rows[code]
                        ?? SalesReport.Row(code: code, name: nil, role: nil, sales: 0, amount: 0, sharedSales: 0, sharedAmount: 0)
                    row.sales += 1
                    row.amount += sale.amount
                    if shared {
                        row.sharedSales += 1
                        row.sharedAmount += sale.amount
                    }
                    rows[code] = row
                }
            }
            let sorted = rows.values.sorted { ($0.amount, $1.code) > ($1.amount, $0.code) }
            return SalesReport(from: from, to: to, rows: sorted, total: total)
        }
    }
}
