import FieldbookModel

/// A product of the catalogue as the shell sees it: one code, however many entities carry it.
///
/// Two devices may add the same code while offline; both product entities then exist. They are read as one product
/// (docs/DECISIONS.md, "Products"): the name and kind come from the earliest-created entity, the risk level is the
/// **highest** any of them states (suitability errs on the safe side), and the price histories are united.
///
/// ```swift
/// let product = try book.product(code: "JX2024A")
/// product?.price(on: today)   // (day, 1.0523 as 10523)
/// ```
public struct Product: Sendable, Hashable {
    /// One dated price.
    public struct PricePoint: Sendable, Hashable, Comparable {
        /// The day the price is for.
        public var day: Day
        /// Price with 4 decimals (1.0523 is 10523).
        public var price: Int64

        /// Makes a point.
        public init(day: Day, price: Int64) {
            self.day = day
            self.price = price
        }

        /// The set element that stores it: `2026-11-20=1.0523`.
        public var element: String { day.iso + "=" + FixedPoint.format(price, places: 4) }

        /// Parses a set element; `nil` for anything else.
        public init?(element: String) {
            let parts = element.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let day = try? Day.parse(String(parts[0]), today: Day(number: 0)),
                String(parts[0]).count == 10, let price = FixedPoint.parse(String(parts[1]), places: 4, allowNegative: false)
            else { return nil }
            self.init(day: day, price: price)
        }

        public static func < (lhs: PricePoint, rhs: PricePoint) -> Bool { (lhs.day, lhs.price) < (rhs.day, rhs.price) }
    }

    /// The code, as typed when the product was added (codes compare case-insensitively).
    public var code: String
    /// The display name.
    public var name: String
    /// The risk level `R1`–`R5`, if stated.
    public var risk: String?
    /// The kind (理财, 基金 …), if stated.
    public var kind: String?
    /// Every entity carrying this code, the one whose name is shown first.
    public var entities: [EntityID]
    /// The price history, oldest first.
    public var history: [PricePoint]
    /// Whether several entities carry this code with different names or risk levels.
    public var hasDuplicates: Bool

    /// Makes a product.
    public init(
        code: String, name: String, risk: String?, kind: String?, entities: [EntityID], history: [PricePoint],
        hasDuplicates: Bool = false
    ) {
        self.code = code
        self.name = name
        self.risk = risk
        self.kind = kind
        self.entities = entities
        self.history = history.sorted()
        self.hasDuplicates = hasDuplicates
    }

    /// The latest price dated on or before a day. For one day with two prices (entered on two devices) the higher
    /// one is taken, so that every replica reads the same.
    public func price(on day: Day) -> PricePoint? {
        history.last { $0.day <= day }
    }

    /// The latest price of all.
    public var latest: PricePoint? { history.last }

    /// The risk level as a number 1–5, if stated.
    public var riskLevel: Int? { risk.flatMap { Int($0.dropFirst()) } }

    /// The key a code is looked up by: upper case, no surrounding spaces.
    public static func key(_ code: String) -> String { code.trimmingSpaces().uppercased() }
}
