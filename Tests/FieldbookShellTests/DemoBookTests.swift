import FieldbookModel
import FieldbookShell
import FieldbookStore
import Testing

@Suite("The demo book")
struct DemoBookTests {
    static let today = Day(year: 2026, month: 11, day: 23)!
    static let actor = ActorID(hex: "0123456789abcdef0123456789abcdef")!

    static func field(_ name: String, _ kind: EntityKind) throws -> FieldID { try Schema.field(named: name, for: kind).id }

    @Test("the same seed and date make the same book; another seed makes another; the projections match the log")
    func deterministic() throws {
        let configuration = DemoBook.Configuration(seed: 7, today: Self.today, customers: 60)
        let (first, summary) = try DemoBook.inMemory(configuration, actor: Self.actor)
        let (second, again) = try DemoBook.inMemory(configuration, actor: Self.actor)
        #expect(summary == again)
        #expect(summary.customers == 60)
        #expect(try first.opCount() == summary.ops)
        #expect(try first.stateHash() == second.stateHash())
        #expect(try first.allOps() == second.allOps())
        #expect(try first.verifyProjections().isEmpty)

        var other = configuration
        other.seed = 8
        let (third, _) = try DemoBook.inMemory(other, actor: Self.actor)
        #expect(try third.stateHash() != first.stateHash())
        var later = configuration
        later.today = Self.today.adding(days: 1)
        let (fourth, _) = try DemoBook.inMemory(later, actor: Self.actor)
        #expect(try fourth.stateHash() != first.stateHash())
    }

    @Test("every section of today's agenda has something on the day the book was made for")
    func fullBook() throws {
        // The default is the 800 customers tools/run offers; 200 keep this test quick and show the same things.
        #expect(DemoBook.Configuration(today: Self.today).customers == 800)
        let count = 200
        let (book, summary) = try DemoBook.inMemory(DemoBook.Configuration(seed: 1, today: Self.today, customers: count))
        let today = Self.today
        #expect(summary.customers == count)
        #expect(try book.customerCount() == count)
        #expect(try book.verifyProjections().isEmpty)
        #expect(summary.products == 16)
        #expect(summary.worklogs > 10)

        let customers = try book.entities(kind: .customer)
        #expect(Set(customers.map { $0.text(Schema.F.name) }).count == count, "names are unique, so the tour can use them")
        #expect(customers.allSatisfy { IDNumber.isValid($0.text(Schema.F.idNumber)) })
        #expect(customers.allSatisfy { $0.value(Schema.F.owner) == .text("M001") })
        let tiers = Dictionary(grouping: customers) { $0.text(Schema.F.tier) }.mapValues(\.count)
        #expect(tiers.keys.sorted() == ["普通", "私人银行", "金葵花", "钻石"])
        #expect(customers.contains { !$0.sets[Schema.F.tags, default: []].isEmpty })

        // Birthdays: two customers today (one turning 60), others and family members within 7 days.
        func birthday(_ snapshot: EntitySnapshot) -> Day? { snapshot.value(Schema.F.birthday)?.day }
        func daysUntil(_ day: Day) -> Int {
            let (_, m, d) = day.civil
            let thisYear = Day(year: today.civil.year, month: m, day: min(d, Day.daysInMonth(year: today.civil.year, month: m)))!
            return Int(thisYear.number - today.number)
        }
        let birthdaysToday = customers.compactMap(birthday).filter { daysUntil($0) == 0 }
        #expect(birthdaysToday.count >= 2)
        #expect(birthdaysToday.contains { $0.civil.year == 1966 })
        #expect(customers.compactMap(birthday).filter { (1...7).contains(daysUntil($0)) }.count >= 3)
        let family = try book.entities(kind: .family)
        #expect(family.compactMap(birthday).contains { daysUntil($0) == 0 })
        #expect(family.compactMap(birthday).contains { (1...7).contains(daysUntil($0)) })

        // Maturities within 30 days, one of them on a weekend.
        let purchases = try book.entities(kind: .purchase)
        let matures = try Self.field("matures", .purchase)
        let maturing = purchases.compactMap { $0.value(matures)?.day }.filter { $0 >= today && $0 <= today.adding(days: 30) }
        #expect(maturing.count >= 4)
        #expect(maturing.contains { $0.weekday >= 6 })

        // Holdings past take-profit and stop-loss: current product price against the purchase price.
        let products = try book.entities(kind: .product)
        let code = try Self.field("code", .product)
        let price = try Self.field("price", .product)
        let current = Dictionary(uniqueKeysWithValues: products.map { ($0.text(code), $0.value(price)?.integer ?? 0) })
        let product = try Self.field("product", .purchase)
        let takeProfit = try Self.field("take_profit", .purchase)
        let stopLoss = try Self.field("stop_loss", .purchase)
        func change(_ purchase: EntitySnapshot) -> Int64? {
            guard let bought = purchase.value(price)?.integer, bought > 0,
                let now = current[purchase.text(product)]
            else { return nil }
            return (now - bought) * 10_000 / bought  // basis points
        }
        #expect(purchases.contains { p in
            guard let line = p.value(takeProfit)?.integer, let change = change(p) else { return false }
            return change >= line
        })
        #expect(purchases.contains { p in
            // Stored negative, as `buy` stores it.
            guard let line = p.value(stopLoss)?.integer, let change = change(p) else { return false }
            return line < 0 && change <= line
        })
        #expect(purchases.allSatisfy { ($0.value(stopLoss)?.integer).map { $0 < 0 } ?? true }, "stop-loss lines are negative")
        #expect(purchases.contains { !$0.text(try! Self.field("warning", .purchase)).isEmpty }, "suitability warnings")
        #expect(purchases.allSatisfy { current[$0.text(product)] != nil }, "every purchase names a catalogue product")

        // Large movements in the last 7 days.
        let amount = try Self.field("amount", .movement)
        let movements = try book.entities(kind: .movement).filter {
            guard let day = $0.value(Schema.F.date)?.day else { return false }
            return day >= today.adding(days: -6) && day <= today && abs($0.value(amount)?.integer ?? 0) >= 50_0000_00
        }
        #expect(movements.count >= 4)

        // Tasks due today and overdue, and not too many: the agenda stays readable at a glance.
        let open = try book.entities(kind: .task).filter { $0.value(Schema.F.done) != .bool(true) }
        let dueToday = open.filter { $0.value(Schema.F.due)?.day == today }
        let overdue = open.filter { ($0.value(Schema.F.due)?.day).map { $0 < today } ?? false }
        #expect(dueToday.count >= 2)
        #expect(overdue.count >= 3 && overdue.count <= 40, "\(overdue.count) overdue")

        // Customers past their cadence: some, not most.
        let contacts = try book.entities(kind: .contact)
        var last: [EntityID: Day] = [:]
        for contact in contacts {
            guard let customer = contact.scope.customer, let day = contact.value(Schema.F.date)?.day else { continue }
            last[customer] = max(last[customer] ?? day, day)
        }
        let settings = AgendaSettings()
        let lapsed = customers.filter { customer in
            let cadence = settings.cadence(tier: customer.text(Schema.F.tier), familiarity: customer.text(Schema.F.familiarity))
            return AgendaSettings.isDue(daysSince: last[customer.id].map { Int(today.number - $0.number) }, cadence: cadence)
        }
        #expect(lapsed.count >= 5 && lapsed.count <= count / 8, "\(lapsed.count) past their cadence")

        // Open complaints, and calls already made today.
        let complaints = try book.entities(kind: .complaint)
        #expect(complaints.filter { $0.value(Schema.F.status) == .text("open") }.count >= 3)
        #expect(complaints.contains { $0.value(Schema.F.status) == .text("closed") && !$0.text(Schema.F.resolution).isEmpty })
        let callsToday = contacts.filter { $0.value(Schema.F.date)?.day == today && $0.value(Schema.F.channel) == .text("call") }
        #expect(callsToday.count >= 3)
        #expect(contacts.allSatisfy { ($0.value(Schema.F.date)?.day).map { $0 <= today } ?? false }, "nothing in the future")

        // The agenda itself, as `today` computes it from the book, has something in every section: the demo writes
        // products, prices, purchases and the work log the way the Store reads them.
        let agenda = Agenda(input: try book.agendaInput(), day: today, settings: try book.agendaSettings())
        #expect(agenda.plan.count == 3, "yesterday's plan is today's call list")
        #expect(agenda.complaints.count >= 3)
        #expect(agenda.tasks.contains { $0.due == today } && agenda.tasks.contains { $0.due < today })
        #expect(agenda.alerts.contains { $0.kind == .takeProfit } && agenda.alerts.contains { $0.kind == .stopLoss })
        #expect(agenda.movements.count >= 4)
        #expect(agenda.birthdays.contains { $0.daysAway == 0 && $0.relation == nil && $0.isRound })
        #expect(agenda.birthdays.contains { $0.daysAway == 0 && $0.relation != nil })
        #expect(agenda.birthdays.contains { $0.daysAway > 0 && $0.relation == nil })
        #expect(agenda.birthdays.contains { $0.daysAway > 0 && $0.relation != nil })
        #expect(agenda.maturities.count >= 4 && agenda.maturities.contains { $0.day.weekday >= 6 })
        #expect(!agenda.overdueContacts.isEmpty)
        #expect(agenda.callsToday >= 3)
        let holdings = try book.holdings(customer: try #require(agenda.alerts.first).holding.customer)
        #expect(holdings.contains { h in
            agenda.products[Product.key(h.code)]?.price(on: today).flatMap { h.valuation(current: $0.price) } != nil
        }, "holdings are valued from the product's price history")
        #expect(try book.workLog().contains { !$0.isPlan && $0.day >= today.adding(days: -7) }, "journal entries")
    }

    @Test("bad configurations are refused before anything is written")
    func refused() throws {
        #expect(throws: StoreError.self) { try DemoBook.inMemory(DemoBook.Configuration(today: Self.today, customers: 0)) }
        #expect(throws: StoreError.self) {
            try DemoBook.inMemory(DemoBook.Configuration(principal: "M 001", today: Self.today, customers: 5))
        }
        let (small, summary) = try DemoBook.inMemory(DemoBook.Configuration(today: Self.today, customers: 1))
        #expect(summary.customers == 1)
        #expect(try small.verifyProjections().isEmpty)
    }
}
