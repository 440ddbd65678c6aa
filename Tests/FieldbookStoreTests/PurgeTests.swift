import FieldbookModel
import FieldbookTestSupport
import Foundation
import GRDB
import Testing

@testable import FieldbookStore

/// A purge erases (issue 15): every table is covered by a purge step or holds no customer data, and the raw file
/// keeps no piece of a purged customer.
@Suite struct PurgeTests {
    /// Markers planted in the customer that leaves; each is distinctive enough that any 3-character piece found
    /// in the raw files can only have come from it.
    static let markers = [
        "蔺霁雯", "13987654321", "44030419780615382X", "备注：葆珩淼琮璎", "计划：邝翊翀彧", "联系：鏊璟骞骐",
    ]

    /// Makes a book on disk with the customer carrying every marker (and its plan entry and contact) and a second
    /// customer who stays.
    static func plantedBook(in folder: TemporaryDirectory) throws -> (Book, EntityID, EntityID) {
        let book = try Book.create(at: folder.file("book.sqlite"), principal: "M001", options: .fixed(milliseconds: 1_795_400_000_000, seed: 7))
        let planted = try book.write { tx in
            let id = try tx.create(
                .customer, scope: nil,
                fields: [
                    FieldAssignment(Schema.F.name, .text(markers[0])), FieldAssignment(Schema.F.phone, .text(markers[1])),
                    FieldAssignment(Schema.F.idNumber, .text(markers[2])), FieldAssignment(Schema.F.note, .text(markers[3])),
                ])
            try tx.create(
                .worklog, scope: .customer(id),
                fields: [
                    FieldAssignment(Schema.F.entry, .text("plan")), FieldAssignment(Schema.F.customer, .text(id.text)),
                    FieldAssignment(Schema.F.date, .date(Day(year: 2026, month: 11, day: 24)!)),
                    FieldAssignment(Schema.F.text, .text(markers[4])),
                ])
            try tx.create(
                .contact, scope: .customer(id),
                fields: [
                    FieldAssignment(Schema.F.channel, .text("call")), FieldAssignment(Schema.F.text, .text(markers[5])),
                    FieldAssignment(Schema.F.date, .date(Day(year: 2026, month: 11, day: 23)!)),
                ])
            return id
        }
        // Several index segments, as a book that lives for a while has.
        for round in 0..<3 { try book.write { tx in try tx.set(planted, Schema.F.note, .text(markers[3] + String(round))) } }
        try book.write { tx in try tx.set(planted, Schema.F.note, .text(markers[3])) }
        let kept = try addCustomer(book, "王芳", [FieldAssignment(Schema.F.note, .text("老客户"))])
        return (book, planted, kept)
    }

    @Test func everyTableIsCovered() throws {
        let folder = TemporaryDirectory()
        let (book, _, _) = try Self.plantedBook(in: folder)
        let tables = try book.database.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        let covered = Book.purgedTables.union(Book.tablesWithoutCustomerData)
        let uncovered = tables.filter { !covered.contains($0) }
        #expect(uncovered.isEmpty, "a table that no PurgeStep erases and that is not listed as holding no customer data: \(uncovered)")
        #expect(Book.purgedTables.isDisjoint(with: Book.tablesWithoutCustomerData))
    }

    @Test func reassignedCustomerLeavesNoPieceInTheFiles() throws {
        let folder = TemporaryDirectory()
        let (book, planted, kept) = try Self.plantedBook(in: folder)
        #expect(!RawFileScan.hits(in: folder.path, markers: Self.markers).isEmpty, "the scan finds what is there")
        let removed = try book.purge([Book.PurgeRecord(customer: planted, reason: 1, newOwner: "M002")])
        #expect(removed.map(\.customer) == [planted])
        let hits = RawFileScan.hits(in: folder.path, markers: Self.markers)
        #expect(hits.isEmpty, "\(hits.prefix(10))")
        // The rest of the book still works, search included.
        #expect(try book.find(text: "王芳").map(\.id) == [kept])
        #expect(try book.find(text: "老客").map(\.id) == [kept])
        #expect(try book.find(text: Self.markers[0]).isEmpty)
        #expect(try book.workLog().isEmpty, "the plan entry went with the customer")
        let integrity = try book.database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        try book.database.write { db in try db.execute(sql: "INSERT INTO customer_fts (customer_fts) VALUES ('integrity-check')") }
    }

    @Test func theDayKeepsItsCountsNotTheCustomer() throws {
        let folder = TemporaryDirectory()
        let (book, planted, _) = try Self.plantedBook(in: folder)
        let day = Day(year: 2026, month: 11, day: 23)!
        #expect(try book.purgedContacts(on: day).isEmpty)
        try book.purge([Book.PurgeRecord(customer: planted, reason: 2, newOwner: nil)])
        #expect(try book.purgedContacts(on: day) == ["call": 1])
        #expect(try book.contacts(on: day).isEmpty)
    }

    @Test func eraseLeavesNoFile() throws {
        let folder = TemporaryDirectory()
        let (book, _, _) = try Self.plantedBook(in: folder)
        #expect(try book.erase() == 2)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(left.isEmpty, "\(left)")
    }

    @Test func rawScanDecodesHistoryFiles() {
        // What libedit writes for `set 欧阳 x`: each UTF-8 byte of 欧阳 as \M- or \M^, a space as \040.
        let written = Array(#"set\040\M-f\M-,\M-'\M-i\M^X\M-3\040x"#.utf8)
        #expect(RawFileScan.unvis(written) == Array("set 欧阳 x".utf8))
        #expect(RawFileScan.pieces(of: "abcd") == ["abcd", "abc", "bcd"])
        // Digits count only where the run of digits around them belongs to the marker.
        let phone = Array("13987654321".utf8)
        #expect(RawFileScan.occurs(Array("139".utf8), in: Array("|139|".utf8), of: phone))
        #expect(RawFileScan.occurs(Array("139".utf8), in: Array("\u{0}1398765\u{0}".utf8), of: phone))
        #expect(!RawFileScan.occurs(Array("139".utf8), in: Array("t1795401390012".utf8), of: phone))
        #expect(!RawFileScan.occurs(Array("139".utf8), in: Array("\u{1}a139f0\u{2}".utf8), of: phone))
        #expect(RawFileScan.occurs(Array("霁雯".utf8), in: Array("蔺霁雯".utf8), of: Array("蔺霁雯".utf8)))
    }
}
