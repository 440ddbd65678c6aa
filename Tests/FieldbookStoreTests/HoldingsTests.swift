import FieldbookModel
import FieldbookStore
import Testing

/// The catalogue, holdings and agenda inputs read from real books.
@Suite("Products and holdings")
struct HoldingsTests {
    static func createProduct(_ book: Book, code: String, name: String, risk: String, prices: [String] = []) throws {
        try book.write { tx in
            let id = try tx.create(
                .product, scope: .global,
                fields: [
                    FieldAssignment(Schema.F.code, .text(code)), FieldAssignment(Schema.F.name, .text(name)),
                    FieldAssignment(Schema.F.productRisk, .text(risk)),
                ])
            for price in prices { try tx.add(id, Schema.F.prices, price) }
        }
    }

    @Test func theSameCodeAddedOnTwoDevicesOfflineIsOneProduct() throws {
        let manager = try memoryBook("M001", seed: 1)
        let advisor = try memoryBook("W001", seed: 2)
        try Self.createProduct(manager, code: "GF300", name: "沪深300", risk: "R3", prices: ["2026-11-20=1.1"])
        try Self.createProduct(advisor, code: "GF300", name: "沪深300指数", risk: "R4", prices: ["2026-11-21=1.2", "2026-11-20=1.1"])
        try exchange([manager, advisor])
        for book in [manager, advisor] {
            let products = try book.products()
            #expect(products.count == 1)
            let product = try #require(products.first)
            #expect(product.entities.count == 2)
            #expect(product.risk == "R4")
            // The earliest-created entity's name, the same on every replica.
            #expect(try product.name == manager.products().first?.name)
            #expect(product.hasDuplicates)
            #expect(product.history.map(\.element) == ["2026-11-20=1.1", "2026-11-21=1.2"])
            #expect(product.price(on: Day(year: 2026, month: 11, day: 20)!)?.price == 11_000)
            #expect(try book.product(code: "gf300")?.latest?.price == 12_000)
        }
        #expect(try manager.stateHash() == advisor.stateHash())
    }

    @Test func holdingsAndTheAgendaInputAreReadFromTheBook() throws {
        let book = try memoryBook()
        try Self.createProduct(book, code: "JX1", name: "稳健", risk: "R2", prices: ["2026-01-05=1.0"])
        let customer = try addCustomer(book, "王芳", [FieldAssignment(Schema.F.tier, .text("钻石"))])
        let day = Day(year: 2026, month: 6, day: 1)!
        try book.write { tx in
            try tx.create(
                .purchase, scope: .customer(customer),
                fields: [
                    FieldAssignment(Schema.F.product, .text("JX1")), FieldAssignment(Schema.F.amount, .money(50_0000_00)),
                    FieldAssignment(Schema.F.price, .decimal(10_000)), FieldAssignment(Schema.F.date, .date(day)),
                    FieldAssignment(Schema.F.stopLoss, .percent(-500)),
                ])
            try tx.create(
                .movement, scope: .customer(customer),
                fields: [FieldAssignment(Schema.F.amount, .money(-80_0000_00)), FieldAssignment(Schema.F.date, .date(day))])
        }
        let holdings = try book.holdings(customer: customer)
        #expect(holdings.count == 1)
        #expect(holdings.first?.amount == 50_0000_00)
        #expect(holdings.first?.stopLoss == -500)
        let input = try book.agendaInput()
        #expect(input.customers.map(\.name) == ["王芳"])
        #expect(input.customers.first?.tier == "钻石")
        #expect(input.holdings.count == 1)
        #expect(input.movements.map(\.amount) == [-80_0000_00])
        #expect(input.products["JX1"]?.latest?.price == 10_000)
    }

    @Test func settingsAreKeptInTheBook() throws {
        let book = try memoryBook()
        #expect(try book.agendaSettings() == AgendaSettings())
        var settings = AgendaSettings()
        try settings.apply(key: "cadence.钻石", value: "20")
        try settings.apply(key: "calls", value: "25")
        try settings.apply(key: "move", value: "8%")
        try book.saveAgendaSettings(settings)
        let read = try book.agendaSettings()
        #expect(read.cadenceDays["钻石"] == 20)
        #expect(read.callTarget == 25)
        #expect(read.moveBasisPoints == 800)
        #expect(throws: ModelError.self) { try settings.apply(key: "cadence.黄金", value: "20") }
        #expect(throws: ModelError.self) { try settings.apply(key: "calls", value: "lots") }
    }
}
