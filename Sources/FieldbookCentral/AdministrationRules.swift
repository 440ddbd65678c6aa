import FieldbookModel

/// The branch's administration rules, once for every store: who may act, who may own or co-cover a customer, which
/// codes may name a principal, and the Chinese line each refusal shows.
///
/// Each rule is pure: a store reads the records a rule needs (a principal's ``PrincipalRecord``, `nil` when nobody
/// is registered under the code; a customer's tier), inside the transaction that then writes, and calls the rule,
/// which throws a ``CentralError`` when the change must not happen. Nothing is written before the rules have passed.
/// Messages name a customer by its short ID only: an error may end up in a log (SECURITY.md).
///
/// ```swift
/// let record = try principalRecord(admin.code, db: db)
/// try AdministrationRules.checkAdministrator(admin, record: record)
/// ```
public enum AdministrationRules {
    /// Checks a new principal's employee code (`admin principal add`): 1 to 64 bytes of letters, digits, `-` and
    /// `_`, and not `central` (the centre's own code).
    public static func checkNewCode(_ code: String) throws {
        guard !code.isEmpty, code.utf8.count <= 64,
            code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), code != Administrator.centre.code
        else { throw CentralError("员工编号只能由字母、数字、- 和 _ 组成，最多 64 字节") }
    }

    /// Checks who is acting: a named administrator (`--as`) must be a registered, active principal with role
    /// `admin`; an unnamed one (the operating-system user) is accepted unregistered when its name could be a code
    /// (letters, digits, `-`, `_`, `.`) and is no other person's; the centre itself always may.
    ///
    /// - Parameter record: The principal registered under `admin.code`, or `nil`.
    public static func checkAdministrator(_ admin: Administrator, record: PrincipalRecord?) throws {
        if admin == .centre { return }
        let code = admin.code
        guard let record else {
            if admin.named {
                throw CentralError("没有管理员 \(code)：先运行 admin principal add \(code) --name 姓名 --role admin")
            }
            let valid =
                !code.isEmpty && code.utf8.count <= 64
                && code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
                && code != Administrator.centre.code
            guard valid else { throw CentralError("系统用户名不能用作操作人：用 --as 指定管理员的员工编号") }
            return
        }
        guard record.role == .admin else {
            throw CentralError("\(code) 是\(record.roleLabel)，不是管理员：用 --as 指定管理员的员工编号")
        }
        guard !record.deactivated else { throw CentralError("管理员 \(code) 已停用") }
    }

    /// Checks that `code` names a registered principal (a filter, the source of a move, the one to deactivate).
    ///
    /// - Returns: Its record.
    @discardableResult
    public static func requireRegistered(_ code: String, record: PrincipalRecord?) throws -> PrincipalRecord {
        guard let record else { throw CentralError("没有员工 \(code)") }
        return record
    }

    /// Checks that a device may be enrolled for `code`: a registered principal that is not deactivated.
    public static func checkEnrolment(for code: String, record: PrincipalRecord?) throws {
        guard let record else { throw CentralError("没有员工 \(code)：先运行 admin principal add") }
        guard !record.deactivated else { throw CentralError("员工 \(code) 已停用，不能再登记设备") }
    }

    /// Checks a deactivation: `code` is registered and is not the acting administrator.
    ///
    /// - Returns: Its record.
    @discardableResult
    public static func checkDeactivation(of code: String, record: PrincipalRecord?, by admin: Administrator) throws
        -> PrincipalRecord
    {
        let record = try requireRegistered(code, record: record)
        guard code != admin.code else { throw CentralError("不能停用自己（\(code)）") }
        return record
    }

    /// Checks that `code` may own customers: registered, active, a manager or a remote manager
    /// (``PrincipalRole/owners``).
    public static func checkOwner(_ code: String, record: PrincipalRecord?) throws {
        let record = try requireActive(code, record: record)
        guard let role = record.role, PrincipalRole.owners.contains(role) else {
            throw CentralError("只能交给客户经理或远维经理管户：\(code) 是\(record.roleLabel)")
        }
    }

    /// Checks a move of every customer (`admin assign --from --to`) before anything is read: two different people.
    public static func checkMove(from: String, to: String) throws {
        guard from != to else { throw CentralError("--from 和 --to 是同一个人：\(from)") }
    }

    /// Checks that `code` may co-cover a customer: registered, active, a wealth-center advisor.
    public static func checkCocoverer(_ code: String, record: PrincipalRecord?) throws {
        let record = try requireActive(code, record: record)
        guard record.role == .advisor else {
            throw CentralError("只有财富顾问可以协同：\(code) 是\(record.roleLabel)")
        }
    }

    /// Checks that a customer may be co-covered: its tier is a VIP tier (钻石, 私人银行;
    /// ``CoverageReport/vipTiers``).
    ///
    /// - Parameter tier: The customer's tier, `nil` when it has none (or the centre holds no such customer).
    public static func checkCocoverable(_ customer: EntityID, tier: String?) throws {
        guard let tier, CoverageReport.vipTiers.contains(tier) else {
            throw CentralError("只有钻石和私人银行客户可以协同：[\(customer.short)] 是\(tier.map { "\($0)客户" } ?? "未设层级的客户")")
        }
    }

    /// The refusal of ending a co-coverage that does not exist.
    public static func notCocovering(_ code: String, customer: EntityID) -> CentralError {
        CentralError("\(code) 没有协同客户 [\(customer.short)]")
    }

    /// A principal that may receive a customer or a co-coverage: registered and active.
    private static func requireActive(_ code: String, record: PrincipalRecord?) throws -> PrincipalRecord {
        guard let record else { throw CentralError("没有员工 \(code)：先运行 admin principal add") }
        guard !record.deactivated else { throw CentralError("员工 \(code) 已停用") }
        return record
    }
}
