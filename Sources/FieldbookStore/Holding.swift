import FieldbookModel

/// A customer's purchase of a product and its value on a day: the card's holdings and the agenda's alerts.
///
/// Profit and loss follow the price: the purchase bought `amount / price` units, worth `amount × current / price`
/// now. Comparisons with the take-profit and stop-loss lines are exact (integer cross-multiplication), so a holding
/// exactly on its line has crossed it.
///
/// ```swift
/// let h = Holding(purchase: id, customer: c, code: "JX1", amount: 10_000_000, price: 10_000, date: d)
/// h.valuation(current: 11_000)?.returnBasisPoints   // 1000 (10%)
/// ```
public struct Holding: Sendable, Hashable {
    /// The purchase entity.
    public var purchase: EntityID
    /// The customer.
    public var customer: EntityID
    /// The product code.
    public var code: String
    /// Money paid, in fen.
    public var amount: Int64
    /// The purchase price (4 decimals), if known.
    public var price: Int64?
    /// The purchase day.
    public var date: Day
    /// Expected return, basis points.
    public var expected: Int64?
    /// Take-profit line, basis points (positive).
    public var takeProfit: Int64?
    /// Stop-loss line, basis points (negative, or zero).
    public var stopLoss: Int64?
    /// Maturity day.
    public var matures: Day?
    /// The suitability warning recorded at purchase, if any.
    public var warning: String?
    /// Who recorded the purchase.
    public var author: String

    /// Makes a holding.
    public init(
        purchase: EntityID, customer: EntityID, code: String, amount: Int64, price: Int64?, date: Day,
        expected: Int64? = nil, takeProfit: Int64? = nil, stopLoss: Int64? = nil, matures: Day? = nil,
        warning: String? = nil, author: String = ""
    ) {
        self.purchase = purchase
        self.customer = customer
        self.code = code
        self.amount = amount
        self.price = price
        self.date = date
        self.expected = expected
        self.takeProfit = takeProfit
        self.stopLoss = stopLoss.map { -abs($0) }
        self.matures = matures
        self.warning = warning
        self.author = author
    }

    /// The value of a holding at a price.
    public struct Valuation: Sendable, Hashable {
        /// The price used (4 decimals).
        public var current: Int64
        /// The value in fen.
        public var value: Int64
        /// Profit (negative: loss) in fen.
        public var profit: Int64
        /// Return in basis points, rounded half away from zero.
        public var returnBasisPoints: Int64
        /// Whether the return is at or above the take-profit line.
        public var tookProfit: Bool
        /// Whether the return is at or below the stop-loss line.
        public var stoppedLoss: Bool
    }

    /// The valuation at a current price; `nil` when the purchase price is unknown.
    public func valuation(current: Int64) -> Valuation? {
        guard let price, price > 0 else { return nil }
        let value = Self.scale(amount, by: current, over: price)
        let difference = current - price
        let took = takeProfit.map { difference * 10_000 >= $0 * price } ?? false
        let stopped = stopLoss.map { difference * 10_000 <= $0 * price } ?? false
        return Valuation(
            current: current, value: value, profit: value - amount,
            returnBasisPoints: Self.scale(10_000, by: difference, over: price), tookProfit: took, stoppedLoss: stopped)
    }

    /// Whether the holding has matured by a day (it is then no longer watched for price lines).
    public func hasMatured(by day: Day) -> Bool { matures.map { $0 < day } ?? false }

    /// `a × b / c`, rounded half away from zero, without overflow for amounts up to 10 trillion yuan.
    static func scale(_ a: Int64, by b: Int64, over c: Int64) -> Int64 {
        let product = a.multipliedFullWidth(by: b)
        let (quotient, remainder) = c.dividingFullWidth(product)
        // Round half away from zero: compare twice the remainder with the divisor.
        if remainder.magnitude * 2 >= c.magnitude {
            return quotient + ((a < 0) != (b < 0) ? -1 : 1) * ((c < 0) ? -1 : 1)
        }
        return quotient
    }
}
