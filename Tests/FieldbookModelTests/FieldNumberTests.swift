import FieldbookModel
import Testing

/// ``Schema/F`` is the one table of field numbers beside ``Schema/fields`` (issue 19): every constant names the
/// field the schema gives that number.
@Suite("Field numbers")
struct FieldNumberTests {
    static let table: [(FieldID, String, EntityKind)] = [
        (Schema.F.name, "name", .customer), (Schema.F.phone, "phone", .customer),
        (Schema.F.idNumber, "id_number", .customer), (Schema.F.address, "address", .customer),
        (Schema.F.birthday, "birthday", .customer), (Schema.F.gender, "gender", .customer),
        (Schema.F.region, "region", .customer), (Schema.F.occupation, "occupation", .customer),
        (Schema.F.education, "education", .customer), (Schema.F.income, "income", .customer),
        (Schema.F.aum, "aum", .customer), (Schema.F.tier, "tier", .customer),
        (Schema.F.familiarity, "familiarity", .customer), (Schema.F.group, "group", .customer),
        (Schema.F.stage, "stage", .customer), (Schema.F.customerRisk, "risk", .customer),
        (Schema.F.riskDate, "risk_date", .customer), (Schema.F.contactTime, "contact_time", .customer),
        (Schema.F.note, "note", .customer), (Schema.F.owner, "owner", .customer),
        (Schema.F.archived, "archived", .customer), (Schema.F.tags, "tags", .customer),
        (Schema.F.cocoverers, "cocoverers", .customer), (Schema.F.relation, "relation", .family),
        (Schema.F.product, "product", .purchase), (Schema.F.amount, "amount", .purchase),
        (Schema.F.price, "price", .purchase), (Schema.F.date, "date", .purchase),
        (Schema.F.expected, "expected", .purchase), (Schema.F.takeProfit, "take_profit", .purchase),
        (Schema.F.stopLoss, "stop_loss", .purchase), (Schema.F.matures, "matures", .purchase),
        (Schema.F.warning, "warning", .purchase), (Schema.F.channel, "channel", .contact),
        (Schema.F.text, "text", .contact), (Schema.F.outcome, "outcome", .contact), (Schema.F.next, "next", .contact),
        (Schema.F.due, "due", .task), (Schema.F.done, "done", .task), (Schema.F.at, "at", .task),
        (Schema.F.place, "where", .task), (Schema.F.status, "status", .complaint),
        (Schema.F.resolution, "resolution", .complaint), (Schema.F.code, "code", .product),
        (Schema.F.productRisk, "risk", .product), (Schema.F.kind, "kind", .product),
        (Schema.F.priceDate, "price_date", .product), (Schema.F.prices, "prices", .product),
        (Schema.F.customer, "customer", .worklog), (Schema.F.entry, "entry", .worklog),
    ]

    @Test func everyConstantNamesItsField() throws {
        for (id, name, kind) in Self.table {
            #expect(try Schema.field(named: name, for: kind).id == id, "\(name)")
        }
    }

    @Test func everyFieldHasAConstant() {
        #expect(Set(Self.table.map(\.0)) == Set(Schema.fields.map(\.id)))
    }
}
