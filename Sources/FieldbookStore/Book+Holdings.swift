import FieldbookModel
import Foundation
import GRDB

/// The product catalogue (global scope) and customers' holdings (their purchases, valued at the latest price).
extension Book {
    /// The catalogue, sorted by code. Entities sharing a code are one ``Product``.
    public func products() throws(StoreError) -> [Product] {
        try read { db in try products(db: db) }
    }

    /// The product with a code (case-insensitive), or `nil`.
    public func product(code: String) throws(StoreError) -> Product? {
        let key = Product.key(code)
        return try products().first { Product.key($0.code) == key }
    }

    /// The purchases of one customer, oldest first.
    public func holdings(customer: EntityID) throws(StoreError) -> [Holding] {
        try read { db in try holdings(scope: .customer(customer), db: db) }
    }

    /// Every purchase of the book made on a day (by anyone), for the work log.
    public func purchases(on day: Day) throws(StoreError) -> [Holding] {
        try read { db in try holdings(scope: nil, db: db).filter { $0.date == day } }
    }

    static let productFields = [Schema.F.name, Schema.F.code, Schema.F.productRisk, Schema.F.kind]

    func products(db: Database) throws -> [Product] {
        let entities = try rows(kind: .product, fields: Self.productFields, db: db).filter {
            !$0.archived && !($0.text(Schema.F.code) ?? "").isEmpty
        }
        var prices: [EntityID: [Product.PricePoint]] = [:]
        let elements = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT DISTINCT entity, element FROM set_add WHERE field = ?"),
            arguments: [Int(Schema.F.prices.rawValue)])
        for element in elements {
            guard let id = EntityID(bytes: Array(element["entity"] as Data)),
                let point = Product.PricePoint(element: element["element"])
            else { continue }
            prices[id, default: []].append(point)
        }
        // `rows` come oldest first, so the first of a code is the one whose name is shown.
        var order: [String] = []
        var groups: [String: [FieldRow]] = [:]
        for row in entities {
            let key = Product.key(row.text(Schema.F.code)!)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(row)
        }
        return order.sorted().map { key in
            let group = groups[key]!
            let first = group[0]
            let risks = group.compactMap { $0.text(Schema.F.productRisk) }
            let names = Set(group.compactMap { $0.text(Schema.F.name) })
            return Product(
                code: first.text(Schema.F.code)!, name: first.text(Schema.F.name) ?? "", risk: risks.max(),
                kind: group.lazy.compactMap { $0.text(Schema.F.kind) }.first, entities: group.map(\.id),
                history: Array(Set(group.flatMap { prices[$0.id] ?? [] })),
                hasDuplicates: names.count > 1 || Set(risks).count > 1)
        }
    }

    func holdings(scope: Scope?, db: Database) throws -> [Holding] {
        let fields = [
            Schema.F.product, Schema.F.amount, Schema.F.price, Schema.F.date, Schema.F.expected, Schema.F.takeProfit,
            Schema.F.stopLoss, Schema.F.matures, Schema.F.warning,
        ]
        return try rows(kind: .purchase, fields: fields, scope: scope, db: db).compactMap { row in
            guard !row.archived, let customer = row.scope.customer, let code = row.text(Schema.F.product),
                let amount = row.integer(Schema.F.amount)
            else { return nil }
            return Holding(
                purchase: row.id, customer: customer, code: code, amount: amount, price: row.integer(Schema.F.price),
                date: row.day(Schema.F.date) ?? day(of: row.created), expected: row.integer(Schema.F.expected),
                takeProfit: row.integer(Schema.F.takeProfit), stopLoss: row.integer(Schema.F.stopLoss),
                matures: row.day(Schema.F.matures), warning: row.text(Schema.F.warning), author: row.author)
        }
    }
}

extension BookTransaction {
    /// The product entities carrying a code, oldest first: inside a change, so that `product` updates the entity
    /// whose name is shown rather than adding a duplicate.
    public func productEntities(code: String) throws -> [EntityID] {
        let key = Product.key(code)
        return try book.rows(kind: .product, fields: [Schema.F.code], db: db)
            .filter { !$0.archived && Product.key($0.text(Schema.F.code) ?? "") == key }.map(\.id)
    }

    /// Resolves a product code to its catalogue entry inside a change.
    public func product(code: String) throws -> Product? {
        let key = Product.key(code)
        return try book.products(db: db).first { Product.key($0.code) == key }
    }
}
