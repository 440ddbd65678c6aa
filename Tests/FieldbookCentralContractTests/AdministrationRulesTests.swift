import FieldbookCentral
import FieldbookModel
import XCTest

/// The branch's administration rules (``AdministrationRules``), without a store: each refusal's exact words, and what
/// passes. The contract suite checks that both stores apply them the same way.
final class AdministrationRulesTests: XCTestCase {
    private let customer = EntityID(bytes: Array(repeating: 7, count: 16))!

    private func record(_ code: String, _ role: PrincipalRole?, deactivated: Bool = false) -> PrincipalRecord {
        PrincipalRecord(code: code, name: "某人", role: role, deactivated: deactivated)
    }

    /// The message a rule throws, or `nil` when it passes.
    private func refusal(_ rule: () throws -> Void) -> String? {
        do {
            try rule()
            return nil
        } catch let error as CentralError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    func testNewCodes() {
        for code in ["M001", "advisor-2", "王芳_1", String(repeating: "a", count: 64)] {
            XCTAssertNil(refusal { try AdministrationRules.checkNewCode(code) }, code)
        }
        // "." is not part of an employee code (it is of an operating-system user name), nor is the centre's own code.
        for code in ["", "central", "a.b", "a b", "m/1", String(repeating: "a", count: 65), String(repeating: "王", count: 22)] {
            XCTAssertEqual(
                refusal { try AdministrationRules.checkNewCode(code) }, "员工编号只能由字母、数字、- 和 _ 组成，最多 64 字节", code)
        }
    }

    func testAdministrators() {
        let named = Administrator(code: "A001", named: true)
        let user = Administrator(code: "zhang.san", named: false)
        XCTAssertNil(refusal { try AdministrationRules.checkAdministrator(.centre, record: nil) })
        XCTAssertNil(refusal { try AdministrationRules.checkAdministrator(named, record: self.record("A001", .admin)) })
        XCTAssertEqual(
            refusal { try AdministrationRules.checkAdministrator(named, record: nil) },
            "没有管理员 A001：先运行 admin principal add A001 --name 姓名 --role admin")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkAdministrator(named, record: self.record("A001", .manager)) },
            "A001 是客户经理，不是管理员：用 --as 指定管理员的员工编号")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkAdministrator(named, record: self.record("A001", nil)) },
            "A001 是未知角色，不是管理员：用 --as 指定管理员的员工编号")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkAdministrator(named, record: self.record("A001", .admin, deactivated: true)) },
            "管理员 A001 已停用")
        // The operating-system user: accepted unregistered when it could be a code, refused when it is someone
        // else's code (a manager's), or not a code at all.
        XCTAssertNil(refusal { try AdministrationRules.checkAdministrator(user, record: nil) })
        XCTAssertEqual(
            refusal { try AdministrationRules.checkAdministrator(user, record: self.record("zhang.san", .manager)) },
            "zhang.san 是客户经理，不是管理员：用 --as 指定管理员的员工编号")
        for name in ["", "zhang san", "root@host", String(repeating: "a", count: 65)] {
            XCTAssertEqual(
                refusal { try AdministrationRules.checkAdministrator(Administrator(code: name, named: false), record: nil) },
                "系统用户名不能用作操作人：用 --as 指定管理员的员工编号", name)
        }
    }

    func testOwnersAndCocoverers() {
        for role in [PrincipalRole.manager, .remote] {
            XCTAssertNil(refusal { try AdministrationRules.checkOwner("M002", record: self.record("M002", role)) })
        }
        XCTAssertEqual(refusal { try AdministrationRules.checkOwner("M009", record: nil) }, "没有员工 M009：先运行 admin principal add")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkOwner("M002", record: self.record("M002", .manager, deactivated: true)) },
            "员工 M002 已停用")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkOwner("W001", record: self.record("W001", .advisor)) },
            "只能交给客户经理或远维经理管户：W001 是财富顾问")
        XCTAssertNil(refusal { try AdministrationRules.checkCocoverer("W001", record: self.record("W001", .advisor)) })
        XCTAssertEqual(
            refusal { try AdministrationRules.checkCocoverer("M002", record: self.record("M002", .manager)) },
            "只有财富顾问可以协同：M002 是客户经理")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkCocoverer("W001", record: self.record("W001", .advisor, deactivated: true)) },
            "员工 W001 已停用")
        // The tier: only VIPs, named by short ID and never by name.
        for tier in CoverageReport.vipTiers {
            XCTAssertNil(refusal { try AdministrationRules.checkCocoverable(self.customer, tier: tier) })
        }
        XCTAssertEqual(
            refusal { try AdministrationRules.checkCocoverable(customer, tier: "金葵花") },
            "只有钻石和私人银行客户可以协同：[\(customer.short)] 是金葵花客户")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkCocoverable(customer, tier: nil) },
            "只有钻石和私人银行客户可以协同：[\(customer.short)] 是未设层级的客户")
        XCTAssertEqual(
            AdministrationRules.notCocovering("W001", customer: customer).message, "W001 没有协同客户 [\(customer.short)]")
    }

    func testDevicesMovesAndDeactivation() {
        XCTAssertNil(refusal { try AdministrationRules.checkEnrolment(for: "M001", record: self.record("M001", .manager)) })
        XCTAssertEqual(
            refusal { try AdministrationRules.checkEnrolment(for: "M009", record: nil) }, "没有员工 M009：先运行 admin principal add")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkEnrolment(for: "M001", record: self.record("M001", .manager, deactivated: true)) },
            "员工 M001 已停用，不能再登记设备")
        XCTAssertNil(refusal { try AdministrationRules.checkMove(from: "M001", to: "M002") })
        XCTAssertEqual(refusal { try AdministrationRules.checkMove(from: "M001", to: "M001") }, "--from 和 --to 是同一个人：M001")
        XCTAssertEqual(refusal { try AdministrationRules.requireRegistered("M009", record: nil) }, "没有员工 M009")
        let admin = Administrator(code: "A001", named: true)
        // Deactivating an already deactivated principal passes: it revokes any device left.
        XCTAssertNil(
            refusal { try AdministrationRules.checkDeactivation(of: "M001", record: self.record("M001", .manager, deactivated: true), by: admin) })
        XCTAssertEqual(refusal { try AdministrationRules.checkDeactivation(of: "M009", record: nil, by: admin) }, "没有员工 M009")
        XCTAssertEqual(
            refusal { try AdministrationRules.checkDeactivation(of: "A001", record: self.record("A001", .admin), by: admin) },
            "不能停用自己（A001）")
    }
}
