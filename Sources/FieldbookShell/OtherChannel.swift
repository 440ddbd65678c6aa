import FieldbookModel
import FieldbookStore

/// Two channels, one customer (issue 18; seeds 002/003, 避免多层次营销): when a manager records a contact with a
/// customer, or opens the card, that another principal (the co-covering advisor, a remote-maintenance manager)
/// contacted in the last `overlap` days (settings, 7 by default), the shell says who and when, before the centre's
/// overlap report catches it.
enum OtherChannel {
    /// The notice for a customer, or `nil` when no one else contacted them in the window.
    ///
    /// `注意：7 天内 A007（昨天，上门）、R003（11-21 周六，短信）联系过这位客户，先和同事通个气，避免重复营销`
    static func notice(_ session: Session, customer: EntityID) throws -> String? {
        let days = try session.book.agendaSettings().overlapDays
        let others = try session.book.otherChannelContacts(customer: customer, days: days, today: session.today)
        guard !others.isEmpty else { return nil }
        let list = others.map { contact -> String in
            let when: String =
                switch session.today.number - contact.day.number {
                case 0: "今天"
                case 1: "昨天"
                default: contact.day.short
                }
            return "\(contact.author)（\(when)，\(JournalCommands.channelLabel(contact.channel))）"
        }
        return "注意：\(days) 天内 \(list.joined(separator: "、"))联系过这位客户，先和同事通个气，避免重复营销"
    }
}
