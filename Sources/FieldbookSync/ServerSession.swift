import Crypto
import FieldbookModel
import FieldbookWire

/// The central node's side of a sync session (protocol/SPEC.md §9): challenge, verify, store pushes, answer pulls.
///
/// Pure: it holds no store and does no I/O. Feed it every message received; it answers with ``Action``s. When it
/// needs the centre's records it returns ``Action/perform(_:)`` as its last action, and the driver carries the
/// ``Request`` out against its store and hands the answer back with ``complete(_:)`` before delivering the next
/// message. The server's NIO driver does this against the async ``CentralSyncStore``-style seam; tests, the simulator
/// and the fuzzer use ``ServerSessionDriver`` over a synchronous ``CentralReplica``.
///
/// It never fails: every problem becomes an ERROR for the device (fatal ones followed by ``Action/close``), so one
/// bad connection can never take the server down.
///
/// ```swift
/// var session = ServerSession(nonce: randomBytes(32))
/// var actions = session.receive(message)
/// while case .perform(let request) = actions.last { actions = session.complete(try await store.answer(request)) }
/// ```
public struct ServerSession: Sendable {
    /// What the driver does next, in order.
    public enum Action: Sendable {
        /// Send a message.
        case send(Message)
        /// Close the connection (after sending what came before).
        case close
        /// Ask the store; always the last action of a list. Answer with ``ServerSession/complete(_:)``.
        case perform(Request)
    }

    /// What the session needs from the centre's records. Each is one transaction of the store.
    public enum Request: Sendable {
        /// The enrolment of a device (``CentralReplica/enrolment(of:)``).
        case enrolment(DeviceID)
        /// Bind a device to the actor of its first authenticated session (``CentralReplica/bind(_:actor:)``).
        case bind(DeviceID, actor: ActorID)
        /// The counter held of an actor and the centre's clock, for WELCOME.
        case opening(ActorID)
        /// Validate and store a pushed batch (``CentralReplica/push(_:from:)``).
        case push([Operation], from: DeviceAccount)
        /// Plan a pull (``CentralReplica/pull(for:cursor:resync:resume:)``).
        case pull(for: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64)

        /// Whether the request is the session's store work (push or pull), which a server admits a few sessions at
        /// a time; authentication requests are cheap and never wait.
        public var needsAdmission: Bool {
            switch self {
            case .push, .pull: true
            case .enrolment, .bind, .opening: false
            }
        }
    }

    /// The store's answer to a ``Request``.
    public enum Response: Sendable {
        /// For ``Request/enrolment(_:)``: the record, or `nil` for an unknown device.
        case enrolment(DeviceEnrolment?)
        /// For ``Request/bind(_:actor:)``.
        case bound
        /// For ``Request/opening(_:)``.
        case opening(held: UInt64, time: HLC)
        /// For ``Request/push(_:from:)``.
        case pushed(PushOutcome)
        /// For ``Request/pull(for:cursor:resync:resume:)``.
        case pulled(PullPlan)
        /// The store failed. A ``SyncError`` with code `authFailed` fails authentication; anything else is an internal
        /// error, whose text never reaches the wire.
        case failed(SyncError?)
    }

    /// What the session waits for from the store.
    private enum Pending {
        case enrolment(Message.Auth)
        case bind(DeviceEnrolment)
        case opening(DeviceEnrolment)
        case push(seq: UInt64, count: Int)
        case pull(cursor: UInt64)
    }

    private let nonce: [UInt8]
    /// Where the session is in §9.2's table; `nil` once closed.
    private var phase: SessionPhase? = .hello
    private var pending: Pending?
    private var hello: Message.Hello?
    private var challenge: Message.Challenge?
    /// The authenticated device, once AUTH has succeeded.
    public private(set) var account: DeviceAccount?
    /// Counts for the server's log (no customer data).
    public private(set) var stats = Stats()

    /// Counts of what a session did.
    public struct Stats: Sendable, Hashable {
        /// Ops newly stored from the device.
        public var stored = 0
        /// Ops refused (scope or permission).
        public var refused = 0
        /// Ops sent to the device.
        public var sent = 0
        /// Customers purged from the device.
        public var purged = 0
    }

    /// Makes a session.
    ///
    /// - Parameter nonce: 32 fresh random bytes, new for every session (SPEC §14).
    public init(nonce: [UInt8]) {
        self.nonce = nonce
    }

    /// Whether the session is over.
    public var isClosed: Bool { phase == nil }

    /// Whether the session waits for ``complete(_:)``.
    public var isWaiting: Bool { pending != nil }

    /// How many refusals of one batch are told one by one.
    static let refusalsTold = 20

    /// Handles one message from the device. Must not be called while ``isWaiting``.
    public mutating func receive(_ message: Message) -> [Action] {
        guard let phase else { return [] }
        precondition(pending == nil, "the driver must complete the store request before the next message")
        if case .error(let error) = message {
            if error.fatal {
                self.phase = nil
                return [.close]
            }
            return []
        }
        // The table of §9.2 (PING too waits for WELCOME). The server answers a PULL within one store request, so its
        // "pulling" phase never outlasts the request.
        guard phase.allows(message.type, from: .device) else {
            return fail(.unexpectedMessage, "\(message.type) is not allowed now")
        }
        switch message {
        case .ping(let ping):
            return [.send(.pong(ping))]
        case .pong, .unknown:
            return []
        case .hello(let hello):
            // A version-1 device negotiated version 1 with the server's preamble (04 01) only to read this: it prints
            // a fatal ERROR's message to its user (SPEC [W-5.6], [W-8.1.2]). Versions 2 to 4 run: the session writes
            // its OPS in the HELLO's version (SPEC [W-5.7]).
            guard Preamble.sessionVersions.contains(hello.version) else { return fail(.unsupportedVersion, Preamble.updateMessage) }
            self.hello = hello
            let challenge = Message.Challenge(nonce: nonce)
            self.challenge = challenge
            self.phase = .auth
            // Unknown devices get a challenge too: AUTH fails alike for an unknown device and a wrong MAC (§14).
            return [.send(.challenge(challenge))]
        case .auth(let auth):
            self.phase = .welcome
            return ask(.enrolment(hello!.device), then: .enrolment(auth))
        case .ops(let ops):
            guard !ops.backfill else { return fail(.unexpectedMessage, "devices must not send backfill") }
            return ask(.push(ops.operations, from: account!), then: .push(seq: ops.seq, count: ops.operations.count))
        case .pull(let pull):
            return ask(
                .pull(for: account!, cursor: pull.cursor, resync: pull.resync, resume: pull.resume), then: .pull(cursor: pull.cursor))
        default:
            return fail(.unexpectedMessage, "\(message.type) is not allowed now")
        }
    }

    /// Hands the store's answer to the request of the last ``Action/perform(_:)``.
    public mutating func complete(_ response: Response) -> [Action] {
        guard let waiting = pending, phase != nil else { return [] }
        pending = nil
        switch (waiting, response) {
        case (_, .failed(let error)):
            if let error, error.code == .authFailed { return fail(.authFailed, "authentication failed") }
            return fail(.internal, "internal error")
        case (.enrolment(let auth), .enrolment(let enrolment)):
            return authenticate(auth, enrolment: enrolment)
        case (.bind(let enrolment), .bound):
            return ask(.opening(hello!.actor), then: .opening(enrolment))
        case (.opening(let enrolment), .opening(let held, let time)):
            return welcome(enrolment, held: held, time: time)
        case (.push(let seq, let count), .pushed(let outcome)):
            return acknowledge(seq: seq, count: count, outcome)
        case (.pull(let cursor), .pulled(let plan)):
            return answer(cursor: cursor, plan)
        default:
            return fail(.internal, "internal error")
        }
    }

    private mutating func ask(_ request: Request, then waiting: Pending) -> [Action] {
        pending = waiting
        return [.perform(request)]
    }

    private mutating func fail(_ code: ErrorCode, _ message: String) -> [Action] {
        phase = nil
        pending = nil
        return [.send(.error(Message.ErrorMessage(code: code, fatal: true, message: message))), .close]
    }

    private mutating func authenticate(_ auth: Message.Auth, enrolment: DeviceEnrolment?) -> [Action] {
        guard let hello, let challenge, let enrolment else { return fail(.authFailed, "authentication failed") }
        // A revoked device's secret is deleted at the centre, so no MAC can be checked: a device ID is a random
        // 128-bit value only its token holder knows, and it is told it was revoked.
        guard !enrolment.revoked else { return fail(.deviceRevoked, "device revoked") }
        let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge)
        // HMAC's validation compares in constant time.
        guard HMAC<SHA256>.isValidAuthenticationCode(auth.mac, authenticating: transcript, using: SymmetricKey(data: enrolment.secret))
        else { return fail(.authFailed, "authentication failed") }
        if let bound = enrolment.actor, bound != hello.actor {
            // The MAC proved the token: its holder is told exactly why (a token enrols one book, once).
            return fail(.tokenUsed, "the enrolment token was used by another book")
        }
        if enrolment.actor == nil { return ask(.bind(hello.device, actor: hello.actor), then: .bind(enrolment)) }
        return ask(.opening(hello.actor), then: .opening(enrolment))
    }

    private mutating func welcome(_ enrolment: DeviceEnrolment, held: UInt64, time: HLC) -> [Action] {
        let hello = hello!
        account = DeviceAccount(device: hello.device, principal: enrolment.principal, actor: hello.actor)
        let transcript = Message.Auth.transcript(label: Message.Auth.serverLabel, hello: hello, challenge: challenge!)
        let proof = HMAC<SHA256>.authenticationCode(for: transcript, using: SymmetricKey(data: enrolment.secret))
        phase = .open
        return [.send(.welcome(Message.Welcome(held: held, time: time, principal: enrolment.principal, proof: Array(proof))))]
    }

    private mutating func acknowledge(seq: UInt64, count: Int, _ outcome: PushOutcome) -> [Action] {
        stats.stored += count - outcome.outOfScope - outcome.denied
        stats.refused += outcome.outOfScope + outcome.denied
        var actions: [Action] = []
        // One recoverable ERROR per refused op, in words (customer short ID, kind of change, why; never a value), up
        // to a few per batch; the rest are counted in one more (SPEC [W-10.4]).
        for refusal in outcome.refusals.prefix(Self.refusalsTold) {
            actions.append(.send(.error(Message.ErrorMessage(code: refusal.code, message: refusal.words))))
        }
        let untold = outcome.outOfScope + outcome.denied - min(outcome.refusals.count, Self.refusalsTold)
        if untold > 0 {
            let code: ErrorCode = outcome.denied > 0 ? .permissionDenied : .scopeViolation
            actions.append(.send(.error(Message.ErrorMessage(code: code, message: "另有 \(untold) 个操作未被接收"))))
        }
        if outcome.gap {
            actions.append(.send(.error(Message.ErrorMessage(code: .counterGap, message: "batch does not continue from held \(outcome.held)"))))
        }
        actions.append(.send(.ack(Message.Ack(seq: seq, held: outcome.held))))
        return actions
    }

    private mutating func answer(cursor: UInt64, _ plan: PullPlan) -> [Action] {
        var actions: [Action] = []
        if !plan.purges.isEmpty {
            actions.append(.send(.purge(Message.Purge(entries: plan.purges))))
            stats.purged += plan.purges.count
        }
        for chunk in OpBatching.chunks(plan.backfill) {
            actions.append(
                .send(.ops(Message.Ops(seq: cursor, backfill: true, operations: chunk, compressed: chunk.count > 32, version: hello!.version))))
        }
        // A delta batch's seq is the log sequence number of its last op: the cursor once it is applied.
        var lsnByOp: [OpID: UInt64] = [:]
        for entry in plan.delta { lsnByOp[entry.op.id] = entry.lsn }
        for chunk in OpBatching.chunks(plan.delta.map(\.op)) {
            actions.append(
                .send(.ops(Message.Ops(seq: lsnByOp[chunk.last!.id]!, operations: chunk, compressed: chunk.count > 32, version: hello!.version))))
        }
        stats.sent += plan.backfill.count + plan.delta.count
        actions.append(.send(.done(Message.Done(cursor: plan.cursor, stateHash: plan.stateHash))))
        return actions
    }
}
