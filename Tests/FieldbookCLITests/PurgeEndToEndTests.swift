import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// Issue 15 end to end, with the real executable and a real central node: a customer that leaves a device
/// (reassigned away, co-coverage ended, the device revoked) leaves no piece of itself in any file under the book's
/// folder: the book, its WAL and shared memory, the history file. Searched byte by byte for each planted marker and
/// every 3-character piece of it (``RawFileScan``).
@Suite("A purge erases, end to end", .serialized)
struct PurgeEndToEndTests: CentralHomeTests {
    let home = TemporaryDirectory()

    /// Distinctive markers: name, phone, ID number, note, plan note, contact text.
    static let markers = ["蔺霁雯", "13987654321", "44030419780615382X", "葆珩淼琮璎", "邝翊翀彧", "鏊璟骞骐"]

    /// The commands that plant every marker in the customer on a book.
    static let plant = """
        add 蔺霁雯 phone=13987654321 id_number=44030419780615382X note=葆珩淼琮璎 tier=钻石
        contact 蔺霁雯 call 鏊璟骞骐
        plan 蔺霁雯 note=邝翊翀彧
        find 霁雯
        """

    /// A history file as an earlier version wrote it: lines as typed, with the customer's data (libedit's format,
    /// spaces escaped).
    func plantHistory(_ folder: String) throws {
        let lines = [
            "_HiStOrY_V2_", "add\\040蔺霁雯\\040phone=13987654321", "set\\040蔺霁雯\\040note=葆珩淼琮璎",
            "contact\\040蔺霁雯\\040call\\040鏊璟骞骐", "status",
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/book.history", atomically: true, encoding: .utf8)
    }

    /// Sets up the centre, M001 (who plants the customer), M002 and the advisor W001, each in a folder of its own.
    func start() throws -> CentralProcess {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        #expect(try admin("principal", "add", "M002", "--name", "李经理", "--role", "manager").code == 0)
        #expect(try admin("principal", "add", "W001", "--name", "王投顾", "--role", "advisor").code == 0)
        let server = try CentralProcess(home: home.path)
        for (code, folder) in [("M001", "a"), ("M002", "b"), ("W001", "w")] {
            try enrol(code, "\(folder)/book.sqlite", server: server)
        }
        let planted = try book("a/book.sqlite", Self.plant.replacingOccurrences(of: "\n", with: "; ") + "; sync")
        #expect(planted.code == 0, "\(planted.error)")
        #expect(try book("a/book.sqlite", "add 王芳 note=老客户; sync").code == 0)
        try plantHistory(home.file("a"))
        return server
    }

    /// Every hit of a marker in the folder.
    func hits(_ folder: String) -> [RawFileScan.Hit] { RawFileScan.hits(in: home.file(folder), markers: Self.markers) }

    @Test("reassigned away: the old owner's folder holds no piece of the customer; the day keeps its count")
    func reassigned() throws {
        let server = try start()
        #expect(!hits("a").isEmpty, "the scan sees the planted customer before the purge")
        #expect(try admin("assign", "蔺霁雯", "--to", "M002").code == 0)
        let synced = try book("a/book.sqlite", "sync")
        #expect(synced.code == 0 && synced.output.contains("移出"), "\(synced.output)\(synced.error)")
        let found = hits("a")
        #expect(found.isEmpty, "\(found.prefix(12))")
        // The rest of the book works; the call still counts for the day, without the customer.
        let after = try book("a/book.sqlite", "find 王芳; journal --json; plan --json; check")
        #expect(after.code == 0, "\(after.error)")
        #expect(after.output.contains("\"contacts\": 1") && after.output.contains("\"purged_contacts\": 1"), "\(after.output)")
        // The history file is still there for the rest, redacted.
        let history = try String(contentsOfFile: home.file("a/book.history"), encoding: .utf8)
        #expect(history.contains("status"), "\(history)")
        // The new owner has everything, plan entry excepted (it was M001's).
        let b = try book("b/book.sqlite", "sync; show 蔺霁雯")
        #expect(b.output.contains("鏊璟骞骐") && b.output.contains("葆珩淼琮璎"), "\(b.output)")
        #expect(server.stop() == 0)
    }

    @Test("co-coverage ended: the advisor's folder holds no piece of the customer, nor of her own contact and plan")
    func uncovered() throws {
        let server = try start()
        #expect(try admin("cocover", "蔺霁雯", "--with", "W001").code == 0)
        let w = try book("w/book.sqlite", "sync; contact 蔺霁雯 visit 鏊璟骞骐; plan 蔺霁雯 note=邝翊翀彧; sync")
        #expect(w.code == 0, "\(w.error)")
        #expect(!hits("w").isEmpty)
        #expect(try admin("uncover", "蔺霁雯", "--with", "W001").code == 0)
        let synced = try book("w/book.sqlite", "sync")
        #expect(synced.code == 0 && synced.output.contains("移出"), "\(synced.output)\(synced.error)")
        let found = hits("w")
        #expect(found.isEmpty, "\(found.prefix(12))")
        #expect(server.stop() == 0)
    }

    @Test("revoked: the next sync erases the book and its history, and exits 3 saying so")
    func revoked() throws {
        let server = try start()
        let status = try book("a/book.sqlite", "status --json").output
        let device = try #require(status.components(separatedBy: "\"device\": \"").dropFirst().first.map { String($0.prefix(8)) })
        #expect(try admin("device", "revoke", device).code == 0)
        let synced = try book("a/book.sqlite", "sync; find 王芳")
        #expect(synced.code == 3)
        #expect(synced.error.contains("停用") && synced.error.contains("擦除"), "\(synced.error)")
        #expect(!synced.output.contains("王芳"), "nothing runs after the erasure")
        let left = try FileManager.default.contentsOfDirectory(atPath: home.file("a"))
        #expect(left.isEmpty, "\(left)")
        #expect(hits("a").isEmpty)
        #expect(server.stop() == 0)
    }

    @Test("the offline lease locks a book that has not synced for too long, and a sync unlocks it")
    func lease() throws {
        let server = try start()
        // Pretend the last contact was 28 days ago: 2 days left, said once per session on standard error.
        let book = try Book.open(at: home.file("a/book.sqlite"))
        let day: UInt64 = 86_400_000
        let now = UInt64(Date().timeIntervalSince1970 * 1_000)
        try book.setMeta(Book.SyncKey.lastSync, String(now - 28 * day))
        let warned = try self.book("a/book.sqlite", "find 王芳; status")
        #expect(warned.code == 0 && warned.error.contains("还剩 2 天"), "\(warned.error)")
        #expect(warned.output.contains("离线期限") && warned.output.contains("还剩 2 天"), "\(warned.output)")
        try book.setMeta(Book.SyncKey.lastSync, String(now - 31 * day))
        let locked = try self.book("a/book.sqlite", "find 王芳")
        #expect(locked.code == 3 && locked.error.contains("账本已锁定") && locked.error.contains("31 天"), "\(locked.error)")
        #expect(!locked.output.contains("王芳"))
        let unlocked = try self.book("a/book.sqlite", "sync; find 王芳")
        #expect(unlocked.code == 0 && unlocked.output.contains("王芳"), "\(unlocked.error)")
        #expect(server.stop() == 0)
    }
}
