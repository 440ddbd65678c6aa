// CentralOwnerIndexTests.swift: the book keeps no (field, value) index on its registers (book migration v9, issue 20:
// a second copy of every value); the centre finds a principal's customers through its own index of `owner` values.

import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookStore
import Foundation
import GRDB
import Testing

@Suite("The centre's owner index")
struct CentralOwnerIndexTests {
    @Test("the centre indexes only owner values, finds a principal's customers through that index, and a device has none of it")
    func ownerLookup() throws {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: 1_795_395_600_000, seed: 91))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        try central.addPrincipal("M002", name: "李经理", role: .manager)
        var owned: [String: [EntityID]] = [:]
        for (index, owner) in ["M001", "M002", "M001"].enumerated() {
            let id = try central.book.write { tx in
                try tx.create(.customer, scope: nil, fields: [
                    FieldAssignment(Schema.F.name, .text("客户\(index)")), FieldAssignment(Schema.F.phone, .text("1380013800\(index)")),
                ])
            }
            try central.assign(id.text, to: owner)
            owned[owner, default: []].append(id)
        }
        try central.book.database.read { db in
            #expect(Set(try Book.customers(ownedBy: "M001", db: db)) == Set(owned["M001"]!))
            #expect(try Book.customers(ownedBy: "M002", db: db) == owned["M002"]!)
            #expect(try Book.customers(ownedBy: "M003", db: db).isEmpty)
            // The partial index holds the owner values (and only those: its WHERE).
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM reg_value INDEXED BY reg_value_owner WHERE field = \(Schema.F.owner.rawValue)") == 3)
            let details = try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN " + Book.ownedBySQL, arguments: [Data(Value.text("M001").canonicalBytes)]
            ).map { $0["detail"] as String }
            #expect(details.contains { $0.contains("reg_value_owner") }, "\(details)")
        }
        let device = try Book.inMemory(principal: "M001")
        let indexes = try device.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        #expect(!indexes.contains("reg_value_owner") && !indexes.contains("reg_value_field"))
    }
}
