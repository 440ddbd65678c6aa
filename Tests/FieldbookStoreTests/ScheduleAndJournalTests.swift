import FieldbookModel
import FieldbookStore
import Testing

/// The day's schedule, the work log and the two-channel check (issue 18).
@Suite("Schedule, journal, two channels")
struct ScheduleAndJournalTests {
    @Test("the agenda's schedule: the day's appointments in time order, open ones only")
    func schedule() throws {
        let book = try memoryBook()
        let today = book.today
        let id = try addCustomer(book, "王芳")
        func task(_ text: String, due: Day, at: String?, place: AppointmentPlace? = nil, scope: Scope? = nil) throws -> EntityID {
            try book.write { tx in
                var fields = [FieldAssignment(Schema.F.text, .text(text)), FieldAssignment(Schema.F.due, .date(due))]
                if let at { fields.append(FieldAssignment(Schema.F.at, .text(at))) }
                if let place { fields.append(FieldAssignment(Schema.F.place, place.value)) }
                return try tx.create(.task, scope: scope ?? .customer(id), fields: fields)
            }
        }
        try task("上门送资料", due: today, at: "14:30", place: .home)
        try task("网点面谈", due: today, at: "09:30", place: .branch, scope: .principal(book.principal))
        try task("回电话", due: today, at: nil)
        try task("明天的约", due: today.adding(days: 1), at: "08:00")
        try task("昨天的约", due: today.adding(days: -1), at: "10:00")
        let done = try task("已见", due: today, at: "11:00")
        try book.write { tx in try tx.set(done, Schema.F.done, .bool(true)) }

        let agenda = Agenda(input: try book.agendaInput(), day: today)
        #expect(agenda.schedule.map(\.text) == ["网点面谈", "上门送资料"])
        #expect(agenda.schedule.map { $0.at?.text } == ["09:30", "14:30"])
        #expect(agenda.schedule.map(\.place) == [.branch, .home])
        #expect(Set(agenda.tasks.map(\.text)) == ["上门送资料", "网点面谈", "回电话", "昨天的约"], "tasks keep every due one")
        #expect(Agenda(input: try book.agendaInput(), day: today.adding(days: 1)).schedule.map(\.text) == ["明天的约"])
        #expect(throws: StoreError.self) {
            try book.write { tx in try tx.set(done, Schema.F.at, .text("9:30")) }  // not HH:MM as stored
        }
    }

    @Test("the journal: each contact of the day with what was said; a purged customer keeps its line, not its name")
    func journal() throws {
        let book = try memoryBook()
        let today = book.today
        let wang = try addCustomer(book, "王芳")
        let li = try addCustomer(book, "李明")
        let other = try memoryBook("A007", seed: 9)
        try exchange([book, other])
        func contact(_ customer: EntityID, _ channel: ContactChannel, _ text: String, day: Day, in target: Book? = nil) throws {
            try (target ?? book).write { tx in
                try tx.create(.contact, scope: .customer(customer), fields: [
                    FieldAssignment(Schema.F.channel, channel.value), FieldAssignment(Schema.F.date, .date(day)),
                    FieldAssignment(Schema.F.text, .text(text)), FieldAssignment(Schema.F.outcome, .text("有意向")),
                ])
            }
        }
        try contact(wang, .call, "介绍新发的理财", day: today)
        try contact(li, .visit, "到网点面谈", day: today)
        try contact(li, .call, "确认时间", day: today)
        try contact(wang, .call, "昨天的电话", day: today.adding(days: -1))
        try contact(wang, .call, "顾问的电话", day: today, in: other)
        try exchange([book, other])
        try book.write { tx in
            try tx.create(.worklog, scope: .customer(wang), fields: [
                FieldAssignment(Schema.F.entry, WorkLogEntryKind.plan.value), FieldAssignment(Schema.F.date, .date(today.adding(days: 1))),
                FieldAssignment(Schema.F.customer, .text(wang.text)),
            ])
        }

        let journal = try book.journal(on: today)
        #expect(journal.lines.map(\.name) == ["王芳", "李明", "李明"], "own contacts of the day, in the order recorded")
        #expect(journal.lines.map(\.text) == ["介绍新发的理财", "到网点面谈", "确认时间"])
        #expect(journal.lines.map(\.channel) == ["call", "visit", "call"])
        #expect(journal.lines[0].outcome == "有意向")
        #expect(journal.calls == 2 && journal.callTarget == 20 && journal.contacts == 3)
        #expect(journal.byChannel.map(\.channel) == ["call", "visit"] && journal.byChannel.map(\.count) == [2, 1])
        #expect(journal.plan.map(\.customer) == [wang])

        try book.purge([Book.PurgeRecord(customer: li, reason: 2, newOwner: nil)])
        let after = try book.journal(on: today)
        #expect(after.contacts == 3 && after.calls == 2 && after.purgedContacts == 2, "the day's counts do not change")
        #expect(after.lines.map(\.name) == ["王芳", nil, nil])
        #expect(after.lines.map(\.channel) == ["call", "call", "visit"])
        #expect(after.lines.dropFirst().allSatisfy { $0.text == nil && $0.customer == nil && $0.isPurged })
        #expect(after.byChannel.map(\.count) == [2, 1])
    }

    @Test("another principal's contacts in the window, newest first, one per principal")
    func twoChannels() throws {
        let book = try memoryBook()
        let today = book.today
        let wang = try addCustomer(book, "王芳")
        let advisor = try memoryBook("A007", seed: 9)
        let remote = try memoryBook("R003", seed: 10)
        try exchange([book, advisor, remote])
        func contact(_ target: Book, daysAgo: Int, _ channel: ContactChannel = .call) throws {
            try target.write { tx in
                try tx.create(.contact, scope: .customer(wang), fields: [
                    FieldAssignment(Schema.F.channel, channel.value), FieldAssignment(Schema.F.date, .date(today.adding(days: -daysAgo))),
                ])
            }
        }
        try contact(book, daysAgo: 0)
        try contact(advisor, daysAgo: 8)
        try contact(remote, daysAgo: 3, .message)
        try exchange([book, advisor, remote])
        #expect(try book.otherChannelContacts(customer: wang, days: 7).map(\.author) == ["R003"])
        try contact(advisor, daysAgo: 6, .visit)
        try contact(advisor, daysAgo: 1, .home)
        try exchange([book, advisor, remote])
        let found = try book.otherChannelContacts(customer: wang, days: 7)
        #expect(found.map(\.author) == ["A007", "R003"])
        #expect(found.map(\.channel) == ["home", "message"] && found[0].day == today.adding(days: -1))
        #expect(try book.otherChannelContacts(customer: wang, days: 1).isEmpty)
        #expect(try book.otherChannelContacts(customer: wang, days: 30).count == 2)
        #expect(try advisor.otherChannelContacts(customer: wang, days: 7).map(\.author) == ["M001", "R003"])

        var settings = try book.agendaSettings()
        #expect(settings.overlapDays == 7)
        try settings.apply(key: "overlap", value: "14")
        try book.saveAgendaSettings(settings)
        #expect(try book.agendaSettings().overlapDays == 14)
        #expect(throws: ModelError.self) { try settings.apply(key: "overlap", value: "0") }
    }
}
