import FieldbookModel
import FieldbookWire

/// What one device sent the central node and when: the audit answer of `fieldbook admin device log`.
///
/// Built from the central tables (`device`, `lsn`, `refused`): every op the device pushed, stored or refused, with
/// the time the centre received it. It names ops, scopes and fields, never field values, so it can be shown to an
/// auditor without customer data.
///
/// ```swift
/// let log = try central.deviceLog("3f2a")
/// for entry in log.entries { print(entry.at, entry.op, entry.change ?? "-", entry.refusal ?? "stored") }
/// ```
public struct DeviceLog: Sendable {
    /// One op the device pushed.
    public struct Entry: Sendable, Hashable {
        /// When the central node received it (Unix milliseconds).
        public var at: UInt64
        /// Its central log sequence number; `nil` for a refused op, which is stored nowhere.
        public var lsn: UInt64?
        /// The op.
        public var op: OpID
        /// Its scope key (`c:<customer id>`, `p:<code>`, `g`); `nil` for a refused op.
        public var scope: String?
        /// What it did, as kind and field names only (`create customer`, `set phone`); `nil` for a refused op.
        public var change: String?
        /// Why it was refused; `nil` when it was stored.
        public var refusal: ErrorCode?
        /// For a refused op: the customer's short ID it was declared for (never a value), if any.
        public var customer: String?
        /// For a refused op: why, in words (`Refusal.why`), when the centre recorded it.
        public var reason: String?

        /// Makes a value (for the stores that compute it).
        package init(at: UInt64, lsn: UInt64?, op: OpID, scope: String?, change: String?, refusal: ErrorCode?, customer: String?, reason: String?) {
            self.at = at
            self.lsn = lsn
            self.op = op
            self.scope = scope
            self.change = change
            self.refusal = refusal
            self.customer = customer
            self.reason = reason
        }
    }

    /// The device.
    public var device: DeviceID
    /// The principal it was enrolled for.
    public var principal: String
    /// The replica (actor) the device authenticated as, once it has synced.
    public var actor: ActorID?
    /// Whether it was revoked.
    public var revoked: Bool
    /// When it was enrolled (Unix milliseconds).
    public var enrolled: UInt64
    /// When its last session pulled (Unix milliseconds).
    public var lastSync: UInt64?
    /// How many ops it pushed in all (stored and refused), whatever `entries` holds.
    public var total: Int
    /// The newest entries, oldest first.
    public var entries: [Entry]

    /// Makes a value (for the stores that compute it).
    package init(device: DeviceID, principal: String, actor: ActorID?, revoked: Bool, enrolled: UInt64, lastSync: UInt64?, total: Int, entries: [Entry]) {
        self.device = device
        self.principal = principal
        self.actor = actor
        self.revoked = revoked
        self.enrolled = enrolled
        self.lastSync = lastSync
        self.total = total
        self.entries = entries
    }
}
