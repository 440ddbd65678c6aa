/// A registered principal as the centre's rules need it: what each store reads from its `principal` table.
public struct PrincipalRecord: Sendable, Hashable {
    /// The employee code.
    public var code: String
    /// The display name.
    public var name: String
    /// The role, or `nil` when the stored one is not a role this version knows.
    public var role: PrincipalRole?
    /// Whether the principal was deactivated (`admin principal deactivate`).
    public var deactivated: Bool

    /// Makes a record.
    public init(code: String, name: String, role: PrincipalRole?, deactivated: Bool) {
        self.code = code
        self.name = name
        self.role = role
        self.deactivated = deactivated
    }

    /// How the role reads in a message: its Chinese label, or `未知角色`.
    var roleLabel: String { role?.label ?? "未知角色" }
}
