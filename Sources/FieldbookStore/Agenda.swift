import FieldbookModel

/// A manager's day (`today`): what to do, grouped, each group most urgent first.
///
/// Computed by a pure function of an ``AgendaInput``, a day and the ``AgendaSettings``, so that every rule can be
/// tested on a fixed date without a shell or a database.
///
/// The rules (issue 7, domain.md "The manager's day"):
/// - **Plan**: the customers put on this day's call list with `plan` (the evening before).
/// - **Birthdays** of customers and family members from the day to 7 days later. Someone born on 29 February
///   celebrates on 28 February in a year without one. A round age (a multiple of 10) is given.
/// - **Maturities** from the day to 30 days later. A maturity on a weekend is to be acted on by the Friday before.
/// - **Alerts**: holdings not yet matured whose return is at or past the take-profit line or at or below the
///   stop-loss line (exactly on the line counts), or whose price moved at least ``AgendaSettings/moveBasisPoints``
///   since the customer's last contact (or since the purchase, if later).
/// - **Movements** dated in the 7 days ending on the day.
/// - **Tasks** due on the day or overdue; the **schedule** is those due on the day with a time (`at=14:30`), in
///   time order.
/// - **Overdue contacts**: customers whose last contact (or, never contacted, whose creation) is at least their
///   cadence ago (``AgendaSettings/cadence(tier:familiarity:)``).
/// - **Complaints** still open.
/// - **Calls**: the principal's `call` contacts dated on the day, against the target.
///
/// ```swift
/// let agenda = Agenda(input: try book.agendaInput(), day: book.today, settings: try book.agendaSettings())
/// agenda.birthdays.first?.daysAway   // 0 for a birthday today
/// ```
public struct Agenda: Sendable {
    /// A plan entry.
    public struct PlanEntry: Sendable, Hashable {
        /// The customer.
        public var customer: EntityID
        /// The reason written with it.
        public var text: String?
    }

    /// A birthday in the window.
    public struct Birthday: Sendable, Hashable {
        /// The customer (whose family member it may be).
        public var customer: EntityID
        /// Whose birthday: the customer's or the family member's name.
        public var name: String
        /// The family member's relation, or `nil` for the customer.
        public var relation: String?
        /// The day it is celebrated this time.
        public var day: Day
        /// Days from the agenda's day (0 is today).
        public var daysAway: Int
        /// The age reached.
        public var age: Int
        /// Whether the age is a multiple of 10.
        public var isRound: Bool { age > 0 && age % 10 == 0 }
    }

    /// A holding maturing in the window.
    public struct Maturity: Sendable, Hashable {
        /// The holding.
        public var holding: Holding
        /// Its maturity day.
        public var day: Day
        /// The day to act by: the maturity day, or the Friday before one on a weekend (never before the agenda's day).
        public var actBy: Day
        /// Days from the agenda's day to the maturity.
        public var daysAway: Int
    }

    /// Why a holding is worth a call.
    public enum AlertKind: String, Sendable, Hashable {
        /// At or below the stop-loss line.
        case stopLoss = "stop_loss"
        /// At or above the take-profit line.
        case takeProfit = "take_profit"
        /// Moved at least the set percentage since the last contact.
        case moved
    }

    /// A holding alert.
    public struct Alert: Sendable, Hashable {
        /// The holding.
        public var holding: Holding
        /// The reason.
        public var kind: AlertKind
        /// The holding's valuation on the day.
        public var valuation: Holding.Valuation
        /// For ``AlertKind/moved``: the change since the reference price, in basis points.
        public var changeBasisPoints: Int64?
        /// For ``AlertKind/moved``: the day of the reference (last contact or purchase).
        public var since: Day?
    }

    /// A customer past their contact cadence.
    public struct OverdueContact: Sendable, Hashable {
        /// The customer.
        public var customer: EntityID
        /// The tier (nil: 普通).
        public var tier: String?
        /// The familiarity.
        public var familiarity: String?
        /// The last contact, or `nil` when there was none.
        public var lastContact: Day?
        /// The cadence in days.
        public var cadence: Int
        /// Days since the last contact (or since the customer was added).
        public var daysSince: Int
    }

    /// The day.
    public var day: Day
    /// The settings used.
    public var settings: AgendaSettings
    /// Customer names, for display.
    public var names: [EntityID: String]
    /// The catalogue, by key.
    public var products: [String: Product]
    /// This day's call list.
    public var plan: [PlanEntry] = []
    /// Open complaints, oldest first.
    public var complaints: [AgendaInput.Complaint] = []
    /// Tasks due or overdue, most overdue first (the day's appointments among them).
    public var tasks: [AgendaInput.Task] = []
    /// The day's appointments: open tasks due on the day with a time, in time order.
    public var schedule: [AgendaInput.Task] = []
    /// Holding alerts: stop-loss first, then take-profit, then moves; larger first.
    public var alerts: [Alert] = []
    /// Movements of the last 7 days, newest first.
    public var movements: [AgendaInput.Movement] = []
    /// Birthdays, soonest first.
    public var birthdays: [Birthday] = []
    /// Maturities, by the day to act.
    public var maturities: [Maturity] = []
    /// Customers past their cadence, the most overdue (relative to their cadence) first.
    public var overdueContacts: [OverdueContact] = []
    /// The principal's calls on the day.
    public var callsToday = 0

    /// Days ahead that birthdays are shown.
    public static let birthdayWindow = 7
    /// Days ahead that maturities are shown.
    public static let maturityWindow = 30
    /// Days back (including the day) that movements are shown.
    public static let movementWindow = 7

    /// Computes the agenda of a day.
    ///
    /// - Parameters:
    ///   - input: The book's state.
    ///   - day: The day (`today`, or `today date=…`).
    ///   - settings: Cadences, call target, move threshold.
    public init(input: AgendaInput, day: Day, settings: AgendaSettings = AgendaSettings()) {
        self.day = day
        self.settings = settings
        self.products = input.products
        var names: [EntityID: String] = [:]
        for customer in input.customers { names[customer.id] = customer.name }
        self.names = names
        let active = Set(input.customers.map(\.id))

        // Plan: once per customer, in the order planned.
        var planned = Set<EntityID>()
        for item in input.plan where item.day == day && active.contains(item.customer) {
            if planned.insert(item.customer).inserted {
                plan.append(PlanEntry(customer: item.customer, text: item.text))
            } else if let text = item.text, let index = plan.firstIndex(where: { $0.customer == item.customer }) {
                plan[index].text = [plan[index].text, text].compactMap { $0 }.joined(separator: "；")
            }
        }

        complaints = input.complaints.filter { active.contains($0.customer) && $0.day <= day }.sorted { ($0.day, $0.id.text) < ($1.day, $1.id.text) }
        tasks = input.tasks.filter { $0.due <= day && ($0.customer.map(active.contains) ?? true) }
            .sorted { ($0.due, $0.id.text) < ($1.due, $1.id.text) }
        schedule = tasks.filter { $0.due == day && $0.at != nil }.sorted { ($0.at!, $0.id.text) < ($1.at!, $1.id.text) }

        // Birthdays.
        for customer in input.customers {
            if let birthday = customer.birthday, let hit = Self.occurrence(of: birthday, from: day) {
                birthdays.append(
                    Birthday(customer: customer.id, name: customer.name, relation: nil, day: hit.day,
                        daysAway: hit.daysAway, age: hit.age))
            }
        }
        for member in input.family where active.contains(member.customer) {
            if let hit = Self.occurrence(of: member.birthday, from: day) {
                birthdays.append(
                    Birthday(customer: member.customer, name: member.name, relation: member.relation, day: hit.day,
                        daysAway: hit.daysAway, age: hit.age))
            }
        }
        // Soonest first; on one day the customers' own before their family's.
        birthdays.sort {
            ($0.daysAway, $0.relation == nil ? 0 : 1, $0.name, $0.customer.text)
                < ($1.daysAway, $1.relation == nil ? 0 : 1, $1.name, $1.customer.text)
        }

        // Last contact per customer, up to the day.
        var lastContact: [EntityID: Day] = [:]
        for contact in input.contacts where contact.day <= day {
            if contact.channel == ContactChannel.call.rawValue, contact.day == day, contact.author == input.principal { callsToday += 1 }
            if let known = lastContact[contact.customer], known >= contact.day { continue }
            lastContact[contact.customer] = contact.day
        }

        // Holdings: maturities and alerts.
        let endOfMaturities = day.adding(days: Self.maturityWindow)
        for holding in input.holdings where active.contains(holding.customer) && holding.date <= day {
            if let matures = holding.matures, matures >= day, matures <= endOfMaturities {
                var actBy = matures
                if matures.weekday == 6 { actBy = matures.adding(days: -1) }
                if matures.weekday == 7 { actBy = matures.adding(days: -2) }
                if actBy < day { actBy = day }
                maturities.append(
                    Maturity(holding: holding, day: matures, actBy: actBy, daysAway: Int(matures.number - day.number)))
            }
            guard !holding.hasMatured(by: day), let product = input.products[Product.key(holding.code)],
                let current = product.price(on: day), let valuation = holding.valuation(current: current.price)
            else { continue }
            if valuation.stoppedLoss {
                alerts.append(Alert(holding: holding, kind: .stopLoss, valuation: valuation))
            } else if valuation.tookProfit {
                alerts.append(Alert(holding: holding, kind: .takeProfit, valuation: valuation))
            } else {
                // The price when the customer last heard from us: at the last contact, or at purchase if later.
                let since = max(lastContact[holding.customer] ?? holding.date, holding.date)
                let reference = since == holding.date ? (holding.price ?? 0) : (product.price(on: since)?.price ?? holding.price ?? 0)
                guard reference > 0 else { continue }
                let change = Holding.scale(10_000, by: current.price - reference, over: reference)
                if abs(current.price - reference) * 10_000 >= settings.moveBasisPoints * reference {
                    alerts.append(
                        Alert(holding: holding, kind: .moved, valuation: valuation, changeBasisPoints: change, since: since))
                }
            }
        }
        maturities.sort { ($0.actBy, $0.day, $0.holding.purchase.text) < ($1.actBy, $1.day, $1.holding.purchase.text) }
        let rank: [AlertKind: Int] = [.stopLoss: 0, .takeProfit: 1, .moved: 2]
        alerts.sort {
            let a = (rank[$0.kind]!, -abs($0.changeBasisPoints ?? $0.valuation.returnBasisPoints), $0.holding.purchase.text)
            let b = (rank[$1.kind]!, -abs($1.changeBasisPoints ?? $1.valuation.returnBasisPoints), $1.holding.purchase.text)
            return a < b
        }

        let firstMovementDay = day.adding(days: -(Self.movementWindow - 1))
        movements = input.movements.filter { active.contains($0.customer) && $0.day >= firstMovementDay && $0.day <= day }
            .sorted { a, b in
                if a.day != b.day { return a.day > b.day }
                if abs(a.amount) != abs(b.amount) { return abs(a.amount) > abs(b.amount) }
                return a.id.text < b.id.text
            }

        // Cadence.
        for customer in input.customers {
            let cadence = settings.cadence(tier: customer.tier, familiarity: customer.familiarity)
            let last = lastContact[customer.id]
            let since = Int(day.number - (last ?? customer.created).number)
            guard AgendaSettings.isDue(daysSince: since, cadence: cadence) else { continue }
            overdueContacts.append(
                OverdueContact(customer: customer.id, tier: customer.tier, familiarity: customer.familiarity,
                    lastContact: last, cadence: cadence, daysSince: since))
        }
        let tierRank = Dictionary(uniqueKeysWithValues: AgendaSettings.tiers.enumerated().map { ($1, $0) })
        overdueContacts.sort {
            // Most overdue relative to the cadence first (cross-multiplied), then the higher tier, then the name.
            let left = $0.daysSince * $1.cadence
            let right = $1.daysSince * $0.cadence
            if left != right { return left > right }
            let ta = tierRank[$0.tier ?? Tier.standard.rawValue] ?? 9
            let tb = tierRank[$1.tier ?? Tier.standard.rawValue] ?? 9
            if ta != tb { return ta < tb }
            return (names[$0.customer] ?? "", $0.customer.text) < (names[$1.customer] ?? "", $1.customer.text)
        }
    }

    /// The next celebration of a birthday from a day, if it falls in the birthday window.
    static func occurrence(of birthday: Day, from day: Day) -> (day: Day, daysAway: Int, age: Int)? {
        let born = birthday.civil
        let year = day.civil.year
        for candidate in [year, year + 1] {
            let date =
                Day(year: candidate, month: born.month, day: born.day)
                ?? Day(year: candidate, month: 2, day: 28)!  // 29 February in a year without one
            guard date >= day else { continue }
            let away = Int(date.number - day.number)
            guard away <= birthdayWindow, candidate > born.year else { return nil }
            return (date, away, candidate - born.year)
        }
        return nil
    }
}
