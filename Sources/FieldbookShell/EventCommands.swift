import FieldbookModel
import FieldbookStore

/// `contact` (and, with later issues, the other events).
enum EventCommands {
    static func contact(_ session: Session, _ arguments: inout Arguments) throws {
        let spec = Commands.spec("contact")
        guard arguments.positionals.count >= 3 else {
            throw spec.usageError(arguments.positionals.count < 2 ? "缺少客户或联系方式" : "缺少联系内容")
        }
        let reference = arguments.positionals[0]
        let channel = try Schema.field(Schema.F.channel)!.parse(arguments.positionals[1], today: session.today)
        let text = arguments.positionals.dropFirst(2).joined(separator: " ")
        var fields = [
            FieldAssignment(Schema.F.channel, channel), FieldAssignment(Schema.F.text, .text(text)),
            FieldAssignment(Schema.F.date, .date(session.today)),
        ]
        let extra = try session.fieldValues(arguments.assignments, kind: .contact)
        fields.removeAll { field in extra.contains { $0.field == field.field } }
        fields += extra
        let next = fields.first { $0.field == Schema.F.next }?.value.day
        let customer = try session.book.write { tx in
            let customer = try tx.resolveCustomer(reference)
            try tx.create(.contact, scope: .customer(customer), fields: fields)
            if let next {
                try tx.create(
                    .task, scope: .customer(customer),
                    fields: [FieldAssignment(Schema.F.text, .text("跟进：" + text)), FieldAssignment(Schema.F.due, .date(next))])
            }
            return customer
        }
        let name = try session.book.snapshot(of: customer)?.text(Schema.F.name) ?? ""
        session.say("已记录联系：\(name) [\(customer.short)] \(Schema.field(Schema.F.channel)!.shown(channel))")
        if let next { session.say("已建跟进待办：\(next.short)") }
        if let notice = try OtherChannel.notice(session, customer: customer) { session.say(session.style.yellow(notice)) }
    }
}
