/// Who makes an administrative change: recorded as the principal of every op the centre writes for it, so `history`
/// on any book names the administrator (SPEC §10, "Ops the centre writes").
public struct Administrator: Sendable, Hashable {
    /// The employee code (or, for an administrator nobody registered, the operating-system user name).
    public var code: String
    /// Whether `code` was named explicitly (`--as`, `$FIELDBOOK_ADMIN`): it must then be a registered principal with
    /// role `admin`. The operating-system user name is accepted unregistered, unless it is another person's code.
    public var named: Bool

    /// Makes an administrator identity.
    public init(code: String, named: Bool) {
        self.code = code
        self.named = named
    }

    /// The centre itself (`central`): what ops written without a named administrator carry, as before issue 19.
    public static let centre = Administrator(code: "central", named: false)
}
