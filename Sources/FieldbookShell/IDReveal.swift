import Foundation
import FieldbookModel
import FieldbookStore

/// Masked ID numbers (身份证号) and the audit record of every request to see one whole (issue 19).
///
/// The card (`show`), `history` and `export csv` show an ID number as its first 6 and last 4 characters
/// (`110101********1234`) unless the user asks for it: `show REF --reveal`, `history REF --reveal`,
/// `export csv … --with-id-numbers`. Each such request that shows at least one ID number is recorded as a work-log
/// entry in the principal's own scope (`p:CODE`): `entry=journal` (a choice every peer already accepts), the day,
/// `customer` = the customer's entity ID, and a text saying what was revealed and how, never the number. `journal`
/// lists these entries under 查看身份证号.
enum IDReveal {
    /// The text of the mask's stars in a masked ID number.
    static let star: Character = "*"

    /// An ID number with all but its first 6 and last 4 characters masked: `110101********1234`.
    static func mask(_ number: String) -> String {
        let characters = Array(number)
        guard characters.count > 10 else { return String(repeating: star, count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: star, count: characters.count - 10)
            + String(characters.suffix(4))
    }

    /// Whether a cell is a masked ID number as ``mask(_:)`` writes it (an export re-imported).
    static func isMasked(_ cell: String) -> Bool {
        let characters = Array(cell.trimmingCharacters(in: .whitespaces))
        guard characters.count == 18 else { return false }
        let middle = characters[6..<14]
        return middle.allSatisfy { $0 == star } && characters.prefix(6).allSatisfy(\.isASCIIDigit)
            && characters.suffix(4).allSatisfy { $0.isASCIIDigit || $0 == "X" || $0 == "x" }
    }

    /// A value as shown: an ID number masked unless `reveal`, a choice by its Chinese name, anything else as is.
    static func shown(_ field: FieldID, _ value: Value, reveal: Bool) -> String {
        guard let spec = Schema.field(field) else { return value.display }
        if spec.type == .idNumber, !reveal, case .text(let number) = value { return mask(number) }
        return spec.shown(value)
    }

    /// A value as JSON, an ID number masked unless `reveal`.
    static func json(_ field: FieldID, _ value: Value, reveal: Bool) -> JSON {
        if !reveal, Schema.field(field)?.type == .idNumber, case .text(let number) = value { return .string(mask(number)) }
        return Render.json(value)
    }

    /// What was revealed, as recorded in the work log and shown by `journal`.
    enum Request: String {
        case card = "查看完整身份证号：客户卡片（show --reveal）"
        case history = "查看完整身份证号：变更历史（history --reveal）"
        case export = "导出完整身份证号：CSV（export csv --with-id-numbers）"
    }

    /// Records that this principal saw the whole ID numbers of some customers, in one transaction.
    static func record(_ request: Request, customers: [EntityID], session: Session) throws {
        guard !customers.isEmpty else { return }
        let principal = session.book.principal
        let today = session.today
        try session.book.write { tx in
            for customer in customers {
                try tx.create(
                    .worklog, scope: .principal(principal),
                    fields: [
                        FieldAssignment(Schema.F.entry, WorkLogEntryKind.journal.value), FieldAssignment(Schema.F.date, .date(today)),
                        FieldAssignment(Schema.F.customer, .text(customer.text)),
                        FieldAssignment(Schema.F.text, .text(request.rawValue)),
                    ])
            }
        }
    }

    /// Whether a work-log entry is a reveal record (``record(_:customers:session:)``).
    static func isRecord(_ entry: WorkLogEntry) -> Bool {
        !entry.isPlan && entry.customer != nil && Request(rawValue: entry.text ?? "") != nil
    }
}
