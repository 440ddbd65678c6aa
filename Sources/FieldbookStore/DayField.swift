import FieldbookModel

/// The field numbers that products, holdings, movements, the agenda and the work log name directly.
///
/// They complement ``Schema/F`` (customer, contact and task fields) for the manager's day; the numbers are the
/// schema's and never change.
///
/// ```swift
/// let amount = purchase.value(DayField.amount)?.integer   // fen
/// ```
public enum DayField {
    /// Customer familiarity, `A` `B` `C`.
    public static let familiarity = FieldID(rawValue: 13)
    /// Customer risk assessment `C1`–`C5`.
    public static let customerRisk = FieldID(rawValue: 16)
    /// The day of the customer's risk assessment.
    public static let riskDate = FieldID(rawValue: 17)
    /// The product code of a purchase.
    public static let product = FieldID(rawValue: 40)
    /// Money of a purchase or a movement (a movement's is signed).
    public static let amount = FieldID(rawValue: 41)
    /// A purchase price, or a product's latest price.
    public static let price = FieldID(rawValue: 42)
    /// Expected return of a purchase, in basis points.
    public static let expected = FieldID(rawValue: 44)
    /// Take-profit line of a purchase, in basis points.
    public static let takeProfit = FieldID(rawValue: 45)
    /// Stop-loss line of a purchase, in basis points (stored negative).
    public static let stopLoss = FieldID(rawValue: 46)
    /// Maturity day of a purchase.
    public static let matures = FieldID(rawValue: 47)
    /// The suitability warning recorded with a purchase.
    public static let warning = FieldID(rawValue: 48)
    /// A product's code.
    public static let code = FieldID(rawValue: 80)
    /// A product's risk level `R1`–`R5`.
    public static let productRisk = FieldID(rawValue: 81)
    /// A product's kind (free text: 理财, 基金, 保险 …).
    public static let kind = FieldID(rawValue: 82)
    /// The day of a product's latest price.
    public static let priceDate = FieldID(rawValue: 83)
    /// A product's price history, a set of `YYYY-MM-DD=price` elements.
    public static let prices = FieldID(rawValue: 84)
    /// The customer (entity ID text) of a plan entry in the work log.
    public static let customer = FieldID(rawValue: 90)
    /// What a work-log entry is: `journal` or `plan`.
    public static let entry = FieldID(rawValue: 91)
}
