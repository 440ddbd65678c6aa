import FieldbookModel
import FieldbookStore

/// The year of a demo book, planned from the seed before anything is written, then replayed day by day
/// (``DemoBook``).
///
/// Only arrays are iterated (never a `Set` or a `Dictionary`, whose order changes from run to run), and every random
/// number comes from one ``SplitMix64`` through ``DemoRandom``'s own arithmetic, so the plan is the same on every
/// run and every Swift version.
struct DemoPlan {
    /// One customer as planned.
    struct Customer {
        var name: String
        var male: Bool
        var birthday: Day
        var group: Int
        var tier: String
        var familiarity: String
        var stage: String
        var risk: Int
        var riskDate: Day
        var aum: Int64
        var income: Int64
        var district: Int
        var occupation: String
        var education: String
        var contactTime: String
        var phone: String
        var address: String
        var note: String?
        var tags: [String]
        var acquired: Day
        var family: [Family]
    }

    /// A family member as planned.
    struct Family {
        var name: String
        var relation: String
        var male: Bool
        var birthday: Day
        var phone: String?
    }

    /// One write, at a time of a day.
    private struct Item {
        var day: Day
        var minute: Int
        var order: Int
        var apply: (BookTransaction, inout DemoBook.Summary) throws -> Void
    }

    /// Entity IDs made so far, filled in as the year is replayed.
    private final class Made {
        var customers: [EntityID?]
        var products: [EntityID?]
        /// Tasks and complaints that a later day changes, by their key in the plan.
        var keyed: [Int: EntityID] = [:]

        init(customers: Int, products: Int) {
            self.customers = Array(repeating: nil, count: customers)
            self.products = Array(repeating: nil, count: products)
        }
    }

    let configuration: DemoBook.Configuration
    private var random: DemoRandom
    private(set) var customers: [Customer] = []
    private var items: [Item] = []
    private let made: Made
    /// Price points of each product: (day, price) in day order.
    private var prices: [[(day: Day, price: Int64)]] = []
    /// Contacts planned per day, by channel, for the work log.
    private var contactsByDay: [Day: [String: Int]] = [:]
    /// The next key for ``Made/keyed``.
    private var nextKey = 0

    private var today: Day { configuration.today }
    /// The first day of the replayed year.
    private var start: Day { configuration.today.adding(days: -365) }

    init(_ configuration: DemoBook.Configuration) {
        self.configuration = configuration
        random = DemoRandom(seed: configuration.seed)
        made = Made(customers: configuration.customers, products: DemoCatalogue.products.count)
        planCustomers()
        forceBirthdays()
        planCreations()
        planProducts()
        for index in customers.indices {
            planPurchases(index)
            planContacts(index)
            planMovements(index)
        }
        planComplaints()
        planAgenda()
        planWorklog()
    }

    /// Unix milliseconds of a minute after 09:00 on a day in the configured time zone.
    static func milliseconds(_ day: Day, minute: Int, _ configuration: DemoBook.Configuration) -> UInt64 {
        let seconds = Int64(day.number) * 86_400 - Int64(configuration.utcOffsetSeconds) + Int64(9 * 60 + minute) * 60
        return UInt64(max(0, seconds) * 1000)
    }

    /// Replays the plan into a book, one transaction per day, the clock following the events.
    func write(into book: Book, clock: DemoClock) throws -> DemoBook.Summary {
        let ordered = items.sorted { ($0.day, $0.minute, $0.order) < ($1.day, $1.minute, $1.order) }
        var summary = DemoBook.Summary()
        var index = 0
        while index < ordered.count {
            let day = ordered[index].day
            var end = index
            while end < ordered.count, ordered[end].day == day { end += 1 }
            let batch = ordered[index..<end]
            let written = try book.write { tx in
                for item in batch {
                    clock.set(Self.milliseconds(item.day, minute: item.minute, configuration))
                    try item.apply(tx, &summary)
                }
                return tx.appended.count
            }
            summary.ops += written
            index = end
        }
        return summary
    }

    private mutating func schedule(
        _ day: Day, minute: Int, _ apply: @escaping (BookTransaction, inout DemoBook.Summary) throws -> Void
    ) {
        // The book is made for the morning of `today`: what happens that day happens before 09:50, so that the
        // user's first changes come after it.
        let minute = day == today ? min(minute, 50) : minute
        items.append(Item(day: day, minute: minute, order: items.count, apply: apply))
    }

    // MARK: - Customers

    private mutating func planCustomers() {
        var used = Set<String>()
        let weights = DemoCatalogue.groups.map(\.weight)
        for _ in 0..<configuration.customers {
            let group = random.weighted(weights)
            let male = random.chance(50)
            var name = ""
            for attempt in 0..<60 {
                name = personName(male: male, surname: nil)
                if attempt > 40 { name += random.pick(male ? DemoCatalogue.maleGiven : DemoCatalogue.femaleGiven) }
                if used.insert(name).inserted { break }
            }
            let age = random.int(DemoCatalogue.groups[group].ages)
            var tierIndex = random.weighted([55, 30, 11, 4])
            if DemoCatalogue.groups[group].name == CustomerGroup.owner.rawValue, random.chance(50) { tierIndex = min(3, tierIndex + 1) }
            let tier = Tier.allCases[tierIndex].rawValue
            let aumYuan: Int64 =
                switch tierIndex {
                case 0: Int64(random.int(1...49)) * 10_000
                case 1: Int64(random.int(50...499)) * 10_000
                case 2: Int64(random.int(500...999)) * 10_000
                default: Int64(random.int(1000...8000)) * 10_000
                }
            let familiarity = ["A", "B", "C"][random.weighted([25, 45, 30])]
            let stages: [String] =
                switch familiarity {
                case "A": [RelationshipStage.habit, .reliance, .friend].map(\.rawValue)
                case "B": [RelationshipStage.acceptance, .habit].map(\.rawValue)
                default: [RelationshipStage.acquaintance, .acceptance].map(\.rawValue)
                }
            let risk: Int =
                switch DemoCatalogue.groups[group].name {
                case CustomerGroup.retiree.rawValue: random.int(1...3)
                case CustomerGroup.owner.rawValue: random.int(3...5)
                case CustomerGroup.trader.rawValue: random.int(4...5)
                default: random.int(2...4)
                }
            let district = random.int(0...DemoCatalogue.districts.count - 1)
            let address =
                "深圳市\(DemoCatalogue.districts[district].name)\(random.pick(DemoCatalogue.streets))\(random.int(1...999))号"
                + "\(random.int(1...12))栋\(random.int(1...32))\(random.int(0...1))\(random.int(1...8))室"
            var tags: [String] = []
            for tag in DemoCatalogue.tags where random.chance(12) { tags.append(tag) }
            let acquired = random.chance(90) ? start : start.adding(days: random.int(1...340))
            if acquired > start { tags.append("新客") }
            var customer = Customer(
                name: name, male: male, birthday: birthday(age: age), group: group, tier: tier,
                familiarity: familiarity, stage: random.pick(stages), risk: risk,
                riskDate: today.adding(days: -random.int(20...460)), aum: aumYuan * 100,
                income: Int64(random.int(8...(tierIndex + 1) * 60)) * 10_000 * 100, district: district,
                occupation: random.pick(DemoCatalogue.groups[group].occupations),
                education: random.pick(DemoCatalogue.educations), contactTime: random.pick(DemoCatalogue.contactTimes),
                phone: phone(), address: address, note: random.chance(25) ? random.pick(DemoCatalogue.notes) : nil,
                tags: tags, acquired: acquired, family: [])
            customer.family = family(of: customer, age: age)
            customers.append(customer)
        }
    }

    private mutating func personName(male: Bool, surname: String?) -> String {
        let family = surname ?? random.pick(DemoCatalogue.surnames)
        let given = male ? DemoCatalogue.maleGiven : DemoCatalogue.femaleGiven
        return family + random.pick(given) + (random.chance(70) ? random.pick(given) : "")
    }

    private mutating func birthday(age: Int) -> Day {
        let year = today.civil.year - age
        let month = random.int(1...12)
        let day = random.int(1...Day.daysInMonth(year: year, month: month))
        return Day(year: year, month: month, day: day)!
    }

    private mutating func phone() -> String {
        var digits = random.pick(DemoCatalogue.phonePrefixes)
        for _ in 0..<8 { digits += String(random.int(0...9)) }
        return digits
    }

    private mutating func family(of customer: Customer, age: Int) -> [Family] {
        var members: [Family] = []
        let surname = String(customer.name.prefix(1))
        var childSurname = surname
        if age >= 26, random.chance(75) {
            let spouse = personName(male: !customer.male, surname: nil)
            if !customer.male { childSurname = String(spouse.prefix(1)) }
            members.append(
                Family(
                    name: spouse, relation: "配偶", male: !customer.male,
                    birthday: birthday(age: max(20, age + random.int(-4...4))), phone: random.chance(50) ? phone() : nil))
        }
        if age >= 30 {
            for _ in 0..<random.weighted([30, 45, 25]) {
                let male = random.chance(50)
                let given = DemoCatalogue.childGiven
                members.append(
                    Family(
                        name: childSurname + random.pick(given) + random.pick(given), relation: male ? "儿子" : "女儿",
                        male: male, birthday: birthday(age: max(1, age - random.int(24...36))), phone: nil))
            }
        }
        if age < 50, random.chance(30) {
            members.append(
                Family(
                    name: personName(male: false, surname: nil), relation: "母亲", male: false,
                    birthday: birthday(age: age + random.int(24...32)), phone: nil))
        }
        return members
    }

    /// Birthdays the agenda must show on `today`: two customers today (one turning 60), three within 7 days, and
    /// family members today and within 7 days.
    private mutating func forceBirthdays() {
        let year = today.civil.year
        func on(_ target: Day, age: Int) -> Day {
            let (_, m, d) = target.civil
            return Day(year: year - age, month: m, day: min(d, Day.daysInMonth(year: year - age, month: m)))!
        }
        let picked = distinctIndices(7)
        let retired = DemoCatalogue.groups.firstIndex { $0.name == CustomerGroup.retiree.rawValue }!
        for (slot, index) in picked.enumerated() {
            switch slot {
            case 0:
                customers[index].birthday = on(today, age: 60)
                customers[index].group = retired
                customers[index].occupation = "退休教师"
            case 1:
                customers[index].birthday = on(today, age: random.int(35...58))
            case 2, 3, 4:
                customers[index].birthday = on(today.adding(days: [2, 5, 7][slot - 2]), age: random.int(30...70))
            default:
                if customers[index].family.isEmpty {
                    let male = !customers[index].male
                    customers[index].family.append(
                        Family(name: personName(male: male, surname: nil), relation: "配偶", male: male, birthday: today, phone: nil))
                }
                customers[index].family[0].birthday = on(today.adding(days: slot == 5 ? 0 : 3), age: random.int(8...50))
            }
        }
    }

    /// Up to `count` different customer indices.
    private mutating func distinctIndices(_ count: Int) -> [Int] {
        var picked: [Int] = []
        while picked.count < min(count, customers.count) {
            var index = random.int(0...customers.count - 1)
            while picked.contains(index) { index = (index + 1) % customers.count }
            picked.append(index)
        }
        return picked
    }

    /// A customer index whose customer satisfies `condition`, or any index when none does.
    private mutating func someone(where condition: (Customer) -> Bool) -> Int {
        let first = random.int(0...customers.count - 1)
        for step in 0..<customers.count where condition(customers[(first + step) % customers.count]) {
            return (first + step) % customers.count
        }
        return first
    }

    private mutating func planCreations() {
        for index in customers.indices {
            let customer = customers[index]
            let idNumber = self.idNumber(customer)
            let made = self.made
            schedule(customer.acquired, minute: index % 480) { tx, summary in
                let fields: [FieldAssignment] = [
                    FieldAssignment(Schema.F.name, .text(customer.name)),
                    FieldAssignment(Schema.F.phone, .text(customer.phone)),
                    FieldAssignment(Schema.F.idNumber, .text(idNumber)),
                    FieldAssignment(Schema.F.address, .text(customer.address)),
                    FieldAssignment(Schema.F.birthday, .date(customer.birthday)),
                    FieldAssignment(Schema.F.gender, .text(customer.male ? "男" : "女")),
                    FieldAssignment(Schema.F.region, .text(DemoCatalogue.districts[customer.district].name)),
                    FieldAssignment(Schema.F.occupation, .text(customer.occupation)),
                    FieldAssignment(Schema.F.education, .text(customer.education)),
                    FieldAssignment(Schema.F.income, .money(customer.income)),
                    FieldAssignment(Schema.F.aum, .money(customer.aum)),
                    FieldAssignment(Schema.F.tier, .text(customer.tier)),
                    FieldAssignment(Schema.F.familiarity, .text(customer.familiarity)),
                    FieldAssignment(Schema.F.group, .text(DemoCatalogue.groups[customer.group].name)),
                    FieldAssignment(Schema.F.stage, .text(customer.stage)),
                    FieldAssignment(Schema.F.customerRisk, .text("C\(customer.risk)")),
                    FieldAssignment(Schema.F.riskDate, .date(customer.riskDate)),
                    FieldAssignment(Schema.F.contactTime, .text(customer.contactTime)),
                ] + (customer.note.map { [FieldAssignment(Schema.F.note, .text($0))] } ?? [])
                let id = try tx.create(.customer, scope: nil, fields: fields)
                made.customers[index] = id
                summary.customers += 1
                for tag in customer.tags { try tx.add(id, Schema.F.tags, tag) }
                for member in customer.family {
                    var fields = [
                        FieldAssignment(Schema.F.name, .text(member.name)),
                        FieldAssignment(Schema.F.relation, .text(member.relation)),
                        FieldAssignment(Schema.F.birthday, .date(member.birthday)),
                        FieldAssignment(Schema.F.gender, .text(member.male ? "男" : "女")),
                    ]
                    if let phone = member.phone { fields.append(FieldAssignment(Schema.F.phone, .text(phone))) }
                    try tx.create(.family, scope: .customer(id), fields: fields)
                    summary.family += 1
                }
            }
        }
    }

    /// A valid 18-digit ID number for the customer's district, birthday and gender (GB 11643-1999).
    private mutating func idNumber(_ customer: Customer) -> String {
        let (y, m, d) = customer.birthday.civil
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var sequence = random.int(0...499) * 2
        if customer.male { sequence += 1 }
        let body = DemoCatalogue.districts[customer.district].code + pad(y, 4) + pad(m, 2) + pad(d, 2) + pad(sequence, 3)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    // MARK: - Products and prices

    private mutating func planProducts() {
        let made = self.made
        for (index, product) in DemoCatalogue.products.enumerated() {
            // A point every 30 days from the first day, and yesterday's price last.
            var points: [(day: Day, price: Int64)] = [(start, product.start)]
            var price = product.start
            var day = start
            while day.adding(days: 30) < today {
                let next = day.adding(days: 30)
                let noise = product.noise == 0 ? 0 : Int64(random.int(-Int(product.noise)...Int(product.noise)))
                price = max(100, price + price * (product.drift * 30 / 365 + noise) / 10_000)
                points.append((next, price))
                day = next
            }
            let last = today.adding(days: -1)
            if last > day {
                price = max(100, price + price * (product.drift * Int64(last.number - day.number) / 365) / 10_000)
                points.append((last, price))
            }
            prices.append(points)
            let first = points[0]
            schedule(start, minute: index) { tx, summary in
                let id = try tx.create(
                    .product, scope: .global,
                    fields: [
                        FieldAssignment(Schema.F.code, .text(product.code)),
                        FieldAssignment(Schema.F.name, .text(product.name)),
                        FieldAssignment(Schema.F.productRisk, .text("R\(product.risk)")),
                        FieldAssignment(Schema.F.kind, .text(product.kind)),
                        FieldAssignment(Schema.F.price, .decimal(first.price)),
                        FieldAssignment(Schema.F.priceDate, .date(first.day)),
                    ])
                // The price history is the `prices` set, as `price` writes it; the registers hold the latest.
                try tx.add(id, Schema.F.prices, Product.PricePoint(day: first.day, price: first.price).element)
                made.products[index] = id
                summary.products += 1
            }
            for point in points.dropFirst() where product.noise != 0 || product.drift != 0 {
                schedule(point.day, minute: -60 + index) { tx, _ in
                    guard let id = made.products[index] else { return }
                    try tx.add(id, Schema.F.prices, Product.PricePoint(day: point.day, price: point.price).element)
                    try tx.set(id, Schema.F.price, .decimal(point.price))
                    try tx.set(id, Schema.F.priceDate, .date(point.day))
                }
            }
        }
    }

    /// A product's price on a day, interpolated between its price points.
    private func price(_ product: Int, on day: Day) -> Int64 {
        let points = prices[product]
        guard let after = points.firstIndex(where: { $0.day >= day }) else { return points.last!.price }
        if after == 0 { return points[0].price }
        let (d0, p0) = points[after - 1]
        let (d1, p1) = points[after]
        let span = Int64(d1.number - d0.number)
        return span == 0 ? p1 : p0 + (p1 - p0) * Int64(day.number - d0.number) / span
    }

    // MARK: - Purchases

    private mutating func planPurchases(_ index: Int) {
        let customer = customers[index]
        let count: Int =
            switch customer.tier {
            case Tier.standard.rawValue: random.int(0...2)
            case Tier.gold.rawValue: random.int(1...4)
            case Tier.diamond.rawValue: random.int(2...6)
            default: random.int(3...8)
            }
        let first = max(customer.acquired.adding(days: 1), start.adding(days: 1))
        guard first < today else { return }
        for _ in 0..<count {
            let day = first.adding(days: random.int(0...Int(today.number - first.number) - 1))
            let suitable = DemoCatalogue.products.indices.filter { DemoCatalogue.products[$0].risk <= customer.risk }
            let above = DemoCatalogue.products.indices.filter { DemoCatalogue.products[$0].risk == customer.risk + 1 }
            let product = !above.isEmpty && random.chance(8) ? random.pick(above) : random.pick(suitable)
            let ceiling = max(1, Int(customer.aum / 100 / 10_000 * 3 / 10))
            let amount = Int64(random.int(min(5, ceiling)...ceiling)) * 10_000 * 100
            purchase(index, product: product, day: day, amount: amount)
        }
    }

    /// Plans one purchase with the lines, maturity and suitability warning its product and customer call for.
    private mutating func purchase(
        _ index: Int, product: Int, day: Day, amount: Int64, takeProfit: Int64? = nil, stopLoss: Int64? = nil
    ) {
        let customer = customers[index]
        let spec = DemoCatalogue.products[product]
        var fields = [
            FieldAssignment(Schema.F.product, .text(spec.code)),
            FieldAssignment(Schema.F.amount, .money(amount)),
            FieldAssignment(Schema.F.price, .decimal(price(product, on: day))),
            FieldAssignment(Schema.F.date, .date(day)),
        ]
        if let expected = spec.expected { fields.append(FieldAssignment(Schema.F.expected, .percent(expected))) }
        if spec.lines {
            var profit = takeProfit ?? Int64(random.pick([1000, 1500, 2000]))
            var loss = stopLoss ?? Int64(random.pick([500, 800, 1000]))
            // A line crossed long ago has been dealt with: the customer and the manager moved it. Only the forced
            // holdings (and one in twenty others) still wait on today's agenda.
            let bought = price(product, on: day)
            let change = (prices[product].last!.price - bought) * 10_000 / max(1, bought)
            if takeProfit == nil, !random.chance(5) {
                if change >= profit { profit = (change / 500 + 2) * 500 }
                if change <= -loss { loss = (-change / 500 + 2) * 500 }
            }
            fields.append(FieldAssignment(Schema.F.takeProfit, .percent(profit)))
            fields.append(FieldAssignment(Schema.F.stopLoss, .percent(-loss)))  // stored negative, as `buy` does
        }
        if let term = spec.term { fields.append(FieldAssignment(Schema.F.matures, .date(day.adding(days: term)))) }
        if spec.risk > customer.risk {
            fields.append(
                FieldAssignment(Schema.F.warning, .text("产品风险等级 R\(spec.risk) 高于客户风险评估 C\(customer.risk)，客户已签字确认")))
        } else if customer.riskDate <= day, Int(day.number - customer.riskDate.number) > 365 {
            fields.append(FieldAssignment(Schema.F.warning, .text("风险评估已超过一年，已提醒客户重新评估")))
        }
        let made = self.made
        let frozen = fields
        schedule(day, minute: random.int(30...480)) { tx, summary in
            guard let id = made.customers[index] else { return }
            try tx.create(.purchase, scope: .customer(id), fields: frozen)
            summary.purchases += 1
        }
    }

    // MARK: - Contacts and tasks

    private mutating func planContacts(_ index: Int) {
        let customer = customers[index]
        // The agenda's default cadence; the demo keeps most customers inside it and lets about one in twenty slip.
        let cadence = AgendaSettings().cadence(tier: customer.tier, familiarity: customer.familiarity)
        let neglected = random.chance(5)
        let stop = neglected ? today.adding(days: -(cadence + random.int(3...60))) : today
        var day = customer.acquired.adding(days: random.int(1...max(1, cadence / 2)))
        let group = DemoCatalogue.groups[customer.group].name
        let channels: [(ContactChannel, Int)] =
            switch group {
            case CustomerGroup.retiree.rawValue: [(.call, 45), (.visit, 25), (.event, 15), (.home, 10), (.message, 5)]
            case CustomerGroup.owner.rawValue: [(.call, 45), (.message, 30), (.visit, 15), (.home, 10)]
            case CustomerGroup.hongKongMacauTaiwan.rawValue: [(.message, 55), (.call, 40), (.visit, 5)]
            case CustomerGroup.homemaker.rawValue: [(.call, 40), (.visit, 25), (.event, 20), (.message, 15)]
            default: [(.call, 50), (.message, 35), (.visit, 15)]
            }
        while day < stop {
            let channel = channels[random.weighted(channels.map(\.1))].0.rawValue
            contact(index, day: day, channel: channel)
            day = day.adding(days: max(1, cadence * random.int(35...90) / 100))
        }
    }

    private mutating func contact(_ index: Int, day: Day, channel: String, minute: Int? = nil) {
        let text = random.pick(DemoCatalogue.contactTexts[channel]!)
        var fields = [
            FieldAssignment(Schema.F.channel, .text(channel)), FieldAssignment(Schema.F.text, .text(text)),
            FieldAssignment(Schema.F.date, .date(day)),
        ]
        if random.chance(70) { fields.append(FieldAssignment(Schema.F.outcome, .text(random.pick(DemoCatalogue.outcomes)))) }
        var task: (text: String, due: Day, done: Bool, key: Int)?
        if random.chance(18) {
            let due = day.adding(days: random.int(2...14))
            fields.append(FieldAssignment(Schema.F.next, .date(due)))
            // Follow-ups due before yesterday were done; yesterday's are still open, as in any real week.
            task = ("跟进：" + random.pick(DemoCatalogue.followUps), due, due < today.adding(days: -1), nextKey)
            nextKey += 1
        }
        contactsByDay[day, default: [:]][channel, default: 0] += 1
        let made = self.made
        let frozen = fields
        let at = minute ?? random.int(0...540)
        schedule(day, minute: at) { tx, summary in
            guard let id = made.customers[index] else { return }
            try tx.create(.contact, scope: .customer(id), fields: frozen)
            summary.contacts += 1
            if let task {
                let taskID = try tx.create(
                    .task, scope: .customer(id),
                    fields: [FieldAssignment(Schema.F.text, .text(task.text)), FieldAssignment(Schema.F.due, .date(task.due))])
                summary.tasks += 1
                made.keyed[task.key] = taskID
            }
        }
        if let task, task.done {
            schedule(task.due, minute: random.int(0...540)) { tx, _ in
                guard let taskID = made.keyed[task.key] else { return }
                try tx.set(taskID, Schema.F.done, .bool(true))
            }
        }
    }

    // MARK: - Movements and complaints

    private mutating func planMovements(_ index: Int) {
        guard random.chance(12) else { return }
        let customer = customers[index]
        let first = max(customer.acquired.adding(days: 1), start.adding(days: 1))
        guard first < today.adding(days: -7) else { return }
        for _ in 0..<random.int(1...2) {
            let day = first.adding(days: random.int(0...Int(today.number - first.number) - 8))
            movement(index, day: day, minimum: 20)
        }
    }

    /// A large movement of at least `minimum` 万 (and up to half the customer's assets, or 500万).
    private mutating func movement(_ index: Int, day: Day, minimum: Int) {
        let customer = customers[index]
        let (note, sign) = random.pick(DemoCatalogue.movementNotes)
        let ceiling = max(minimum, min(500, Int(customer.aum / 100 / 10_000 / 2)))
        let amount = Int64(sign) * Int64(random.int(minimum...ceiling)) * 10_000 * 100
        let made = self.made
        schedule(day, minute: random.int(0...540)) { tx, summary in
            guard let id = made.customers[index] else { return }
            try tx.create(
                .movement, scope: .customer(id),
                fields: [
                    FieldAssignment(Schema.F.amount, .money(amount)), FieldAssignment(Schema.F.date, .date(day)),
                    FieldAssignment(Schema.F.note, .text(note)),
                ])
            summary.movements += 1
        }
    }

    private mutating func planComplaints() {
        let count = max(5, customers.count / 60)  // three open, and closed ones even in a small book
        for number in 0..<count {
            let index = random.int(0...customers.count - 1)
            let open = number < 3
            let day =
                open
                ? today.adding(days: -random.int(2...20))
                : start.adding(days: random.int(10...max(10, 340)))
            guard day > customers[index].acquired else { continue }
            complaint(index, day: day, open: open)
        }
    }

    private mutating func complaint(_ index: Int, day: Day, open: Bool) {
        let (text, resolution) = random.pick(DemoCatalogue.complaints)
        let closed = day.adding(days: random.int(2...10))
        let due = day.adding(days: random.int(3...7))
        let made = self.made
        let opening = random.int(0...540)
        let key = nextKey
        nextKey += 1
        schedule(day, minute: opening) { tx, summary in
            guard let id = made.customers[index] else { return }
            let complaint = try tx.create(
                .complaint, scope: .customer(id),
                fields: [
                    FieldAssignment(Schema.F.text, .text(text)), FieldAssignment(Schema.F.status, ComplaintStatus.open.value),
                    FieldAssignment(Schema.F.date, .date(day)),
                ])
            summary.complaints += 1
            made.keyed[key] = complaint
            if open {
                try tx.create(
                    .task, scope: .customer(id),
                    fields: [FieldAssignment(Schema.F.text, .text("处理投诉：" + text)), FieldAssignment(Schema.F.due, .date(due))])
                summary.tasks += 1
            }
        }
        guard !open, closed < today else { return }
        schedule(closed, minute: random.int(0...540)) { tx, _ in
            guard let complaint = made.keyed[key] else { return }
            try tx.set(complaint, Schema.F.status, ComplaintStatus.closed.value)
            try tx.set(complaint, Schema.F.resolution, .text(resolution))
        }
    }

    // MARK: - The agenda of `today`

    /// Whatever the seed: maturities within 30 days (one on a weekend), take-profit and stop-loss crossings, large
    /// movements this week, tasks due today and overdue, and calls already made this morning.
    private mutating func planAgenda() {
        func product(_ code: String) -> Int { DemoCatalogue.products.firstIndex { $0.code == code }! }
        let start = self.start
        // Maturities: a 90-day product bought 90 − k days ago matures in k days.
        let weekend = (1...30).first { today.adding(days: $0).weekday >= 6 } ?? 6
        for k in [3, weekend, 12, 26] {
            let index = someone { $0.acquired == start && $0.risk >= 2 }
            let amount = Int64(random.int(20...100)) * 10_000 * 100
            purchase(index, product: product("JX90"), day: today.adding(days: k - 90), amount: amount)
        }
        // Crossings: 科技成长 bought early rose past its take-profit line; 新能源主题 fell through its stop-loss line.
        let crossings: [(String, Int, Int64, Int64)] = [
            ("KJ01", 300, 1500, 1000), ("KJ01", 250, 2000, 1000), ("XNY01", 280, 2000, 1000), ("XNY01", 200, 1500, 800),
        ]
        for (code, days, profit, loss) in crossings {
            let index = someone { $0.acquired == start && $0.risk >= 4 }
            let amount = Int64(random.int(10...80)) * 10_000 * 100
            purchase(
                index, product: product(code), day: today.adding(days: -days), amount: amount, takeProfit: profit,
                stopLoss: loss)
        }
        // Large movements this week.
        for back in [0, 1, 3, 6] {
            let index = someone { $0.acquired == start && $0.tier != Tier.standard.rawValue }
            movement(index, day: today.adding(days: -back), minimum: 50)
        }
        // Tasks due today, and a few overdue ones, each set five days before it is due.
        for offset in [0, 0, -1, -4, -9] {
            let index = someone { $0.acquired == start }
            let made = self.made
            let text = random.pick(DemoCatalogue.followUps)
            let due = today.adding(days: offset)
            schedule(due.adding(days: -5), minute: random.int(0...540)) { tx, summary in
                guard let id = made.customers[index] else { return }
                try tx.create(
                    .task, scope: .customer(id),
                    fields: [FieldAssignment(Schema.F.text, .text(text)), FieldAssignment(Schema.F.due, .date(due))])
                summary.tasks += 1
            }
        }
        // Calls already made this morning.
        for minute in [2, 17, 41] {
            let index = someone { $0.acquired == start }
            contact(index, day: today, channel: ContactChannel.call.rawValue, minute: minute)
        }
    }

    // MARK: - Work log

    /// A work-log entry for each working day of the last four weeks, summarising the day's contacts, and yesterday's
    /// call list for today.
    private mutating func planWorklog() {
        let scope = Scope.principal(configuration.principal)
        let labels: [(String, String)] = [
            (ContactChannel.call.rawValue, "电话"), (ContactChannel.visit.rawValue, "面谈"), (ContactChannel.home.rawValue, "上门"),
            (ContactChannel.message.rawValue, "微信/短信"), (ContactChannel.event.rawValue, "活动"),
        ]
        for back in 1...28 {
            let day = today.adding(days: -back)
            guard day.weekday <= 5, day >= start else { continue }
            let counts = contactsByDay[day] ?? [:]
            let parts = labels.compactMap { key, label in counts[key].map { "\(label) \($0)" } }
            let done = parts.isEmpty ? "今日以内部事务为主" : "今日联系客户：" + parts.joined(separator: "，")
            let plan = random.pick(["明日重点跟进到期客户", "明日准备理财沙龙", "明日电话回访基金客户", "明日整理风险评估到期名单"])
            let text = "\(done)。\(plan)"
            schedule(day, minute: 560) { tx, summary in
                try tx.create(
                    .worklog, scope: scope,
                    fields: [
                        FieldAssignment(Schema.F.entry, WorkLogEntryKind.journal.value), FieldAssignment(Schema.F.date, .date(day)),
                        FieldAssignment(Schema.F.text, .text(text)),
                    ])
                summary.worklogs += 1
            }
        }
        // Yesterday's plan: today's call list, which `today` shows first.
        let planned = today.adding(days: -1)
        let start = self.start
        guard planned >= start else { return }
        for (slot, reason) in ["产品到期前沟通续作", "回访上周的基金赎回", "邀请参加周末理财沙龙"].enumerated() {
            let index = someone { $0.acquired == start && $0.tier != Tier.standard.rawValue }
            let made = self.made
            let today = self.today
            schedule(planned, minute: 570 + slot) { tx, summary in
                guard let id = made.customers[index] else { return }
                try tx.create(
                    .worklog, scope: .customer(id),
                    fields: [
                        FieldAssignment(Schema.F.entry, WorkLogEntryKind.plan.value), FieldAssignment(Schema.F.customer, .text(id.text)),
                        FieldAssignment(Schema.F.date, .date(today)), FieldAssignment(Schema.F.text, .text(reason)),
                    ])
                summary.worklogs += 1
            }
        }
    }
}

/// Repeatable random choices from a ``SplitMix64``, with arithmetic of its own so that no standard-library
/// algorithm can change the demo between Swift versions.
struct DemoRandom {
    private var source: SplitMix64

    init(seed: UInt64) { source = SplitMix64(seed: seed ^ 0xD3E0_B00C_0000_0001) }

    /// A number in a range.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(source.next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    /// `true` with a percentage chance.
    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    /// One element of a non-empty array.
    mutating func pick<T>(_ array: [T]) -> T { array[int(0...array.count - 1)] }

    /// An index drawn with the given weights.
    mutating func weighted(_ weights: [Int]) -> Int {
        var roll = int(0...weights.reduce(0, +) - 1)
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }
}
