import FieldbookModel

/// What the agenda is computed from: plain values read from a book (``Book/agendaInput()``) or built by a test.
///
/// Nothing here depends on "today": the same input gives the agenda of any day (``Agenda/init(input:day:settings:)``).
public struct AgendaInput: Sendable {
    /// A customer, with what the agenda rules read.
    public struct Customer: Sendable, Hashable {
        /// The customer.
        public var id: EntityID
        /// The display name.
        public var name: String
        /// `普通` `金葵花` `钻石` `私人银行`, or `nil` (counts as 普通).
        public var tier: String?
        /// `A` `B` `C`, or `nil`.
        public var familiarity: String?
        /// The birthday, if known.
        public var birthday: Day?
        /// The day the customer was added: the cadence counts from it when there was never a contact.
        public var created: Day

        /// Makes one.
        public init(
            id: EntityID, name: String, tier: String? = nil, familiarity: String? = nil, birthday: Day? = nil,
            created: Day
        ) {
            self.id = id
            self.name = name
            self.tier = tier
            self.familiarity = familiarity
            self.birthday = birthday
            self.created = created
        }
    }

    /// A family member with a birthday.
    public struct FamilyMember: Sendable, Hashable {
        /// The customer the member belongs to.
        public var customer: EntityID
        /// The member's name.
        public var name: String
        /// The relation to the customer (女儿, 配偶 …).
        public var relation: String
        /// The birthday.
        public var birthday: Day

        /// Makes one.
        public init(customer: EntityID, name: String, relation: String, birthday: Day) {
            self.customer = customer
            self.name = name
            self.relation = relation
            self.birthday = birthday
        }
    }

    /// A recorded contact.
    public struct Contact: Sendable, Hashable {
        /// The customer contacted.
        public var customer: EntityID
        /// The day of the contact.
        public var day: Day
        /// `call` `visit` `home` `message` `event`.
        public var channel: String
        /// The principal who made it.
        public var author: String

        /// Makes one.
        public init(customer: EntityID, day: Day, channel: String, author: String) {
            self.customer = customer
            self.day = day
            self.channel = channel
            self.author = author
        }
    }

    /// A large account movement.
    public struct Movement: Sendable, Hashable {
        /// The movement.
        public var id: EntityID
        /// The customer.
        public var customer: EntityID
        /// Signed fen: deposits positive, withdrawals negative.
        public var amount: Int64
        /// The day it happened.
        public var day: Day
        /// The note, if any.
        public var note: String?

        /// Makes one.
        public init(id: EntityID, customer: EntityID, amount: Int64, day: Day, note: String? = nil) {
            self.id = id
            self.customer = customer
            self.amount = amount
            self.day = day
            self.note = note
        }
    }

    /// An open task.
    public struct Task: Sendable, Hashable {
        /// The task.
        public var id: EntityID
        /// The customer, or `nil` for the manager's own task.
        public var customer: EntityID?
        /// What to do.
        public var text: String
        /// The due day.
        public var due: Day
        /// The time of an appointment (`at=14:30`), or `nil` for a task without one.
        public var at: TimeOfDay?
        /// Where an appointment takes place, if said.
        public var place: AppointmentPlace?

        /// Makes one.
        public init(
            id: EntityID, customer: EntityID?, text: String, due: Day, at: TimeOfDay? = nil, place: AppointmentPlace? = nil
        ) {
            self.id = id
            self.customer = customer
            self.text = text
            self.due = due
            self.at = at
            self.place = place
        }
    }

    /// An open complaint.
    public struct Complaint: Sendable, Hashable {
        /// The complaint.
        public var id: EntityID
        /// The customer.
        public var customer: EntityID
        /// What the complaint is about.
        public var text: String
        /// The day it was registered.
        public var day: Day

        /// Makes one.
        public init(id: EntityID, customer: EntityID, text: String, day: Day) {
            self.id = id
            self.customer = customer
            self.text = text
            self.day = day
        }
    }

    /// A customer on a day's call list (`plan`).
    public struct PlanItem: Sendable, Hashable {
        /// The work-log entry.
        public var id: EntityID
        /// The customer to call.
        public var customer: EntityID
        /// The day of the call.
        public var day: Day
        /// The reason, if written.
        public var text: String?

        /// Makes one.
        public init(id: EntityID, customer: EntityID, day: Day, text: String? = nil) {
            self.id = id
            self.customer = customer
            self.day = day
            self.text = text
        }
    }

    /// The principal whose calls count toward the target.
    public var principal: String
    /// Customers that are not archived.
    public var customers: [Customer] = []
    /// Family members with a birthday, of customers that are not archived.
    public var family: [FamilyMember] = []
    /// Every contact.
    public var contacts: [Contact] = []
    /// Every holding.
    public var holdings: [Holding] = []
    /// The catalogue, by ``Product/key(_:)``.
    public var products: [String: Product] = [:]
    /// Every movement.
    public var movements: [Movement] = []
    /// Open tasks with a due day.
    public var tasks: [Task] = []
    /// Open complaints.
    public var complaints: [Complaint] = []
    /// Plan entries.
    public var plan: [PlanItem] = []

    /// An empty input for a principal.
    public init(principal: String) {
        self.principal = principal
    }
}
