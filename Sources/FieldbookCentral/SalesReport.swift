import FieldbookModel

/// Sales per principal for a period, as `fieldbook admin report sales` shows it.
///
/// A sale is a purchase entity whose date falls in the period. It is attributed to the customer's owner and to
/// every co-coverer *at the time of the report*, each for its full amount (考核双算): a co-covered VIP's sale counts
/// for both the manager and the wealth-center advisor. The ``total`` counts each sale once.
///
/// ```swift
/// let report = try central.salesReport(from: Day(year: 2026, month: 11, day: 1)!, to: central.book.today)
/// report.rows.first?.amount   // fen
/// report.total.amount         // fen, each sale once
/// ```
public struct SalesReport: Sendable, Hashable {
    /// One principal's line.
    public struct Row: Sendable, Hashable {
        /// The employee code.
        public var code: String
        /// The display name, when the principal is registered at the centre.
        public var name: String?
        /// The role (``PrincipalRole/manager``, ``PrincipalRole/advisor``, …), when registered.
        public var role: PrincipalRole?
        /// Sales attributed to the principal (owned or co-covered customers).
        public var sales: Int
        /// Their amount in fen.
        public var amount: Int64
        /// Of those, the sales to customers that are co-covered (counted for someone else too).
        public var sharedSales: Int
        /// Their amount in fen.
        public var sharedAmount: Int64

        /// Makes a row.
        public init(
            code: String, name: String?, role: PrincipalRole?, sales: Int, amount: Int64, sharedSales: Int,
            sharedAmount: Int64
        ) {
            self.code = code
            self.name = name
            self.role = role
            self.sales = sales
            self.amount = amount
            self.sharedSales = sharedSales
            self.sharedAmount = sharedAmount
        }
    }

    /// The bank-wide total, each sale counted once.
    public struct Total: Sendable, Hashable {
        /// Number of sales.
        public var sales: Int
        /// Their amount in fen.
        public var amount: Int64
        /// Of those, sales counted for more than one principal.
        public var sharedSales: Int

        /// Makes a total.
        public init(sales: Int, amount: Int64, sharedSales: Int) {
            self.sales = sales
            self.amount = amount
            self.sharedSales = sharedSales
        }
    }

    /// The first day of the period (inclusive).
    public var from: Day
    /// The last day of the period (inclusive).
    public var to: Day
    /// One line per principal: every registered manager, advisor and remote manager, and anyone a sale was
    /// attributed to; largest amount first, then by code.
    public var rows: [Row]
    /// The total without double counting.
    public var total: Total

    /// Makes a value (for the stores that compute it).
    package init(from: Day, to: Day, rows: [Row], total: Total) {
        self.from = from
        self.to = to
        self.rows = rows
        self.total = total
    }
}
