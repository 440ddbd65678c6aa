/// What `admin status` shows: principals, devices and counts.
public struct CentralStatus: Sendable, Hashable {
    /// A person.
    public struct Principal: Sendable, Hashable {
        /// Employee code.
        public var code: String
        /// Display name.
        public var name: String
        /// `manager`, `advisor`, `remote` or `admin`.
        public var role: String
        /// Whether the principal was deactivated (`admin principal deactivate`).
        public var deactivated: Bool = false
    }

    /// An enrolled device.
    public struct Device: Sendable, Hashable {
        /// The device ID (hex).
        public var id: String
        /// Whose device it is.
        public var principal: String
        /// Whether it was revoked.
        public var revoked: Bool
        /// When it last pulled (Unix ms).
        public var lastSync: UInt64?
        /// Whether it has authenticated at least once.
        public var enrolled: Bool
    }

    /// Every principal.
    public var principals: [Principal]
    /// Every device.
    public var devices: [Device]
    /// Customers in the consolidated book.
    public var customers: Int
    /// Ops in the consolidated book.
    public var ops: Int
    /// The last log sequence number.
    public var lastLSN: UInt64
}
