import FieldbookModel
import FieldbookStore
import Testing

/// Archiving customers and correcting family members (issue 18): hidden, never deleted.
@Suite("Archive and family")
struct ArchiveAndFamilyTests {
    @Test("an archived customer leaves find, segments, completion and the agenda, and comes back")
    func archive() throws {
        let book = try memoryBook()
        let today = book.today
        let id = try addCustomer(book, "王芳", [FieldAssignment(Schema.F.birthday, .date(Day(year: 1960, month: today.civil.month, day: today.civil.day)!))])
        try addCustomer(book, "王小明")
        try book.write { tx in
            try tx.create(.task, scope: .customer(id), fields: [
                FieldAssignment(Schema.F.text, .text("回电")), FieldAssignment(Schema.F.due, .date(today)),
            ])
        }
        let ops = try book.opCount()
        #expect(try book.write { tx in try tx.archive(id) } != nil)
        #expect(try book.write { tx in try tx.archive(id) } == nil, "archived already: no op")
        #expect(try book.opCount() == ops + 1)
        #expect(try book.find(CustomerQuery(text: "王")).matches.map(\.customer.name) == ["王小明"])
        #expect(try book.find(CustomerQuery(text: "王", includeArchived: true)).matches.map(\.customer.archived) == [false, true])
        #expect(try book.customers(withPrefix: "王").map(\.name) == ["王小明"])
        let agenda = Agenda(input: try book.agendaInput(), day: today)
        #expect(agenda.birthdays.isEmpty && agenda.tasks.isEmpty && !agenda.overdueContacts.contains { $0.customer == id })
        #expect(try book.write { tx in try tx.unarchive(id) } != nil)
        #expect(try book.write { tx in try tx.unarchive(id) } == nil)
        #expect(try book.find(CustomerQuery(text: "王")).matches.count == 2)
        #expect(Agenda(input: try book.agendaInput(), day: today).birthdays.map(\.name) == ["王芳"])
        #expect(try book.history(of: .customer(id)).count == 4, "create, task, archive, unarchive: nothing deleted")
        let task = try book.entities(kind: .task)[0].id
        #expect(throws: StoreError.self) { try book.write { tx in try tx.archive(task) } }
    }

    @Test("a family member is corrected and removed by its short ID; the card and the birthdays follow")
    func family() throws {
        let book = try memoryBook()
        let today = book.today
        let id = try addCustomer(book, "李明")
        let wrong = Day(year: 2010, month: 1, day: 1)!
        let member = try book.write { tx in
            try tx.create(.family, scope: .customer(id), fields: [
                FieldAssignment(Schema.F.name, .text("李小雨")), FieldAssignment(Schema.F.relation, .text("女儿")),
                FieldAssignment(Schema.F.birthday, .date(wrong)),
            ])
        }
        let birthday = Day(year: 2012, month: today.civil.month, day: today.civil.day)!
        let ops = try book.write { tx in
            let resolved = try tx.resolveFamilyMember(member.short)
            return try tx.updateFamilyMember(resolved, [
                FieldAssignment(Schema.F.birthday, .date(birthday)), FieldAssignment(Schema.F.relation, .text("女儿")),
            ])
        }
        #expect(ops.count == 1, "an unchanged relation writes nothing")
        #expect(try book.snapshot(of: member)?.value(Schema.F.birthday) == .date(birthday))
        let birthdays = Agenda(input: try book.agendaInput(), day: today).birthdays
        #expect(birthdays.map(\.name) == ["李小雨"] && birthdays[0].age == today.civil.year - 2012, "once, with the new day")
        #expect(throws: StoreError.self) {
            try book.write { tx in try tx.updateFamilyMember(member, [FieldAssignment(Schema.F.archived, .bool(true))]) }
        }
        #expect(throws: StoreError.self) {
            try book.write { tx in try tx.updateFamilyMember(member, [FieldAssignment(Schema.F.aum, .money(1))]) }
        }
        #expect(throws: StoreError.self) { try book.write { tx in try tx.updateFamilyMember(id, []) } }

        #expect(try book.write { tx in try tx.removeFamilyMember(member) } != nil)
        #expect(try book.write { tx in try tx.removeFamilyMember(member) } == nil)
        #expect(try book.entities(in: .customer(id), kind: .family).isEmpty)
        #expect(Agenda(input: try book.agendaInput(), day: today).birthdays.isEmpty)
        do {
            _ = try book.write { tx in try tx.resolveFamilyMember(member.short) }
            Issue.record("a removed member resolves")
        } catch let error as StoreError {
            #expect(error.code == .unknownReference && !error.message.contains("李小雨"))
        }
        #expect(try book.history(of: .customer(id)).count == 4, "nothing leaves the log")
    }
}
