import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookTestSupport
import Foundation
import Testing

/// Issue 19, the branch administrator, with the real executable: finding customers in the master file, the rules of
/// `assign` and `cocover` (each refusal exits 1 with a Chinese line and changes nothing), usage errors (exit 2 with
/// the command's own usage line), a manager's departure end to end, and `serve`'s startup errors.
@Suite("admin: the branch administrator, end to end", .serialized)
struct AdminBranchTests: CentralHomeTests {
    let home = TemporaryDirectory()

    /// M001 and M002 (managers), R001 (remote manager), W001 (advisor), A001 (admin), X001 (admin, deactivated later
    /// where needed); M001 owns 王芳 (钻石), 陈静 (金葵花) and 李明 (no tier), received by the centre as a sync would.
    func fill() throws {
        for (code, name, role) in [
            ("M001", "张经理", "manager"), ("M002", "李经理", "manager"), ("R001", "赵远维", "remote"),
            ("W001", "王投顾", "advisor"), ("A001", "周主管", "admin"),
        ] {
            let added = try admin("principal", "add", code, "--name", name, "--role", role)
            #expect(added.code == 0, "\(added.error)")
        }
        let central = try CentralDatabase.open(at: home.file("central.sqlite"))
        let m001 = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_000_000_000, seed: 5))
        let tier = try Schema.field(named: "tier", for: .customer).id
        let made = try m001.write { tx in
            try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("王芳")), FieldAssignment(tier, .text("钻石"))])
            try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("陈静")), FieldAssignment(tier, .text("金葵花"))])
            try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("李明"))])
            return tx.appended
        }
        _ = try central.book.applyRemote(made)
    }

    /// The master file as `admin customers --json` shows it.
    func masterFile() throws -> String {
        let listed = try admin("customers", "--json")
        #expect(listed.code == 0, "\(listed.error)")
        return listed.output
    }

    /// The short ID `admin find` shows for a name.
    func shortID(_ name: String) throws -> String {
        let found = try admin("find", name, "--json")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(found.output.utf8)) as? [[String: Any]])
        return try #require(array.first?["id"] as? String)
    }

    @Test("find and customers: short IDs, owner and co-coverers, filters, a count line, JSON")
    func finding() throws {
        try fill()
        let found = try admin("find", "王")
        #expect(found.code == 0, "\(found.error)")
        let lines = found.output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("ID") == true && lines.first?.contains("姓名") == true && lines.first?.contains("管户") == true)
        #expect(lines.count == 3 && lines[1].contains("王芳") && lines[1].contains("钻石") && lines[1].contains("M001"))
        #expect(lines.last == "共 1 位客户")
        // A short ID finds its customer too, and the listing never shows a phone.
        let id = try shortID("王芳")
        #expect(id.count == 6)
        #expect(try admin("find", String(id.prefix(4))).output.contains("王芳"))
        #expect(try admin("find", "没有这个人").output == "没有找到客户\n")

        let all = try admin("customers")
        #expect(all.output.hasSuffix("共 3 位客户\n"), "\(all.output)")
        let vips = try admin("customers", "--tier", "diamond")
        #expect(vips.output.contains("王芳") && !vips.output.contains("陈静") && vips.output.hasSuffix("共 1 位客户\n"))
        #expect(try admin("customers", "--owner", "M002").output == "没有找到客户\n")
        #expect(try admin("customers", "--owner", "M001", "--tier", "金葵花").output.contains("陈静"))
        let unknown = try admin("customers", "--owner", "M999")
        #expect(unknown.code == 1 && unknown.error == "没有员工 M999\n")
        let badTier = try admin("customers", "--tier", "黄金")
        #expect(badTier.code == 2 && badTier.error.contains("--tier") && badTier.error.contains("用法：fieldbook admin customers"))
        // A customer is named by a short ID prefix of 4+ characters or an exact unique name, as in the shell.
        let cocovered = try admin("cocover", String(id.prefix(4)), "--with", "W001", "--as", "A001")
        #expect(cocovered.code == 0 && cocovered.output == "已由 W001 协同 王芳 [\(id)]\n", "\(cocovered.output)\(cocovered.error)")
        let byCoverer = try admin("customers", "--cocover", "W001", "--json")
        let array = try #require(try JSONSerialization.jsonObject(with: Data(byCoverer.output.utf8)) as? [[String: Any]])
        #expect(array.count == 1 && array[0]["name"] as? String == "王芳" && array[0]["owner"] as? String == "M001")
        #expect(array[0]["cocoverers"] as? [String] == ["W001"] && array[0]["archived"] as? Bool == false)
        let tooShort = try admin("assign", String(id.prefix(3)), "--to", "M002")
        #expect(tooShort.code == 1 && tooShort.error.contains("找不到这个客户"))
    }

    @Test("each rule refuses with one Chinese line, exit 1, and changes nothing")
    func rules() throws {
        try fill()
        let before = try masterFile()
        let (wang, chen, li) = (try shortID("王芳"), try shortID("陈静"), try shortID("李明"))
        let refusals: [([String], String)] = [
            (["assign", "王芳", "--to", "W001"], "只能交给客户经理或远维经理管户：W001 是财富顾问"),
            (["assign", "王芳", "--to", "A001"], "只能交给客户经理或远维经理管户：A001 是管理员"),
            (["assign", "王芳", "--to", "M999"], "没有员工 M999：先运行 admin principal add"),
            (["assign", "--from", "M001", "--to", "W001"], "只能交给客户经理或远维经理管户：W001 是财富顾问"),
            (["assign", "--from", "M001", "--to", "M001"], "--from 和 --to 是同一个人：M001"),
            (["cocover", "陈静", "--with", "W001"], "只有钻石和私人银行客户可以协同：[\(chen)] 是金葵花客户"),
            (["cocover", "李明", "--with", "W001"], "只有钻石和私人银行客户可以协同：[\(li)] 是未设层级的客户"),
            (["cocover", "王芳", "--with", "M002"], "只有财富顾问可以协同：M002 是客户经理"),
            (["cocover", "王芳", "--with", "R001"], "只有财富顾问可以协同：R001 是远维经理"),
            (["uncover", "王芳", "--with", "W001"], "W001 没有协同客户 [\(wang)]"),
            (["assign", "王芳", "--to", "M002", "--as", "M001"], "M001 是客户经理，不是管理员"),
            (["assign", "王芳", "--to", "M002", "--as", "Z999"], "没有管理员 Z999：先运行 admin principal add Z999"),
            (["principal", "deactivate", "M002", "--as", "W001"], "W001 是财富顾问，不是管理员"),
        ]
        for (arguments, message) in refusals {
            let result = try Executable.run(["admin"] + arguments, environment: ["FIELDBOOK_HOME": home.path])
            #expect(result.code == 1, "\(arguments): \(result.output)\(result.error)")
            #expect(result.error.hasPrefix(message), "\(arguments): \(result.error)")
            #expect(result.error.split(separator: "\n").count == 1 && result.output.isEmpty, "\(arguments)")
            // An error names a customer by its short ID only: stderr may end up in a log (SECURITY.md).
            #expect(!["王芳", "陈静", "李明"].contains { result.error.contains($0) }, "\(result.error)")
        }
        // $FIELDBOOK_ADMIN names the administrator too, and must be one.
        let viaEnvironment = try Executable.run(
            ["admin", "assign", "王芳", "--to", "M002"], environment: ["FIELDBOOK_HOME": home.path, "FIELDBOOK_ADMIN": "W001"])
        #expect(viaEnvironment.code == 1 && viaEnvironment.error.hasPrefix("W001 是财富顾问，不是管理员"))
        #expect(try masterFile() == before, "a refusal changed nothing")
        #expect(try !admin("status").output.contains("已停用"))

        // What the rules allow: a remote manager, an advisor on a VIP, the end of a co-coverage.
        let remote = try admin("assign", "陈静", "--to", "R001", "--as", "A001")
        #expect(remote.code == 0 && remote.output.hasPrefix("已改由 R001 管户：陈静 [") && remote.output.hasSuffix("（原管户 M001）\n"))
        #expect(try admin("assign", "陈静", "--to", "R001", "--as", "A001").output.hasSuffix("已由 R001 管户，没有改动\n"))
        #expect(try admin("cocover", "王芳", "--with", "W001", "--as", "A001").code == 0)
        #expect(try admin("cocover", "王芳", "--with", "W001", "--as", "A001").output.hasSuffix("，没有改动\n"))
        let ended = try admin("uncover", "王芳", "--with", "W001", "--as", "A001")
        #expect(ended.code == 0 && ended.output.hasPrefix("已结束 W001 对 王芳 [") && ended.output.hasSuffix("] 的协同\n"))

        // A deactivated principal receives nothing and gets no device; a deactivated administrator cannot act.
        #expect(try admin("principal", "add", "X001", "--name", "钱主管", "--role", "admin").code == 0)
        #expect(try admin("principal", "deactivate", "M002", "--as", "A001").code == 0)
        #expect(try admin("principal", "deactivate", "X001", "--as", "A001").code == 0)
        let after = try masterFile()
        for (arguments, message) in [
            (["assign", "王芳", "--to", "M002", "--as", "A001"], "员工 M002 已停用"),
            (["assign", "--from", "M001", "--to", "M002", "--as", "A001"], "员工 M002 已停用"),
            (["assign", "王芳", "--to", "R001", "--as", "X001"], "管理员 X001 已停用"),
            (["device", "add", "M002"], "员工 M002 已停用，不能再登记设备"),
            (["principal", "deactivate", "A001", "--as", "A001"], "不能停用自己（A001）"),
        ] {
            let result = try Executable.run(["admin"] + arguments, environment: ["FIELDBOOK_HOME": home.path])
            #expect(result.code == 1 && result.error.hasPrefix(message), "\(arguments): \(result.error)")
        }
        #expect(try masterFile() == after)
    }

    @Test("usage errors exit 2 with the command's own usage line; help speaks Chinese")
    func usage() throws {
        let role = try admin("principal", "add", "M001", "--name", "张经理", "--role", "boss")
        #expect(role.code == 2, "\(role.error)")
        #expect(role.error.contains("--role 应为 manager、advisor、remote 或 admin"))
        #expect(role.error.contains("用法：fieldbook admin principal add"), "\(role.error)")
        for (arguments, message, command) in [
            (["assign", "--to", "M002"], "需要一位客户，或 --from 员工编号", "assign"),
            (["assign", "王芳", "--from", "M001", "--to", "M002"], "客户和 --from 只能给一个", "assign"),
            (["assign", "王芳"], "需要 --to 新管户的员工编号", "assign"),
            (["assign", "王芳", "--to", "M002", "--dry-run"], "--dry-run 只用于 --from", "assign"),
            (["cocover", "王芳"], "需要 --with 财富顾问的员工编号", "cocover"),
            (["uncover", "王芳"], "需要 --with 财富顾问的员工编号", "uncover"),
        ] {
            let result = try admin(arguments)
            #expect(result.code == 2, "\(arguments): \(result.error)")
            #expect(result.error.contains(message) && result.error.contains("用法：fieldbook admin \(command)"), "\(result.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: home.file("central.sqlite")), "a usage error opens nothing")
        let help = try admin(["--help"])
        #expect(help.code == 0 && help.output.contains("管理中心数据库") && help.output.contains("查找客户"))
        for abstract in ["改换管户", "财富顾问协同一位 VIP 客户", "结束财富顾问的协同"] {
            #expect(help.output.contains(abstract), "\(abstract)")
        }
        #expect(try admin(["principal", "--help"]).output.contains("停用员工"))
    }

    @Test("serve's startup errors are one Chinese line: a port in use, a bad port")
    func serveStartup() throws {
        let server = try CentralProcess(home: home.path)
        let second = try Executable.run(
            ["serve", "--host", "127.0.0.1", "--port", String(server.port)], environment: ["FIELDBOOK_HOME": home.path])
        #expect(second.code == 1)
        #expect(second.error.hasPrefix("端口 \(server.port) 已被占用"), "\(second.error)")
        #expect(second.error.split(separator: "\n").count == 1 && !second.error.contains("errno"), "\(second.error)")
        let bad = try Executable.run(["serve", "--port", "70000"], environment: ["FIELDBOOK_HOME": home.path])
        #expect(bad.code == 2 && bad.error.contains("--port 应为 0 到 65535 之间的整数"), "\(bad.error)")
        #expect(server.stop() == 0)
    }

    @Test("a manager leaves: dry run, move everything in one step, deactivate; the old device purges, the new owner receives, history names the administrator")
    func departure() throws {
        for (code, name, role) in [
            ("M001", "张经理", "manager"), ("M002", "李经理", "manager"), ("W001", "王投顾", "advisor"), ("A001", "周主管", "admin"),
        ] {
            #expect(try admin("principal", "add", code, "--name", name, "--role", role).code == 0)
        }
        let server = try CentralProcess(home: home.path)
        try enrol("M001", "a.sqlite", server: server)
        try enrol("M002", "b.sqlite", server: server)
        try enrol("W001", "w.sqlite", server: server)
        let added = try book("a.sqlite", "add 王芳 tier=钻石; add 陈静 tier=金葵花; add 李明; add 周强 tier=私人银行; contact 王芳 call 聊了养老规划; sync")
        #expect(added.code == 0, "\(added.error)")
        #expect(try book("b.sqlite", "add 孙丽; sync").code == 0)
        let wang = try shortID("王芳")
        #expect(try admin("cocover", "王芳", "--with", "W001", "--as", "A001").output == "已由 W001 协同 王芳 [\(wang)]\n")
        #expect(try book("w.sqlite", "sync").output.contains("新增客户 1 位"))

        // The dry run lists what would move and changes nothing.
        let before = try masterFile()
        let dry = try Executable.run(
            ["admin", "assign", "--from", "M001", "--to", "M002", "--dry-run"],
            environment: ["FIELDBOOK_HOME": home.path, "FIELDBOOK_ADMIN": "A001"])
        #expect(dry.code == 0, "\(dry.error)")
        let dryLines = dry.output.split(separator: "\n").map(String.init)
        #expect(dryLines.first == "试运行：将把 M001 名下的 4 位客户改由 M002 管户（没有改动）")
        #expect(dryLines.last == "共 4 位客户")
        #expect(["王芳", "陈静", "李明", "周强"].allSatisfy { name in dryLines.contains { $0.contains(name) && $0.contains("M001") } })
        #expect(!dry.output.contains("孙丽"))
        #expect(try masterFile() == before)

        // For real: all four in one transaction.
        let moved = try Executable.run(
            ["admin", "assign", "--from", "M001", "--to", "M002"], environment: ["FIELDBOOK_HOME": home.path, "FIELDBOOK_ADMIN": "A001"])
        #expect(moved.code == 0, "\(moved.error)")
        #expect(moved.output.hasPrefix("已将 M001 名下的 4 位客户改由 M002 管户\n") && moved.output.hasSuffix("共 4 位客户\n"))
        let owners = try admin("customers", "--owner", "M002", "--json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(owners.output.utf8)) as? [[String: Any]])
        #expect(Set(list.compactMap { $0["name"] as? String }) == ["王芳", "陈静", "李明", "周强", "孙丽"])
        #expect(try admin("customers", "--owner", "M001").output == "没有找到客户\n")
        #expect(try admin("assign", "--from", "M001", "--to", "M002", "--as", "A001").output == "M001 名下没有客户，没有改动\n")

        // Deactivation revokes every device of M001 and refuses new ones.
        let deactivated = try admin("principal", "deactivate", "M001", "--as", "A001")
        #expect(deactivated.code == 0 && deactivated.output == "已停用员工 M001，收回设备 1 台\n", "\(deactivated.output)\(deactivated.error)")
        #expect(try admin("device", "add", "M001").code == 1)
        #expect(try admin("status").output.contains("M001  客户经理  张经理  已停用"))

        // The old device's next sync is refused: over TLS it erases the book and exits 3.
        let old = try book("a.sqlite", "sync")
        #expect(old.code == 3, "\(old.output)\(old.error)")
        #expect(old.error.contains("停用") && old.error.contains("擦除"), "\(old.error)")
        #expect(!FileManager.default.fileExists(atPath: home.file("a.sqlite")))

        // The new owner receives all four with their history; `history` names the administrator.
        let gained = try book("b.sqlite", "sync; find --json")
        #expect(gained.code == 0, "\(gained.error)")
        #expect(gained.output.contains("新增客户 4 位"), "\(gained.output)")
        #expect(["王芳", "陈静", "李明", "周强"].allSatisfy { gained.output.contains($0) })
        #expect(!gained.output.contains("警告"))
        let history = try book("b.sqlite", "history 王芳")
        #expect(history.code == 0, "\(history.error)")
        let assignLine = try #require(history.output.split(separator: "\n").first { $0.contains("M002") && $0.contains("→") })
        #expect(assignLine.contains("管理员 A001"), "\(history.output)")
        #expect(history.output.split(separator: "\n").contains { $0.contains("管理员 A001") && $0.contains("W001") }, "\(history.output)")
        #expect(history.output.contains("M001  设备 "), "the manager's own changes still show the device")
        let json = try book("b.sqlite", "history 王芳 --json")
        #expect(json.output.contains("\"by\": \"A001\""))

        // The advisor still co-covers 王芳 (the owner changed, not the co-coverage): nothing leaves her book.
        let advisor = try book("w.sqlite", "sync")
        #expect(advisor.code == 0 && !advisor.output.contains("移出"), "\(advisor.output)")
        // Ending the co-coverage purges with its own reason, not "the owner changed".
        #expect(try admin("uncover", "王芳", "--with", "W001", "--as", "A001").code == 0)
        let uncovered = try book("w.sqlite", "sync")
        #expect(uncovered.output.contains("移出 王芳 [\(wang)]：不再由你协同覆盖"), "\(uncovered.output)")
        #expect(!uncovered.output.contains("管户"))
        #expect(try book("b.sqlite", "sync; history 王芳").output.contains("管理员 A001"))
        #expect(server.stop() == 0)
        #expect(try admin("check").code == 0)
    }
}

extension AdminBranchTests {
    /// `admin ARGUMENTS` from an array.
    func admin(_ arguments: [String]) throws -> Executable.Result {
        try Executable.run(["admin"] + arguments, environment: ["FIELDBOOK_HOME": home.path])
    }
}
