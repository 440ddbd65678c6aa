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

        /// Makes a value (for the stores that compute it).
        package init(code: String, name: String, role: String, deactivated: Bool = false) {
            self.code = code
            self.name = name
            self.role = role
            self.deactivated = deactivated
        }
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

        /// Makes a value (for the stores that compute it).
        package init(id: String, principal: String, revoked: Bool, lastSync: UInt64?, enrolled: Bool) {
            self.id = id
            self.principal = principal
            self.revoked = revoked
            self.lastSync = lastSync
            self.enrolled = enrolled
        }
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

    /// Makes a value (for the stores that compute it).
    package init(principals: [Principal], devices: [Device], customers: Int, ops: Int, lastLSN: UInt64) {
        self.principals = principals
        self.devices = devices
        self.customers = customers
        self.ops = ops
        self.lastLSN = lastLSN
    }
}
