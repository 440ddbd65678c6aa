import FieldbookModel
import FieldbookStore
import PropertyBased
import Testing

/// Undo (issue 18): the compensating ops of one command bring back what a manager sees, history keeps both, and a
/// change made since by someone else is refused, changing nothing.
///
/// What "the same book" means here: the *visible state*, every entity that is not archived with the display value
/// of each field (an empty value and no value are the same) and the elements of its sets, plus the customer listing
/// with archived customers (name, tier, archived). Not the state hash: it covers every op of the log, and undo adds
/// ops rather than removing any; nor archived entities, which is what undo makes of an entity the command created.
@Suite("Undo")
struct UndoTests {
    /// One entity as a manager sees it.
    struct Visible: Hashable {
        var id: EntityID
        var kind: EntityKind
        var scope: Scope
        var fields: [FieldID: Value]
        var sets: [FieldID: [String]]
    }

    /// The visible state of a book (see the suite's comment).
    static func visible(_ book: Book) throws -> (entities: Set<Visible>, listing: [CustomerSummary]) {
        var entities = Set<Visible>()
        for kind in EntityKind.known {
            for entity in try book.entities(kind: kind) where entity.value(Schema.F.archived) != .bool(true) {
                var fields: [FieldID: Value] = [:]
                for (field, entries) in entity.fields {
                    if let winner = entries.first?.value, winner != .null, field != Schema.F.archived { fields[field] = winner }
                }
                entities.insert(
                    Visible(id: entity.id, kind: kind, scope: entity.scope, fields: fields, sets: entity.sets.filter { !$0.value.isEmpty }))
            }
        }
        let listing = try book.find(includeArchived: true).filter { !$0.archived }
        return (entities, listing)
    }

    /// Runs a command (one transaction) and returns its ops, as the shell's session records them.
    @discardableResult
    static func command(_ book: Book, _ body: (BookTransaction) throws -> Void) throws -> [Op] {
        let mark = try book.ownOpCounter()
        try book.write { tx in try body(tx) }
        return try book.ownOps(after: mark, through: try book.ownOpCounter())
    }

    // MARK: - The property

    @Test("undo of any single command gives back the visible state")
    func undoRestoresTheVisibleState() async {
        await propertyCheck(count: 120, input: Gen.uint64()) { seed in
            do {
                var random = SplitMix64(seed: seed)
                let book = try memoryBook("M001", seed: seed)
                try Self.populate(book, &random)
                for _ in 0..<3 {
                    let before = try Self.visible(book)
                    let hashBefore = try book.stateHash()
                    let context = try Context(book)
                    let ops = try Self.command(book) { tx in try Self.randomCommand(tx, context, &random) }
                    guard !ops.isEmpty else { continue }
                    let changed = try Self.visible(book).entities != before.entities
                    let undone = try book.write { tx in try tx.undo(ops) }
                    let after = try Self.visible(book)
                    #expect(after.entities == before.entities, "seed \(seed)")
                    #expect(after.listing == before.listing, "seed \(seed)")
                    #expect(try book.stateHash() != hashBefore, "history keeps both: seed \(seed)")
                    // A command that changed nothing visible (a field set and cleared again) needs no compensation.
                    #expect(!changed || !undone.ops.isEmpty, "seed \(seed)")
                    #expect(try book.verifyProjections() == [], "seed \(seed)")
                }
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    @Test("a session undoes its commands one after the other, newest first, back to where it began")
    func undoSeveralCommands() async {
        await propertyCheck(count: 80, input: Gen.uint64()) { seed in
            do {
                var random = SplitMix64(seed: seed)
                let book = try memoryBook("M001", seed: seed)
                try Self.populate(book, &random)
                let start = try Self.visible(book)
                var stack: [[Op]] = []
                for _ in 0..<(2 + Int(random.next() % 4)) {
                    let context = try Context(book)
                    let ops = try Self.command(book) { tx in try Self.randomCommand(tx, context, &random) }
                    if !ops.isEmpty { stack.append(ops) }
                }
                while let ops = stack.popLast() { try book.write { tx in try tx.undo(ops) } }
                let end = try Self.visible(book)
                #expect(end.entities == start.entities, "seed \(seed)")
                #expect(end.listing == start.listing, "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    static let names = ["王芳", "李明", "欧阳娜娜", "张伟", "刘洋", "陈静"]
    static let tags = ["年末沙龙", "VIP", "理财", "生日礼"]

    static func populate(_ book: Book, _ random: inout SplitMix64) throws {
        let today = book.today
        try book.write { tx in
            for name in names.prefix(3 + Int(random.next() % 3)) {
                let customer = try tx.create(.customer, scope: nil, fields: [
                    FieldAssignment(Schema.F.name, .text(name)),
                    FieldAssignment(Schema.F.tier, Tier.allCases[Int(random.next() % 4)].value),
                    FieldAssignment(Schema.F.aum, .money(Int64(random.next() % 1_000) * 1_000_000)),
                ])
                if random.next() % 2 == 0 { try tx.add(customer, Schema.F.tags, tags[Int(random.next() % 4)]) }
                if random.next() % 2 == 0 {
                    try tx.create(.family, scope: .customer(customer), fields: [
                        FieldAssignment(Schema.F.name, .text(name + "之女")), FieldAssignment(Schema.F.relation, .text("女儿")),
                        FieldAssignment(Schema.F.birthday, .date(today.adding(days: -9000))),
                    ])
                }
                if random.next() % 2 == 0 {
                    try tx.create(.task, scope: .customer(customer), fields: [
                        FieldAssignment(Schema.F.text, .text("回电话")), FieldAssignment(Schema.F.due, .date(today)),
                    ])
                }
            }
        }
    }

    /// One command of the shell's kinds: `set`, `tag`, `task`, `contact … next=`, `family` (add, set, remove),
    /// `archive`/`unarchive`, `add`, `done`, `plan`, `product`.
    /// What a command reads before its transaction (a book is not reentrant).
    struct Context {
        var customers: [EntityID]
        var family: [EntityID: [EntityID]]
        var openTask: EntityID?
        var today: Day
        var principal: String

        init(_ book: Book) throws {
            customers = try book.find(includeArchived: true).map(\.id)
            family = Dictionary(grouping: try book.entities(kind: .family), by: { $0.scope.customer! }).mapValues { $0.map(\.id) }
            openTask = try book.entities(kind: .task).first { $0.value(Schema.F.done) != .bool(true) }?.id
            today = book.today
            principal = book.principal
        }
    }

    static func randomCommand(_ tx: BookTransaction, _ context: Context, _ random: inout SplitMix64) throws {
        let customers = context.customers
        let customer = customers[Int(random.next() % UInt64(customers.count))]
        let today = context.today
        switch random.next() % 11 {
        case 0:  // set several fields, clearing some
            let choices: [(FieldID, Value)] = [
                (Schema.F.name, .text(names[Int(random.next() % 6)] + "新")), (Schema.F.phone, .text("1390000\(1000 + random.next() % 9000)")),
                (Schema.F.phone, .null), (Schema.F.aum, .money(Int64(random.next() % 5_000) * 100_000)),
                (Schema.F.tier, Tier.allCases[Int(random.next() % 4)].value), (Schema.F.note, .text("备注\(random.next() % 100)")),
                (Schema.F.note, .null), (Schema.F.birthday, .date(today.adding(days: -Int(random.next() % 30_000)))),
            ]
            for _ in 0...(random.next() % 3) {
                let (field, value) = choices[Int(random.next() % UInt64(choices.count))]
                try tx.set(customer, field, value)
            }
        case 1:  // tag +a -b
            for tag in tags where random.next() % 2 == 0 {
                if random.next() % 2 == 0 { try tx.add(customer, Schema.F.tags, tag) } else { try tx.remove(customer, Schema.F.tags, tag) }
            }
        case 2:
            try tx.create(.task, scope: random.next() % 3 == 0 ? .principal(context.principal) : .customer(customer), fields: [
                FieldAssignment(Schema.F.text, .text("约见")), FieldAssignment(Schema.F.due, .date(today.adding(days: 1))),
                FieldAssignment(Schema.F.at, .text("14:30")), FieldAssignment(Schema.F.place, AppointmentPlace.home.value),
            ])
        case 3:  // contact with next=: a contact and a task
            try tx.create(.contact, scope: .customer(customer), fields: [
                FieldAssignment(Schema.F.channel, ContactChannel.call.value), FieldAssignment(Schema.F.date, .date(today)),
                FieldAssignment(Schema.F.text, .text("介绍新品")), FieldAssignment(Schema.F.next, .date(today.adding(days: 3))),
            ])
            try tx.create(.task, scope: .customer(customer), fields: [
                FieldAssignment(Schema.F.text, .text("回访")), FieldAssignment(Schema.F.due, .date(today.adding(days: 3))),
            ])
        case 4:
            try tx.create(.family, scope: .customer(customer), fields: [
                FieldAssignment(Schema.F.name, .text("家人\(random.next() % 10)")), FieldAssignment(Schema.F.relation, .text("配偶")),
            ])
        case 5, 6:  // family set / remove
            guard let member = context.family[customer]?.first else {
                try tx.create(.family, scope: .customer(customer), fields: [FieldAssignment(Schema.F.name, .text("家人"))])
                return
            }
            if random.next() % 2 == 0 {
                try tx.updateFamilyMember(member, [
                    FieldAssignment(Schema.F.birthday, .date(today.adding(days: -Int(random.next() % 20_000)))),
                    FieldAssignment(Schema.F.relation, .text("儿子")),
                ])
            } else {
                try tx.removeFamilyMember(member)
            }
        case 7:
            if try tx.isArchived(customer) { try tx.unarchive(customer) } else { try tx.archive(customer) }
        case 8:
            let id = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("新客户"))])
            try tx.add(id, Schema.F.tags, "新客")
        case 9:  // done, or plan
            if let task = context.openTask {
                try tx.set(task, Schema.F.done, .bool(true))
            } else {
                try tx.create(.worklog, scope: .customer(customer), fields: [
                    FieldAssignment(Schema.F.entry, WorkLogEntryKind.plan.value), FieldAssignment(Schema.F.date, .date(today.adding(days: 1))),
                    FieldAssignment(Schema.F.customer, .text(customer.text)),
                ])
            }
        default:
            try tx.create(.product, scope: .global, fields: [
                FieldAssignment(Schema.F.code, .text("P\(random.next() % 100)")), FieldAssignment(Schema.F.name, .text("稳健理财")),
            ])
        }
    }

    // MARK: - Examples

    @Test("a set comes back to its earlier value, or is cleared; history keeps both")
    func registers() throws {
        let book = try memoryBook()
        let id = try addCustomer(book, "王芳", [FieldAssignment(Schema.F.phone, .text("13800138000"))])
        let ops = try Self.command(book) { tx in
            try tx.set(id, Schema.F.phone, .text("13900139000"))
            try tx.set(id, Schema.F.aum, .money(100_000_000))
            try tx.set(id, Schema.F.phone, .text("13700137000"))  // twice in one command
        }
        let result = try book.write { tx in try tx.undo(ops) }
        #expect(result.restoredFields == 2)
        #expect(result.customers == [id])
        let card = try #require(try book.snapshot(of: id))
        #expect(card.value(Schema.F.phone) == .text("13800138000"))
        #expect(card.value(Schema.F.aum) == .null)
        #expect(try book.history(of: .customer(id)).count == 1 + 3 + 2)
        // Undoing the undo redoes.
        let redo = try book.write { tx in try tx.undo(result.ops) }
        #expect(redo.ops.count == 2)
        #expect(try book.snapshot(of: id)?.value(Schema.F.phone) == .text("13700137000"))
    }

    @Test("created entities are archived; tags come back; a removed family member returns")
    func createsAndSets() throws {
        let book = try memoryBook()
        let id = try addCustomer(book, "李明")
        try book.write { tx in try tx.add(id, Schema.F.tags, "VIP") }
        let member = try book.write { tx in
            try tx.create(.family, scope: .customer(id), fields: [FieldAssignment(Schema.F.name, .text("李小明"))])
        }
        let ops = try Self.command(book) { tx in
            try tx.remove(id, Schema.F.tags, "VIP")
            try tx.add(id, Schema.F.tags, "沙龙")
            try tx.create(.task, scope: .customer(id), fields: [
                FieldAssignment(Schema.F.text, .text("送生日礼")), FieldAssignment(Schema.F.due, .date(book.today)),
            ])
            try tx.removeFamilyMember(member)
        }
        let result = try book.write { tx in try tx.undo(ops) }
        #expect(result.restoredElements == 2 && result.archivedEntities.count == 1)
        #expect(try book.snapshot(of: id)?.sets[Schema.F.tags] == ["VIP"])
        #expect(try book.entities(in: .customer(id), kind: .task).isEmpty)
        #expect(try book.entities(in: .customer(id), kind: .family).map(\.id) == [member])
        #expect(try book.agendaInput().tasks.isEmpty)
    }

    @Test("refused, changing nothing, when another device changed it since")
    func refusals() throws {
        let mine = try memoryBook("M001", seed: 1)
        let theirs = try memoryBook("A007", seed: 2)
        let id = try addCustomer(mine, "王芳", [FieldAssignment(Schema.F.tier, Tier.diamond.value)])
        try exchange([mine, theirs])

        // A field another principal set since.
        let phone = try Self.command(mine) { tx in try tx.set(id, Schema.F.phone, .text("13900139000")) }
        try exchange([mine, theirs])
        try theirs.write { tx in try tx.set(id, Schema.F.phone, .text("13600136000")) }
        try exchange([mine, theirs])
        let count = try mine.opCount()
        do {
            try mine.write { tx in try tx.undo(phone) }
            Issue.record("expected a refusal")
        } catch let error as StoreError {
            #expect(error.code == .notPermitted)
            #expect(error.message.contains("电话") && error.message.contains("A007") && error.message.contains(id.short))
            #expect(!error.message.contains("王芳") && !error.message.contains("1360"), "no customer data")
        }
        #expect(try mine.opCount() == count)

        // A tag removed since, and a task done since.
        let tag = try Self.command(mine) { tx in try tx.add(id, Schema.F.tags, "沙龙") }
        let task = try Self.command(mine) { tx in
            try tx.create(.task, scope: .customer(id), fields: [
                FieldAssignment(Schema.F.text, .text("回电")), FieldAssignment(Schema.F.due, .date(mine.today)),
            ])
        }
        try exchange([mine, theirs])
        try theirs.write { tx in
            try tx.remove(id, Schema.F.tags, "沙龙")
            try tx.set(try tx.resolveEntity(task[0].body.entity.text, kind: .task), Schema.F.done, .bool(true))
        }
        try exchange([mine, theirs])
        #expect(throws: StoreError.self) { try mine.write { tx in try tx.undo(tag) } }
        #expect(throws: StoreError.self) { try mine.write { tx in try tx.undo(task) } }

        // Unrelated changes since do not stand in the way.
        let note = try Self.command(mine) { tx in try tx.set(id, Schema.F.note, .text("喜欢喝茶")) }
        try theirs.write { tx in try tx.set(id, Schema.F.aum, .money(1)) }
        try exchange([mine, theirs])
        try mine.write { tx in try tx.undo(note) }
        #expect(try mine.snapshot(of: id)?.value(Schema.F.note) == .null)
    }
}
