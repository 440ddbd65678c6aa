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
