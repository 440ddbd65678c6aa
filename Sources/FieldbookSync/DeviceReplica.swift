import FieldbookModel
import FieldbookWire

/// What a client session needs from the device's book. `FieldbookClient` implements it over `Book`; tests
/// implement it in memory. Every method is one transaction.
public protocol DeviceReplica: AnyObject {
    /// The device's actor: every op it pushes has it.
    var actor: ActorID { get }
    /// The employee code the book belongs to: the centre must say the device was enrolled for the same one.
    var principal: String { get }
    /// The device's own ops after a counter, in counter order, at most `limit`.
    func ownOps(after counter: UInt64, limit: Int) throws -> [Operation]
    /// Records that the server holds the device's ops up to `held` (for "unsynced" counts).
    func markPushed(_ held: UInt64) throws
    /// Where the next pull starts: the cursor, whether it must ask for a resync, and the resume point of a cut
    /// pull, from one read of the book's sync state.
    func pullPosition() throws -> PullPosition
    /// Applies received ops idempotently, in one transaction. A backfill batch also marks the book as needing a
    /// resync until the session's DONE, in the same transaction (SPEC [W-9.8]); a delta batch leaves the cursor,
    /// which only DONE moves, so a session cut after a later batch can never skip an earlier one (SPEC [W-9.7]), and
    /// records its `seq` as the resume point in the same transaction, so a cut pull resumes after it (SPEC [W-9.12]).
    /// Ops whose values break the rules (``Operation/valueProblem``) are not applied.
    ///
    /// - Returns: How many ops were new.
    func apply(_ ops: [Operation], backfill: Bool, seq: UInt64) throws -> Int
    /// Moves the cursor at a DONE and clears the resume point, in one transaction; `clean` says the book now holds
    /// exactly the scopes of that DONE (it clears the resync mark), `false` that it does not (a state-hash mismatch:
    /// the mark is set).
    func setCursor(_ cursor: UInt64, clean: Bool) throws
    /// Removes every row and op of customers that left the device's scope, in one transaction that also marks the
    /// book as needing a resync until the session's DONE.
    ///
    /// - Returns: The entries whose customer the book held (a purge repeated after a cut session finds none).
    func purge(_ entries: [Message.Purge.Entry]) throws -> [Message.Purge.Entry]
    /// Takes the server's clock reading into account (never past the device's own wall clock plus
    /// ``ScopePolicy/clockBound``).
    func observe(_ time: HLC) throws
    /// The device's clock: the reading its next op would carry at the earliest (the greater of its wall clock and
    /// the last reading it recorded).
    func clock() throws -> HLC
    /// The overall state hash of the device's book.
    func stateHash() throws -> [UInt8]
}

/// Who a device is, as the server knows it after authentication.
public struct DeviceAccount: Sendable, Hashable {
    /// The enrolled device.
    public var device: DeviceID
    /// The employee code it is enrolled for.
    public var principal: String
    /// The actor bound to the device (the one its ops carry).
    public var actor: ActorID

    /// Makes an account.
    public init(device: DeviceID, principal: String, actor: ActorID) {
        self.device = device
        self.principal = principal
        self.actor = actor
    }
}

/// What the server did with a pushed batch.
public struct PushOutcome: Sendable, Hashable {
    /// The highest contiguous counter now held of the device's actor (rejected ops count as held: they will never
    /// be accepted, and the device must not be blocked behind them).
    public var held: UInt64
    /// Ops refused because they write outside the device's scope.
    public var outOfScope: Int
    /// Ops refused because the principal may not write what they write.
    public var denied: Int
    /// Whether the batch did not continue from what the server holds (SPEC §10 `counterGap`); nothing after the
    /// gap was stored.
    public var gap = false
    /// Each op refused, with why (the device is told, SPEC [W-10.4]).
    public var refusals: [Refusal] = []

    /// Makes an outcome.
    public init(held: UInt64, outOfScope: Int = 0, denied: Int = 0) {
        self.held = held
        self.outOfScope = outOfScope
        self.denied = denied
    }
}

/// Everything a pull answers, computed on one consistent snapshot of the central database.
public struct PullPlan: Sendable {
    /// Customers that left the device's scope.
    public var purges: [Message.Purge.Entry]
    /// The full history of customers that entered the scope (or the whole scope, for a resync).
    public var backfill: [Operation]
    /// Ops in scope after the device's cursor, in log order, each with its log sequence number.
    public var delta: [(lsn: UInt64, op: Operation)]
    /// The device's new cursor.
    public var cursor: UInt64
    /// The state hash of the device's scope at `cursor`.
    public var stateHash: [UInt8]

    /// Makes a plan.
    public init(
        purges: [Message.Purge.Entry], backfill: [Operation], delta: [(lsn: UInt64, op: Operation)], cursor: UInt64,
        stateHash: [UInt8]
    ) {
        self.purges = purges
        self.backfill = backfill
        self.delta = delta
        self.cursor = cursor
        self.stateHash = stateHash
    }
}

/// What a server session needs from the central database, in its synchronous form: for in-process drivers
/// (``ServerSessionDriver``: tests, the simulator, the fuzzer). The server itself drives sessions against the async
/// seam of `FieldbookCentral` (`CentralSyncStore`), which has the same operations.
public protocol CentralReplica: AnyObject {
    /// The enrolment of a device; `nil` for an unknown device.
    func enrolment(of device: DeviceID) throws -> DeviceEnrolment?
    /// Binds a device to the actor of its first authenticated session.
    func bind(_ device: DeviceID, actor: ActorID) throws
    /// The highest contiguous counter held of an actor.
    func held(of actor: ActorID) throws -> UInt64
    /// Validates (scope, permissions, contiguity) and stores a pushed batch in one transaction.
    func push(_ ops: [Operation], from account: DeviceAccount) throws -> PushOutcome
    /// What to send for a pull; `resume` is the PULL's resume point (SPEC [W-9.12]): with a known cursor, the delta
    /// starts after it.
    func pull(for account: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64) throws -> PullPlan
    /// The central node's clock reading.
    func now() throws -> HLC
}

/// A device's enrolment as the centre records it.
public struct DeviceEnrolment: Sendable, Hashable {
    /// The enrolment secret (empty once revoked: the centre deletes it).
    public var secret: [UInt8]
    /// The employee code the device is enrolled for.
    public var principal: String
    /// The actor bound at the device's first authenticated session, if any.
    public var actor: ActorID?
    /// Whether the device was revoked.
    public var revoked: Bool

    /// Makes a record.
    public init(secret: [UInt8], principal: String, actor: ActorID?, revoked: Bool) {
        self.secret = secret
        self.principal = principal
        self.actor = actor
        self.revoked = revoked
    }
}

/// Where a device's next pull starts (SPEC §8.9): what its PULL says.
public struct PullPosition: Sendable, Hashable {
    /// The last log sequence number applied at a DONE.
    public var cursor: UInt64
    /// Whether the book's scopes may differ from what the cursor names (SPEC [W-9.8]).
    public var resync: Bool
    /// The `seq` of the last delta batch a cut pull applied since the cursor; 0 for none (SPEC [W-9.12]).
    public var resume: UInt64

    /// Makes a position.
    public init(cursor: UInt64, resync: Bool, resume: UInt64) {
        self.cursor = cursor
        self.resync = resync
        self.resume = resume
    }
}
