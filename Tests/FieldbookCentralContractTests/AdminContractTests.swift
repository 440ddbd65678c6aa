import FieldbookCentral
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import XCTest

/// The administration half of the seam, run against both stores: the same rules, the same messages, the same
/// answers.
final class AdminContractTests: XCTestCase {
    /// The message of a ``CentralError`` that `body` must throw.
    func refusal(_ name: String, _ body: () async throws -> Void, file: StaticString = #filePath, line: UInt = #line) async -> String? {
        do {
            try await body()
            XCTFail("expected a refusal: \(name)", file: file, line: line)
            return nil
        } catch let error as CentralError {
            return error.message
        } catch let error as StoreError {
            // The SQLite store resolves a customer through its book, whose errors are the book's.
            return error.message
        } catch {
            XCTFail("\(name): \(String(reflecting: error))", file: file, line: line)
            return nil
        }
    }

    func testPrincipalsDevicesAndStatus() async throws {
        try await ContractStores.forEach { store, name in
            let empty = try await store.status()
            XCTAssertEqual(empty.principals, [], name)
            XCTAssertEqual(empty.customers, 0, name)
            XCTAssertEqual(empty.ops, 0, name)
            XCTAssertEqual(empty.lastLSN, 0, name)

            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            try await store.addPrincipal("A001", name: "王投顾", role: .advisor)
            let duplicate = await refusal(name) { try await store.addPrincipal("M001", name: "另一个", role: .manager) }
            XCTAssertEqual(duplicate, "员工 M001 已存在", name)
            for bad in ["", "M 1", "central", String(repeating: "x", count: 65)] {
                let message = await refusal(name) { try await store.addPrincipal(bad, name: "某人", role: .manager) }
                XCTAssertEqual(message, "员工编号只能由字母、数字、- 和 _ 组成，最多 64 字节", "\(name) \(bad)")
            }
            let unknown = await refusal(name) { _ = try await store.addDevice(for: "M404", address: "a:1") }
            XCTAssertEqual(unknown, "没有员工 M404：先运行 admin principal add", name)

            let token = try await store.addDevice(for: "M001", address: "10.0.0.5:7420")
            XCTAssertEqual(token.principal, "M001", name)
            XCTAssertEqual(token.secret.count, 32, name)
            let second = try await store.addDevice(for: "A001", address: "10.0.0.5:7420")
            // The secret is kept sealed, and opens to what the token carries.
            let enrolment = try await store.enrolment(of: token.device)
            XCTAssertEqual(enrolment?.secret, token.secret, name)
            XCTAssertEqual(enrolment?.principal, "M001", name)

            let status = try await store.status()
            XCTAssertEqual(
                status.principals,
                [
                    CentralStatus.Principal(code: "A001", name: "王投顾", role: "advisor"),
                    CentralStatus.Principal(code: "M001", name: "张经理", role: "manager"),
                ], name)
            XCTAssertEqual(
                Set(status.devices),
                [
                    CentralStatus.Device(id: token.device.hex, principal: "M001", revoked: false, lastSync: nil, enrolled: false),
                    CentralStatus.Device(id: second.device.hex, principal: "A001", revoked: false, lastSync: nil, enrolled: false),
                ], name)
            XCTAssertEqual(status.devices.map(\.principal), ["A001", "M001"], "by principal: \(name)")

            // Revoking by a prefix: too short, unknown, then the device; its secret goes with it.
            let short = await refusal(name) { _ = try await store.revokeDevice("ab") }
            XCTAssertEqual(short, "设备 ID 至少写 4 位十六进制", name)
            let missing = token.device.hex.hasPrefix("0000") ? "ffff" : "0000"
            let none = await refusal(name) { _ = try await store.revokeDevice(missing) }
            XCTAssertEqual(none, "找不到设备 \(missing)", name)
            let revoked = try await store.revokeDevice(String(token.device.hex.prefix(10)).uppercased())
            XCTAssertEqual(revoked, token.device, name)
            let after = try await store.enrolment(of: token.device)
            XCTAssertEqual(after?.revoked, true, name)
            XCTAssertEqual(after?.secret, [], name)
            do {
                let value = try await store.status().devices.first { $0.id == token.device.hex }?.revoked
                XCTAssertEqual(value, true, name)
            }
        }
    }

    func testAdministratorsAndDeactivation() async throws {
        try await ContractStores.forEach { store, name in
            try await store.addPrincipal("M001", name: "张经理", role: .manager)
            try await store.addPrincipal("X001", name: "管理员", role: .admin)
            try await store.addPrincipal("X002", name: "副管理员", role: .admin)
            let admin = Administrator(code: "X001", named: true)
            try await store.checkAdministrator(admin)
            try await store.checkAdministrator(.centre)
            // The operating-system user, unregistered: accepted when it is a valid code no person has.
            try await store.checkAdministrator(Administrator(code: "ops.user", named: false))
            let osUser = await refusal(name) { try await store.checkAdministrator(Administrator(code: "root user", named: false)) }
            XCTAssertEqual(osUser, "系统用户名不能用作操作人：用 --as 指定管理员的员工编号", name)
            let nobody = await refusal(name) { try await store.checkAdministrator(Administrator(code: "X404", named: true)) }
            XCTAssertEqual(nobody, "没有管理员 X404：先运行 admin principal add X404 --name 姓名 --role admin", name)
            let manager = await refusal(name) { try await store.checkAdministrator(Administrator(code: "M001", named: false)) }
            XCTAssertEqual(manager, "M001 是客户经理，不是管理员：用 --as 指定管理员的员工编号", name)

            _ = try await store.addDevice(for: "M001", address: "a:1")
            _ = try await store.addDevice(for: "M001", address: "a:1")
            let me = await refusal(name) { _ = try await store.deactivate("X001", by: admin) }
            XCTAssertEqual(me, "不能停用自己（X001）", name)
            let unknown = await refusal(name) { _ = try await store.deactivate("M404", by: admin) }
            XCTAssertEqual(unknown, "没有员工 M404", name)
            let first = try await store.deactivate("M001", by: admin)
            XCTAssertEqual(first.devices, 2, name)
            XCTAssertEqual(first.owned, 0, name)
            XCTAssertTrue(first.wasActive, name)
            let again = try await store.deactivate("M001", by: admin)
            XCTAssertEqual(again.devices, 0, name)
            XCTAssertFalse(again.wasActive, name)
            let status = try await store.status()
            XCTAssertEqual(status.principals.first { $0.code == "M001" }?.deactivated, true, name)
            XCTAssertTrue(status.devices.allSatisfy(\.revoked), name)
            let device = await refusal(name) { _ = try await store.addDevice(for: "M001", address: "a:1") }
            XCTAssertEqual(device, "员工 M001 已停用，不能再登记设备", name)

            // A deactivated administrator may no longer act.
            _ = try await store.deactivate("X002", by: admin)
            let former = await refusal(name) { try await store.checkAdministrator(Administrator(code: "X002", named: true)) }
            XCTAssertEqual(former, "管理员 X002 已停用", name)
        }
    }

    func testTransportRecord() async throws {
        try await ContractStores.forEach { store, name in
            let none = try await store.recordedTransport()
            XCTAssertEqual(none.record, .unknown, name)
            XCTAssertNil(none.address, name)
            try await store.recordTransport(.tls(fingerprint: "ab12"), address: "10.0.0.5:7420")
            let tls = try await store.recordedTransport()
            XCTAssertEqual(tls.record, .tls(fingerprint: "ab12"), name)
            XCTAssertEqual(tls.address, "10.0.0.5:7420", name)
            // A second server records the same identity; a plain one changes the record, the address stays.
            try await store.recordTransport(.plain, address: nil)
            let plain = try await store.recordedTransport()
            XCTAssertEqual(plain.record, .plain, name)
            XCTAssertEqual(plain.address, "10.0.0.5:7420", name)
            let today = try await store.today()
            XCTAssertLessThanOrEqual(abs(Int(today.number) - Int(Day(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000), offsetSeconds: TimeZone.current.secondsFromGMT()).number)), 1, name)
        }
    }

    func testFindAndCustomers() async throws {
        try await ContractStores.forEach { store, name in
            let book = try await ContractBook.make(store, name: name)
            let wang = book.ids["王芳"]!
            // Name, phone, short-ID prefix; then pinyin and initials; archived ones too.
            do {
                let value = try await store.findCustomers("王").map(\.name)
                XCTAssertEqual(value, ["王芳"], name)
            }
            do {
                let value = try await store.findCustomers("1234").map(\.name)
                XCTAssertEqual(value, ["王芳"], name)
            }
            do {
                let value = try await store.findCustomers(String(wang.text.prefix(6))).map(\.id)
                XCTAssertEqual(value, [wang], name)
            }
            do {
                let value = try await store.findCustomers("wf").map(\.name)
                XCTAssertEqual(value, ["王芳"], name)
            }
            do {
                let value = try await store.findCustomers("zhaomin").map(\.name)
                XCTAssertEqual(value, ["赵敏"], name)
            }
            do {
                let value = try await store.findCustomers("不存在").map(\.name)
                XCTAssertEqual(value, [], name)
            }
            let empty = await refusal(name) { _ = try await store.findCustomers("  ") }
            XCTAssertEqual(empty, "要查找的内容不能为空", name)
            let wangs = try await store.findCustomers("王芳")
            let found = try XCTUnwrap(wangs.first)
            XCTAssertEqual(found.owner, "M001", name)
            XCTAssertEqual(found.cocoverers, ["A001"], name)
            XCTAssertEqual(found.tier, "钻石", name)
            XCTAssertFalse(found.archived, name)

            let m001 = try await store.customers(owner: "M001", cocoverer: nil, tier: nil)
            XCTAssertEqual(m001.map(\.name), ["周杰", "李明", "王芳", "钱多"], name)
            do {
                let value = try await store.customers(owner: nil, cocoverer: "A001", tier: nil).map(\.name)
                XCTAssertEqual(value, ["王芳", "赵敏"], name)
            }
            do {
                let value = try await store.customers(owner: "M001", cocoverer: nil, tier: "钻石").map(\.name)
                XCTAssertEqual(value, ["周杰", "王芳", "钱多"], name)
            }
            do {
                let value = try await store.customers(owner: nil, cocoverer: nil, tier: nil).count
                XCTAssertEqual(value, 6, name)
            }
            let nobody = await refusal(name) { _ = try await store.customers(owner: "M404", cocoverer: nil, tier: nil) }
            XCTAssertEqual(nobody, "没有员工 M404", name)
            let status = try await store.status()
            XCTAssertEqual(status.customers, 6, name)
            XCTAssertEqual(status.ops, 26, "23 pushed, 3 by the centre: \(name)")
            XCTAssertEqual(status.lastLSN, 26, name)
        }
    }

    func testCoverageChangesFollowTheBranchRules() async throws {
        try await ContractStores.forEach { store, name in
            let book = try await ContractBook.make(store, name: name)
            let admin = ContractBook.admin
            let wang = book.ids["王芳"]!.text
            let li = book.ids["李明"]!
            let sun = book.ids["孙强"]!.text

            // Assign: to a manager or remote manager only, by an administrator.
            let advisor = await refusal(name) { _ = try await store.assign(wang, to: "A001", by: admin) }
            XCTAssertEqual(advisor, "只能交给客户经理或远维经理管户：A001 是财富顾问", name)
            let notAdmin = await refusal(name) { _ = try await store.assign(wang, to: "M002", by: Administrator(code: "M001", named: true)) }
            XCTAssertEqual(notAdmin, "M001 是客户经理，不是管理员：用 --as 指定管理员的员工编号", name)
            let unknownCustomer = await refusal(name) { _ = try await store.assign("没有这个人", to: "M002", by: admin) }
            XCTAssertEqual(unknownCustomer, "找不到这个客户：请用 find 查找，再用短 ID（至少 4 位）或完整姓名", name)
            let moved = try await store.assign("李明", to: "R001", by: admin)
            XCTAssertTrue(moved.changed, name)
            XCTAssertEqual(moved.previousOwner, "M001", name)
            XCTAssertEqual(moved.customer.owner, "R001", name)
            XCTAssertEqual(moved.customer.id, li, name)
            let same = try await store.assign(li.text, to: "R001", by: admin)
            XCTAssertFalse(same.changed, name)

            // Co-cover: an advisor, on a VIP only; the error names the customer by short ID only.
            let standard = await refusal(name) { _ = try await store.cocover(sun, with: "A001", by: admin) }
            XCTAssertEqual(standard, "只有钻石和私人银行客户可以协同：[\(book.ids["孙强"]!.short)] 是普通客户", name)
            let manager = await refusal(name) { _ = try await store.cocover(wang, with: "M002", by: admin) }
            XCTAssertEqual(manager, "只有财富顾问可以协同：M002 是客户经理", name)
            let already = try await store.cocover(wang, with: "A001", by: admin)
            XCTAssertFalse(already.changed, name)
            let ended = try await store.uncover(wang, with: "A001", by: admin)
            XCTAssertTrue(ended.changed, name)
            XCTAssertEqual(ended.customer.cocoverers, [], name)
            let notCovering = await refusal(name) { _ = try await store.uncover(wang, with: "A001", by: admin) }
            XCTAssertEqual(notCovering, "A001 没有协同客户 [\(book.ids["王芳"]!.short)]", name)

            // Assign all: a dry run lists, the real one moves every customer, archived ones too.
            let same2 = await refusal(name) { _ = try await store.assignAll(from: "M001", to: "M001", by: admin, dryRun: false) }
            XCTAssertEqual(same2, "--from 和 --to 是同一个人：M001", name)
            let dry = try await store.assignAll(from: "M001", to: "M002", by: admin, dryRun: true)
            XCTAssertEqual(dry.map(\.name), ["周杰", "王芳", "钱多"], name)
            do {
                let value = try await store.customers(owner: "M001", cocoverer: nil, tier: nil).count
                XCTAssertEqual(value, 3, name)
            }
            let all = try await store.assignAll(from: "M001", to: "M002", by: admin, dryRun: false)
            XCTAssertEqual(all.map(\.owner), ["M002", "M002", "M002"], name)
            do {
                let value = try await store.customers(owner: "M001", cocoverer: nil, tier: nil).count
                XCTAssertEqual(value, 0, name)
            }
            do {
                let value = try await store.customers(owner: "M002", cocoverer: nil, tier: nil).count
                XCTAssertEqual(value, 5, name)
            }

            // The centre's ops carry the administrator, and the store stays consistent.
            let status = try await store.status()
            XCTAssertEqual(status.ops, 26 + 1 + 1 + 3, name)
            let report = try await store.check()
            XCTAssertTrue(report.isClean, "\(name): \(report.problems)")
            XCTAssertTrue(report.checks.contains("device counters contiguous up to held"), name)
            let deactivated = try await store.deactivate("M002", by: admin)
            XCTAssertEqual(deactivated.owned, 5, name)
        }
    }

    func testDeviceLogNamesOpsAndRefusalsWithoutValues() async throws {
        try await ContractStores.forEach { store, name in
            var book = try await ContractBook(store, name: name)
            let m001 = book.devices["M001"]!
            var customer: EntityID?
            try await book.on("M001") { tx in
                customer = try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("王芳"))])
                try tx.set(customer!, Schema.F.phone, .text("13800001234"))
            }
            // An op on a customer M002 does not cover is refused, and logged without its value.
            let m002 = book.devices["M002"]!
            let foreign = try m002.book.write { tx in
                try tx.create(.contact, scope: .customer(customer!), fields: [FieldAssignment(Schema.F.text, .text("秘密"))])
                return tx.appended
            }
            let outcome = try await store.push(foreign, from: m002.account)
            XCTAssertEqual(outcome.outOfScope + outcome.denied, 1, name)

            let log = try await store.deviceLog(String(m001.account.device.hex.prefix(8)), limit: nil)
            XCTAssertEqual(log.device, m001.account.device, name)
            XCTAssertEqual(log.principal, "M001", name)
            XCTAssertEqual(log.actor, m001.account.actor, name)
            XCTAssertEqual(log.total, 2, name)
            XCTAssertEqual(log.entries.map(\.op.counter), [1, 2], name)
            XCTAssertEqual(log.entries.map(\.lsn), [1, 2], name)
            XCTAssertEqual(log.entries.map(\.change), ["create customer name owner", "set phone"].map(Optional.some), name)
            XCTAssertEqual(log.entries.map(\.scope), [Scope.customer(customer!).key, Scope.customer(customer!).key], name)
            // By the actor's prefix too, and the newest entries only.
            let byActor = try await store.deviceLog(String(m001.account.actor.hex.prefix(8)), limit: 1)
            XCTAssertEqual(byActor.entries.map(\.op.counter), [2], name)
            XCTAssertEqual(byActor.total, 2, name)

            let refused = try await store.deviceLog(m002.account.device.hex, limit: nil)
            XCTAssertEqual(refused.total, 1, name)
            let entry = try XCTUnwrap(refused.entries.first)
            XCTAssertNil(entry.lsn, name)
            XCTAssertNotNil(entry.refusal, name)
            XCTAssertEqual(entry.customer, customer!.short, name)
            XCTAssertFalse("\(refused)".contains("秘密"), name)
            let short = await refusal(name) { _ = try await store.deviceLog("12", limit: nil) }
            XCTAssertEqual(short, "设备 ID 至少写 4 位十六进制", name)
        }
    }
}
