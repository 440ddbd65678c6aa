import FieldbookWire

/// What one sync did, for the `sync` command's summary line.
public struct SyncSummary: Sendable, Hashable {
    /// Own ops the central node newly holds.
    public var opsSent = 0
    /// Ops received that were new to the device.
    public var opsReceived = 0
    /// Customers whose history arrived because they entered the scope.
    public var customersAdded = 0
    /// Customers removed because they left the scope.
    public var purged: [Message.Purge.Entry] = []
    /// Refusals the central node reported (ops outside the scope, or not permitted); those ops are not stored.
    public var rejected = 0
    /// What the central node said of each refusal: customer short ID, kind of change, why (no values).
    public var refusals: [String] = []
    /// Whether the device's state hash matched the central node's view of its scope.
    public var verified = false
    /// Whether a mismatch made the device pull its whole scope again.
    public var resynced = false
    /// The resume point the pull named: the last delta batch a cut pull had applied, after which the delta resumed
    /// (SPEC [W-9.12]); 0 when the pull started at the cursor.
    public var resumedAfter: UInt64 = 0
    /// The new cursor.
    public var cursor: UInt64 = 0
    /// Bytes the device wrote to the connection (set by the transport).
    public var bytesSent = 0
    /// Bytes the device read from the connection (set by the transport).
    public var bytesReceived = 0
    /// The server (`HOST:PORT`) the session went through, one of the central node's (set by the transport).
    public var server: String?

    /// An empty summary.
    public init() {}
}
