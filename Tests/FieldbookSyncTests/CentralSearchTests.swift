// CentralSearchTests.swift: the centre keeps no full-text index (issue 16: its push path rewrote the index entries of
// every customer a push touched) and `admin find` still finds by any piece of a name, phone or note.

import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookStore
import GRDB
import Testing

@Suite("The centre's search without an index")
struct CentralSearchTests {
    @Test("the centre has no search index, a device book has one, and admin find matches pieces of any length and pinyin")
    func noIndexAtTheCentre() throws {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: 1_795_395_600_000, seed: 90))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        #expect(try central.book.database.read { try Book.hasSearchIndex($0) } == false)
        let device = try Book.inMemory(principal: "M001")
        #expect(try device.database.read { try Book.hasSearchIndex($0) })

        _ = try central.book.write { tx in
            try tx.create(.customer, scope: nil, fields: [
                FieldAssignment(Schema.F.name, .text("欧阳明月")), FieldAssignment(Schema.F.phone, .text("13912345678")),
            ])
        }
        for piece in ["欧阳", "阳明月", "欧阳明月", "1234567", "678"] {
            #expect(try central.findCustomers(piece).map(\.name) == ["欧阳明月"], "\(piece)")
        }
        #expect(try central.findCustomers("明日").isEmpty)
        // The name's initials and pinyin, from the key the projector keeps on the row.
        #expect(try central.findCustomers("oymy").map(\.name) == ["欧阳明月"])
        #expect(try central.findCustomers("ouyangmingyue").map(\.name) == ["欧阳明月"])
    }
}
