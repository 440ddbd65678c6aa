import FieldbookModel
import FieldbookStore
import Testing

/// The agenda rules on fixed dates, computed by the pure ``Agenda`` from hand-built inputs.
@Suite("Agenda rules")
struct AgendaTests {
    static func id(_ n: UInt8) -> EntityID { EntityID(bytes: [UInt8](repeating: n, count: 15) + [n])! }
    static func day(_ text: String) -> Day { try! Day.parse(text, today: Day(number: 0)) }

    static func customer(
        _ n: UInt8, _ name: String, tier: String? = nil, familiarity: String? = nil, birthday: String? = nil,
        created: String = "2020-01-01"
    ) -> AgendaInput.Customer {
        AgendaInput.Customer(
            id: id(n), name: name, tier: tier, familiarity: familiarity, birthday: birthday.map(day), created: day(created))
    }

    /// An input whose customers were all contacted on `contacted` (so that cadence does not interfere).
    static func input(_ customers: [AgendaInput.Customer], contacted: String) -> AgendaInput {
        var input = AgendaInput(principal: "M001")
        input.customers = customers
        input.contacts = customers.map {
            AgendaInput.Contact(customer: $0.id, day: day(contacted), channel: "visit", author: "M001")
        }
        return input
    }

    // MARK: - Birthdays

    @Test func leapDayBirthdayIsKeptOnTheTwentyEighthInAYearWithoutOne() {
        let input = Self.input([Self.customer(1, "林", birthday: "1996-02-29")], contacted: "2027-02-20")
        let onTheDay = Agenda(input: input, day: Self.day("2027-02-28"))
        #expect(onTheDay.birthdays.map(\.daysAway) == [0])
        #expect(onTheDay.birthdays.first?.day == Self.day("2027-02-28"))
        #expect(onTheDay.birthdays.first?.age == 31)
        #expect(Agenda(input: input, day: Self.day("2027-02-21")).birthdays.map(\.daysAway) == [7])
        #expect(Agenda(input: input, day: Self.day("2027-02-20")).birthdays.isEmpty)
        #expect(Agenda(input: input, day: Self.day("2027-03-01")).birthdays.isEmpty)
        // In a leap year it is the 29th again.
        let leap = Agenda(input: input, day: Self.day("2028-02-28"))
        #expect(leap.birthdays.first?.day == Self.day("2028-02-29"))
        #expect(leap.birthdays.first?.daysAway == 1)
    }

    @Test func birthdayTodayAndInSevenDaysButNotEight() {
        let input = Self.input(
            [
                Self.customer(1, "今天", birthday: "1966-11-23"), Self.customer(2, "七天", birthday: "1980-11-30"),
                Self.customer(3, "八天", birthday: "1980-12-01"), Self.customer(4, "昨天", birthday: "1980-11-22"),
            ], contacted: "2026-11-20")
        let agenda = Agenda(input: input, day: Self.day("2026-11-23"))
        #expect(agenda.birthdays.map(\.name) == ["今天", "七天"])
        #expect(agenda.birthdays.map(\.daysAway) == [0, 7])
        #expect(agenda.birthdays[0].age == 60)
        #expect(agenda.birthdays[0].isRound)
        #expect(agenda.birthdays[1].age == 46)
        #expect(!agenda.birthdays[1].isRound)
    }

    @Test func familyBirthdaysAreShownWithTheirCustomer() {
        var input = Self.input([Self.customer(1, "王芳", birthday: "1975-03-08")], contacted: "2026-11-20")
        input.family = [
            AgendaInput.FamilyMember(customer: Self.id(1), name: "李小雨", relation: "女儿", birthday: Self.day("2006-11-25")),
            // A family member of a customer who is not in the (active) book is not shown.
            AgendaInput.FamilyMember(customer: Self.id(9), name: "外人", relation: "儿子", birthday: Self.day("2006-11-25")),
        ]
        let agenda = Agenda(input: input, day: Self.day("2026-11-23"))
        #expect(agenda.birthdays.count == 1)
        #expect(agenda.birthdays[0].customer == Self.id(1))
        #expect(agenda.birthdays[0].relation == "女儿")
        #expect(agenda.birthdays[0].age == 20)
        #expect(agenda.birthdays[0].daysAway == 2)
    }

    @Test func birthdaysRollOverTheYearEnd() {
        let input = Self.input(
            [
                Self.customer(1, "元旦后", birthday: "1980-01-03"), Self.customer(2, "太远", birthday: "1980-01-05"),
                Self.customer(3, "年底", birthday: "1970-12-31"),
            ], contacted: "2026-12-20")
        let agenda = Agenda(input: input, day: Self.day("2026-12-28"))
        #expect(agenda.birthdays.map(\.name) == ["年底", "元旦后"])
        #expect(agenda.birthdays[0].day == Self.day("2026-12-31"))
        #expect(agenda.birthdays[0].age == 56)
        #expect(agenda.birthdays[1].day == Self.day("2027-01-03"))
        #expect(agenda.birthdays[1].daysAway == 6)
        #expect(agenda.birthdays[1].age == 47)
    }

    // MARK: - Holdings

    static func holding(
        _ n: UInt8, customer: UInt8 = 1, price: Int64 = 10_000, date: String = "2026-06-01", takeProfit: Int64? = nil,
        stopLoss: Int64? = nil, matures: String? = nil
    ) -> Holding {
        Holding(
            purchase: id(100 + n), customer: id(customer), code: "P\(n)", amount: 100_000_00, price: price,
            date: day(date), takeProfit: takeProfit, stopLoss: stopLoss, matures: matures.map(day))
    }

    static func product(_ n: UInt8, prices: [(String, Int64)]) -> Product {
        Product(
            code: "P\(n)", name: "产品\(n)", risk: "R3", kind: nil, entities: [id(200 + n)],
            history: prices.map { Product.PricePoint(day: day($0.0), price: $0.1) })
    }

    @Test func maturityOnAWeekendIsActedOnTheFridayBefore() {
        var input = Self.input([Self.customer(1, "王芳")], contacted: "2026-11-20")
        input.holdings = [
            Self.holding(1, matures: "2026-12-05"),  // Saturday
            Self.holding(2, matures: "2026-12-06"),  // Sunday
            Self.holding(3, matures: "2026-12-23"),  // the 30th day: shown
            Self.holding(4, matures: "2026-12-24"),  // the 31st: not yet
            Self.holding(5, matures: "2026-11-22"),  // yesterday: past
        ]
        let agenda = Agenda(input: input, day: Self.day("2026-11-23"))
        #expect(agenda.maturities.map(\.holding.code) == ["P1", "P2", "P3"])
        #expect(agenda.maturities[0].actBy == Self.day("2026-12-04"))
        #expect(agenda.maturities[1].actBy == Self.day("2026-12-04"))
        #expect(agenda.maturities[2].actBy == Self.day("2026-12-23"))
        #expect(agenda.maturities[2].daysAway == 30)
        // On the Saturday itself, a Sunday maturity is acted on today, not on a Friday already past.
        let saturday = Agenda(input: input, day: Self.day("2026-12-05"))
        #expect(saturday.maturities.first { $0.holding.code == "P2" }?.actBy == Self.day("2026-12-05"))
    }

    @Test func takeProfitAndStopLossExactlyOnTheLine() {
        var input = Self.input([Self.customer(1, "王芳")], contacted: "2026-11-20")
        input.holdings = [
            Self.holding(1, takeProfit: 10_00),  // on the line at 1.1000
            Self.holding(2, takeProfit: 10_00),  // just under at 1.0999
            Self.holding(3, stopLoss: -5_00),  // on the line at 0.9500
            Self.holding(4, stopLoss: 5_00),  // typed without a sign: the same line
            Self.holding(5, stopLoss: -5_00),  // just above at 0.9501
        ]
        input.products = [
            "P1": Self.product(1, prices: [("2026-11-20", 11_000)]),
            "P2": Self.product(2, prices: [("2026-11-20", 10_999)]),
            "P3": Self.product(3, prices: [("2026-11-20", 9_500)]),
            "P4": Self.product(4, prices: [("2026-11-20", 9_500)]),
            "P5": Self.product(5, prices: [("2026-11-20", 9_501)]),
        ]
        var settings = AgendaSettings()
        settings.moveBasisPoints = 50_00  // keep the move rule out of this test
        let agenda = Agenda(input: input, day: Self.day("2026-11-23"), settings: settings)
        let kinds = Dictionary(uniqueKeysWithValues: agenda.alerts.map { ($0.holding.code, $0.kind) })
        #expect(kinds == ["P1": .takeProfit, "P3": .stopLoss, "P4": .stopLoss])
        #expect(agenda.alerts.first?.kind == .stopLoss)
        #expect(agenda.alerts.first { $0.holding.code == "P1" }?.valuation.returnBasisPoints == 10_00)
        #expect(agenda.alerts.first { $0.holding.code == "P1" }?.valuation.profit == 10_000_00)
        // A price dated after the agenda's day is not used.
        #expect(Agenda(input: input, day: Self.day("2026-11-19"), settings: settings).alerts.isEmpty)
    }

    @Test func priceMovedSinceTheLastContact() {
        var input = AgendaInput(principal: "M001")
        input.customers = [Self.customer(1, "王芳")]
        input.contacts = [AgendaInput.Contact(customer: Self.id(1), day: Self.day("2026-11-10"), channel: "call", author: "M001")]
        input.holdings = [Self.holding(1, date: "2026-06-01"), Self.holding(2, date: "2026-06-01")]
        input.products = [
            // 1.0000 at the contact, 1.0500 now: +5% is exactly the default threshold.
            "P1": Self.product(1, prices: [("2026-11-09", 10_000), ("2026-11-20", 10_500)]),
            // 1.0000 → 1.0499: under it.
            "P2": Self.product(2, prices: [("2026-11-09", 10_000), ("2026-11-20", 10_499)]),
        ]
        let agenda = Agenda(input: input, day: Self.day("2026-11-23"))
        #expect(agenda.alerts.map(\.holding.code) == ["P1"])
        #expect(agenda.alerts[0].kind == .moved)
        #expect(agenda.alerts[0].changeBasisPoints == 5_00)
        #expect(agenda.alerts[0].since == Self.day("2026-11-10"))
    }

    // MARK: - Cadence

    @Test func cadencePerTierAndFamiliarity() {
        func last(_ n: UInt8, _ daysAgo: Int) -> AgendaInput.Contact {
            AgendaInput.Contact(
                customer: Self.id(n), day: Self.day("2026-11-23").adding(days: -daysAgo), channel: "call", author: "M001")
        }
        var input = AgendaInput(principal: "M001")
        input.customers = [
            Self.customer(1, "钻石30", tier: "钻石"), Self.customer(2, "钻石29", tier: "钻石"),
            Self.customer(3, "私行C15", tier: "私人银行", familiarity: "C"), Self.customer(4, "私行C14", tier: "私人银行", familiarity: "C"),
            Self.customer(5, "金葵花60", tier: "金葵花"), Self.customer(6, "金葵花C30", tier: "金葵花", familiarity: "C"),
            Self.customer(7, "普通89"), Self.customer(8, "普通C60", familiarity: "C"), Self.customer(9, "普通A60", tier: "普通", familiarity: "A"),
            Self.customer(10, "新客户", tier: "钻石", created: "2026-11-01"),
            Self.customer(11, "从未联系", tier: "钻石", created: "2026-10-01"),
        ]
        input.contacts = [
            last(1, 30), last(2, 29), last(3, 15), last(4, 14), last(5, 60), last(6, 30), last(7, 89), last(8, 60), last(9, 60),
        ]
        let agenda = Agenda(input: input, day: Self.day("2026-11-23"))
        let names = agenda.overdueContacts.map { agenda.names[$0.customer]! }
        #expect(Set(names) == ["钻石30", "私行C15", "金葵花60", "金葵花C30", "普通C60", "从未联系"])
        // The most overdue relative to the cadence first: never contacted for 53 days of a 30-day cadence.
        #expect(names.first == "从未联系")
        #expect(agenda.overdueContacts.first?.lastContact == nil)
        #expect(agenda.overdueContacts.first { $0.customer == Self.id(3) }?.cadence == 15)
        #expect(agenda.overdueContacts.first { $0.customer == Self.id(8) }?.cadence == 60)

        // Per book: a tighter diamond cadence.
        var settings = AgendaSettings()
        try? settings.apply(key: "cadence.diamond", value: "20")
        let tighter = Agenda(input: input, day: Self.day("2026-11-23"), settings: settings)
        #expect(tighter.overdueContacts.contains { $0.customer == Self.id(2) })
        #expect(tighter.overdueContacts.contains { $0.customer == Self.id(10) })
        // 私人银行 stays 30, so its C customers tighten to 20 now (the next shorter cadence).
        #expect(settings.cadence(tier: "私人银行", familiarity: "C") == 20)
        #expect(settings.cadence(tier: "钻石", familiarity: "C") == 10)
    }

    @Test func defaultCadences() {
        let settings = AgendaSettings()
        #expect(settings.cadence(tier: "私人银行", familiarity: nil) == 30)
        #expect(settings.cadence(tier: "钻石", familiarity: "A") == 30)
        #expect(settings.cadence(tier: "钻石", familiarity: "C") == 15)
        #expect(settings.cadence(tier: "金葵花", familiarity: "B") == 60)
        #expect(settings.cadence(tier: "金葵花", familiarity: "C") == 30)
        #expect(settings.cadence(tier: nil, familiarity: nil) == 90)
        #expect(settings.cadence(tier: "普通", familiarity: "C") == 60)
        #expect(settings.callTarget == 20)
    }

    // MARK: - Calls, tasks, movements, plan

    @Test func callCounterCountsOwnCallsOfTheDay() {
        var input = Self.input([Self.customer(1, "王芳"), Self.customer(2, "李明")], contacted: "2026-11-01")
        let today = Self.day("2026-11-23")
        input.contacts += [
            AgendaInput.Contact(customer: Self.id(1), day: today, channel: "call", author: "M001"),
            AgendaInput.Contact(customer: Self.id(2), day: today, channel: "call", author: "M001"),
            AgendaInput.Contact(customer: Self.id(1), day: today, channel: "call", author: "M001"),
            AgendaInput.Contact(customer: Self.id(1), day: today, channel: "visit", author: "M001"),
            AgendaInput.Contact(customer: Self.id(1), day: today.adding(days: -1), channel: "call", author: "M001"),
            AgendaInput.Contact(customer: Self.id(2), day: today, channel: "call", author: "W001"),
        ]
        #expect(Agenda(input: input, day: today).callsToday == 3)
        #expect(Agenda(input: input, day: today.adding(days: -1)).callsToday == 1)
        #expect(Agenda(input: input, day: today.adding(days: 1)).callsToday == 0)
    }

    @Test func tasksDueAndOverdueMovementsOfTheWeekAndThePlan() {
        var input = Self.input([Self.customer(1, "王芳"), Self.customer(2, "李明")], contacted: "2026-11-20")
        let today = Self.day("2026-11-23")
        input.tasks = [
            AgendaInput.Task(id: Self.id(31), customer: Self.id(1), text: "明天", due: today.adding(days: 1)),
            AgendaInput.Task(id: Self.id(32), customer: nil, text: "今天", due: today),
            AgendaInput.Task(id: Self.id(33), customer: Self.id(2), text: "逾期", due: today.adding(days: -3)),
        ]
        input.movements = [
            AgendaInput.Movement(id: Self.id(41), customer: Self.id(1), amount: -80_0000_00, day: today.adding(days: -6)),
            AgendaInput.Movement(id: Self.id(42), customer: Self.id(2), amount: 50_0000_00, day: today.adding(days: -7)),
            AgendaInput.Movement(id: Self.id(43), customer: Self.id(2), amount: 30_0000_00, day: today),
        ]
        input.plan = [
            AgendaInput.PlanItem(id: Self.id(51), customer: Self.id(2), day: today, text: "续作"),
            AgendaInput.PlanItem(id: Self.id(52), customer: Self.id(1), day: today.adding(days: 1)),
        ]
        let agenda = Agenda(input: input, day: today)
        #expect(agenda.tasks.map(\.text) == ["逾期", "今天"])
        #expect(agenda.movements.map(\.id) == [Self.id(43), Self.id(41)])
        #expect(agenda.plan.map(\.customer) == [Self.id(2)])
        #expect(agenda.plan.first?.text == "续作")
    }

    @Test func holdingValuationRounds() {
        let h = Self.holding(1, price: 10_523)
        let v = h.valuation(current: 10_000)!
        // 10万 × 1.0000 / 1.0523 = 95,029.93
        #expect(v.value == 9_502_993)
        #expect(v.returnBasisPoints == -497)
    }
}
