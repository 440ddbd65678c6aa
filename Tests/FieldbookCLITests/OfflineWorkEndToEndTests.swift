import FieldbookModel
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// Issue 14 end to end with the real executable and a real central node on a loopback port: work recorded offline on
/// a customer that is reassigned (or whose co-coverage ends) meanwhile is kept, reaches the new owner's book and
/// history, and only then leaves the old device, whose `sync` says so (SPEC [W-10.7]).
@Suite("Offline work across coverage changes, end to end", .serialized)
struct OfflineWorkEndToEndTests: CentralHomeTests {
    let home = TemporaryDirectory()

    @Test("a call, a note and a task on 周强 while he is reassigned, and an advisor's visit while her coverage ends")
    func offlineWorkIsKept() throws {
        #expect(try admin("principal", "add", "M001", "--name", "张经理", "--role", "manager").code == 0)
        #expect(try admin("principal", "add", "M002", "--name", "李经理", "--role", "manager").code == 0)
        #expect(try admin("principal", "add", "W001", "--name", "王投顾", "--role", "advisor").code == 0)
        let server = try CentralProcess(home: home.path)
        try enrol("M001", "a.sqlite", server: server)
        try enrol("M002", "b.sqlite", server: server)
        try enrol("W001", "w.sqlite", server: server)
        #expect(try book("a.sqlite", "add 周强 phone=13800138000; add 王芳 tier=钻石; sync").code == 0)
        #expect(try admin("cocover", "王芳", "--with", "W001").code == 0)
        #expect(try book("w.sqlite", "sync").code == 0)

        // Offline, on both devices.
        let field = try book("a.sqlite", "contact 周强 call 电话回访，想了解养老理财; set 周强 note=下月有一笔定期到期; task 周强 寄产品说明书 due=tomorrow")
        #expect(field.code == 0, "\(field.error)")
        #expect(try book("w.sqlite", "contact 王芳 visit 到店面谈，介绍了新基金").code == 0)
        // Meanwhile the admin reassigns 周强 and ends W001's co-coverage of 王芳.
        #expect(try admin("assign", "周强", "--to", "M002").code == 0)
        #expect(try admin("uncover", "王芳", "--with", "W001").code == 0)

        // The old devices push everything, then purge, and say so; nothing is refused.
        let a = try book("a.sqlite", "sync")
        #expect(a.code == 0, "\(a.error)")
        #expect(a.output.contains("移出 周强") && a.output.contains("M002"), "\(a.output)")
        #expect(!a.output.contains("拒收"), "\(a.output)")
        #expect(try book("a.sqlite", "find 周强").output.contains("周强") == false)
        let w = try book("w.sqlite", "sync")
        #expect(w.code == 0 && w.output.contains("移出 王芳") && !w.output.contains("拒收"), "\(w.output)")

        // The new owner has all of it, in the card and in the history.
        let b = try book("b.sqlite", "sync; show 周强; history 周强")
        #expect(b.code == 0, "\(b.error)")
        for text in ["电话回访，想了解养老理财", "下月有一笔定期到期", "寄产品说明书"] {
            #expect(b.output.contains(text), "\(text) missing:\n\(b.output)")
        }
        // The owner of 王芳 receives the advisor's visit.
        let owner = try book("a.sqlite", "sync; show 王芳")
        #expect(owner.output.contains("到店面谈，介绍了新基金"), "\(owner.output)")
        #expect(server.stop() == 0)
    }
}
