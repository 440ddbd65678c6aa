import Crypto
import FieldbookModel
import FieldbookWire

/// The central node's side of a sync session (protocol/SPEC.md §9): challenge, verify, store pushes, answer pulls.
///
/// Transport-free: feed it every message received and carry out what it returns. It never throws: every failure
/// becomes an ERROR for the device (fatal ones followed by ``Action/close``), so one bad connection can never take
/// the server down.
///
/// ```swift
/// var session = ServerSession(replica: central, nonce: randomBytes(32))
/// for action in session.receive(message) { … }
/// ```
public struct ServerSession {
    /// What the driver does next.
    public enum Action: Sendable {
        /// Send a message.
        case send(Message)
        /// Close the connection (after sending what came before).
        case close
    }

    private enum Phase { case hello, auth, open, closed }

    private let replica: any CentralReplica
    private let nonce: [UInt8]
    private var phase = Phase.hello
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
    /// - Parameters:
    ///   - replica: The central database.
    ///   - nonce: 32 fresh random bytes, new for every session (SPEC §14).
    public init(replica: any CentralReplica, nonce: [UInt8]) {
        self.replica = replica
        self.nonce = nonce
    }

    /// Whether the session is over.
    public var isClosed: Bool { phase == .closed }

    /// Handles one message from the device.
    public mutating func receive(_ message: Message) -> [Action] {
        guard phase != .closed else { return [] }
        do {
            return try handle(message)
        } catch let error as SyncError where error.code == .authFailed {
            return fail(.authFailed, "authentication failed")
        } catch {
            // Never echo the error text: it may come from storage and must not reach the wire unchecked.
            return fail(.internal, "internal error")
        }
    }

    /// How many refusals of one batch are told one by one.
    static let refusalsTold = 20

    private mutating func fail(_ code: ErrorCode, _ message: String) -> [Action] {
        phase = .closed
        return [.send(.error(Message.ErrorMessage(code: code, fatal: true, message: message))), .close]
    }

    private mutating func handle(_ message: Message) throws -> [Action] {
        switch (phase, message) {
        case (_, .ping(let ping)):
            return [.send(.pong(ping))]
        case (_, .pong), (_, .unknown):
            return []
        case (_, .error(let error)):
            if error.fatal {
                phase = .closed
                return [.close]
            }
            return []
        case (.hello, .hello(let hello)):
            guard hello.version == 1 else { return fail(.unsupportedVersion, "protocol version 1 only") }
            self.hello = hello
            let challenge = Message.Challenge(nonce: nonce)
            self.challenge = challenge
            phase = .auth
            // Unknown devices get a challenge too: AUTH fails alike for an unknown device and a wrong MAC (§14).
            return [.send(.challenge(challenge))]
        case (.auth, .auth(let auth)):
            guard let hello, let challenge, let enrolment = try replica.enrolment(of: hello.device) else {
                return fail(.authFailed, "authentication failed")
            }
            // A revoked device's secret is deleted at the centre, so no MAC can be checked: a device ID is a random
            // 128-bit value only its token holder knows, and it is told it was revoked.
            guard !enrolment.revoked else { return fail(.deviceRevoked, "device revoked") }
            let key = SymmetricKey(data: enrolment.secret)
            let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge)
            // HMAC's validation compares in constant time.
            guard HMAC<SHA256>.isValidAuthenticationCode(auth.mac, authenticating: transcript, using: key) else {
                return fail(.authFailed, "authentication failed")
            }
            if let bound = enrolment.actor, bound != hello.actor {
                // The MAC proved the token: its holder is told exactly why (a token enrols one book, once).
                return fail(.tokenUsed, "the enrolment token was used by another book")
            }
            if enrolment.actor == nil { try replica.bind(hello.device, actor: hello.actor) }
            account = DeviceAccount(device: hello.device, principal: enrolment.principal, actor: hello.actor)
            let proofTranscript = Message.Auth.transcript(label: Message.Auth.serverLabel, hello: hello, challenge: challenge)
            let proof = HMAC<SHA256>.authenticationCode(for: proofTranscript, using: key)
            phase = .open
            return [
                .send(
                    .welcome(
                        Message.Welcome(
                            held: try replica.held(of: hello.actor), time: try replica.now(),
                            principal: enrolment.principal, proof: Array(proof)))),
            ]
        case (.open, .ops(let ops)):
            guard !ops.backfill else { return fail(.unexpectedMessage, "devices must not send backfill") }
            let outcome = try replica.push(ops.operations, from: account!)
            stats.stored += ops.operations.count - outcome.outOfScope - outcome.denied
            stats.refused += outcome.outOfScope + outcome.denied
            var actions: [Action] = []
            // One recoverable ERROR per refused op, in words (customer short ID, kind of change, why; never a value),
            // up to a few per batch; the rest are counted in one more (SPEC [W-10.4]).
            for refusal in outcome.refusals.prefix(Self.refusalsTold) {
                actions.append(.send(.error(Message.ErrorMessage(code: refusal.code, message: refusal.words))))
            }
            let untold = outcome.outOfScope + outcome.denied - min(outcome.refusals.count, Self.refusalsTold)
            if untold > 0 {
                let code: ErrorCode = outcome.denied > 0 ? .permissionDenied : .scopeViolation
                actions.append(.send(.error(Message.ErrorMessage(code: code, message: "另有 \(untold) 个操作未被接收"))))
            }
            if outcome.gap {
                actions.append(
                    .send(.error(Message.ErrorMessage(code: .counterGap, message: "batch does not continue from held \(outcome.held)"))))
            }
            actions.append(.send(.ack(Message.Ack(seq: ops.seq, held: outcome.held))))
            return actions
        case (.open, .pull(let pull)):
            let plan = try replica.pull(for: account!, cursor: pull.cursor, resync: pull.resync)
            var actions: [Action] = []
            if !plan.purges.isEmpty {
                actions.append(.send(.purge(Message.Purge(entries: plan.purges))))
                stats.purged += plan.purges.count
            }
            for chunk in OpBatching.chunks(plan.backfill) {
                actions.append(.send(.ops(Message.Ops(seq: pull.cursor, backfill: true, operations: chunk, compressed: chunk.count > 32))))
            }
            // A delta batch's seq is the log sequence number of its last op: the cursor once it is applied.
            var lsnByOp: [OpID: UInt64] = [:]
            for entry in plan.delta { lsnByOp[entry.op.id] = entry.lsn }
            for chunk in OpBatching.chunks(plan.delta.map(\.op)) {
                actions.append(.send(.ops(Message.Ops(seq: lsnByOp[chunk.last!.id]!, operations: chunk, compressed: chunk.count > 32))))
            }
            stats.sent += plan.backfill.count + plan.delta.count
            actions.append(.send(.done(Message.Done(cursor: plan.cursor, stateHash: plan.stateHash))))
            return actions
        default:
            return fail(.unexpectedMessage, "\(message.type) is not allowed now")
        }
    }
}
