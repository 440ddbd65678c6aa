import FieldbookModel
import FieldbookShell
import FieldbookStore
import Testing

/// Issue 19: the demo book's phones and ID numbers are ones a user could type, so a demo customer can be edited and
/// exported and imported again without a refusal.
@Suite("The demo book's phones and ID numbers pass the typed-input checks")
struct DemoInputTests {
    @Test func demoValuesParse() throws {
        let today = Day(year: 2026, month: 11, day: 23)!
        let (book, _) = try DemoBook.inMemory(DemoBook.Configuration(seed: 1, today: today, customers: 120))
        var phones = 0
        var idNumbers = 0
        for kind in [EntityKind.customer, .family] {
            for entity in try book.entities(kind: kind) {
                for field in [Schema.F.phone, Schema.F.idNumber] {
                    guard case .text(let stored)? = entity.value(field), let spec = Schema.field(field) else { continue }
                    #expect(try spec.parse(stored, today: today) == .text(stored), "\(spec.name) of \(entity.id.short)")
                    if field == Schema.F.phone { phones += 1 } else { idNumbers += 1 }
                }
            }
        }
        #expect(phones > 100 && idNumbers >= 120)
    }
}
