/// What a principal is: it decides nothing about scope (coverage does) but is shown and checked by administration.
public enum PrincipalRole: String, Sendable, CaseIterable {
    /// A relationship manager (客户经理): owns customers.
    case manager
    /// A wealth-center advisor (财富中心投顾): co-covers VIPs.
    case advisor
    /// A remote-maintenance manager (远维客户经理).
    case remote
    /// An administrator.
    case admin
}

extension PrincipalRole {
    /// How the role reads in Chinese (`客户经理`).
    public var label: String {
        switch self {
        case .manager: return "客户经理"
        case .advisor: return "财富顾问"
        case .remote: return "远维经理"
        case .admin: return "管理员"
        }
    }

    /// The roles a customer may be assigned to (owners).
    public static let owners: Set<PrincipalRole> = [.manager, .remote]
}
