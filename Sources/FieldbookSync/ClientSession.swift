import Crypto
import FieldbookModel
import FieldbookWire

/// The device side of a sync session (protocol/SPEC.md §9): authenticate, push own ops, pull, verify.
///
/// Pure: it holds no book and does no I/O. Feed it every message received; it answers with ``Action``s. When it
/// needs the device's book it returns ``Action/perform(_:)`` as its last action; the driver carries the ``Request``
/// out (each is one transaction of the book, ``DeviceReplica``) and hands the answer back with ``complete(_:)``
/// before delivering the next message. Everything applied is applied with its bookkeeping in one transaction, so a
/// drop at any point loses nothing and the next session resumes. ``ClientSessionDriver`` drives it in process over a
/// ``DeviceReplica``.
///
/// ```swift
/// var session = ClientSession(device: id, secret: secret, actor: book.actor, principal: book.principal, nonce: nonce)
/// var actions = session.start()
/// while case .perform(let request) = actions.last { actions = try session.complete(answer(request)) }
/// ```
public struct ClientSession: Sendable {
    /// What the driver does next, in order.
    public enum Action: Sendable {
        /// Send a message.
        case send(Message)
        /// The session is complete; close the connection.
        case finished(SyncSummary)
        /// Ask the book; always the last action of a list. Answer with ``ClientSession/complete(_:)``.
        case perform(Request)
    }

    /// What the session needs from the device's book. Each is one transaction (``DeviceReplica``).
    public enum Request: Sendable {
        /// The device's clock (``DeviceReplica/clock()``).
        case clock
        /// Take the server's clock into account and record what it holds (``DeviceReplica/observe(_:)``, then
        /// ``DeviceReplica/markPushed(_:)``).
        case observe(HLC, held: UInt64)
        /// The device's own ops after a counter (``DeviceReplica/ownOps(after:limit:)``).
        case ownOps(after: UInt64, limit: Int)
        /// Record what the server holds (``DeviceReplica/markPushed(_:)``).
        case markPushed(UInt64)
        /// Where the pull starts: the cursor, whether a resync is needed, and the resume point of a cut pull.
        case pullPosition
        /// Purge customers that left the scope (``DeviceReplica/purge(_:)``).
        case purge([Message.Purge.Entry])
        /// Apply received ops (``DeviceReplica/apply(_:backfill:seq:)``); a delta batch's `seq` becomes the resume
        /// point in the same transaction.
        case apply([Operation], backfill: Bool, seq: UInt64)
        /// The book's overall state hash (``DeviceReplica/stateHash()``).
        case stateHash
        /// Move the cursor at a DONE (``DeviceReplica/setCursor(_:clean:)``).
        case setCursor(UInt64, clean: Bool)
    }

    /// The book's answer to a ``Request``.
    public enum Response: Sendable {
        /// For ``Request/clock``.
        case clock(HLC)
        /// For requests that answer nothing (observe, markPushed, setCursor).
        case done
        /// For ``Request/ownOps(after:limit:)``.
        case ownOps([Operation])
        /// For ``Request/pullPosition``: `resume` is 0 when no cut pull left one (SPEC [W-9.12]).
        case pullPosition(cursor: UInt64, resync: Bool, resume: UInt64)
        /// For ``Request/purge(_:)``: the entries whose customer the book held.
        case purged([Message.Purge.Entry])
        /// For ``Request/apply(_:backfill:seq:)``: how many ops were new.
        case applied(Int)
        /// For ``Request/stateHash``.
        case stateHash([UInt8])
    }

    /// What the session waits for from the book.
    private enum Pending {
        case clock(Message.Welcome)
        case observed
        case ownOps
        case markedPushed
        case pullPosition
        case purged
        case applied
        case stateHash(Message.Done)
        case cursorSet(Message.Done, verified: Bool)
    }

    private let device: DeviceID
    private let secret: [UInt8]
    private let actor: ActorID
    private let principal: String
    private let nonce: [UInt8]
    /// The protocol version: HELLO names it and OPS batches are written in its layout.
    public let version: UInt8
    /// Where the session is in §9.2's table; `nil` before ``start()`` and once finished.
    private var phase: SessionPhase?
    private var started = false
    private var pending: Pending?
    private var hello: Message.Hello?
    private var challenge: Message.Challenge?
    private var held: UInt64 = 0
    private var pushSeq: UInt64 = 0
    private var pulledWithResync = false
    private var backfilledCustomers: Set<EntityID> = []
    /// What the session did so far.
    public private(set) var summary = SyncSummary()

    /// Makes a session.
    ///
    /// - Parameters:
    ///   - device: The enrolled device ID.
    ///   - secret: The enrolment secret.
    ///   - actor: The book's actor: every op it pushes has it.
    ///   - principal: The employee code the book belongs to: the centre must say the device was enrolled for it.
    ///   - nonce: 32 fresh random bytes; a new value for every session (SPEC §14).
    ///   - version: The protocol version the session speaks: ``Preamble/version``, or 2 to act as a version-2
    ///     device (tests of the server's version-2 sessions).
    public init(
        device: DeviceID, secret: [UInt8], actor: ActorID, principal: String, nonce: [UInt8], version: UInt8 = Preamble.version
    ) {
        self.device = device
        self.secret = secret
        self.actor = actor
        self.principal = principal
        self.nonce = nonce
        self.version = version
    }

    /// Whether the session has completed (or failed).
    public var isFinished: Bool { started && phase == nil }

    /// Whether the session waits for ``complete(_:)``.
    public var isWaiting: Bool { pending != nil }

    /// Opens the session: the HELLO.
    public mutating func start() -> [Action] {
        let hello = Message.Hello(version: version, device: device, actor: actor, nonce: nonce, schema: Schema.version)
        self.hello = hello
        started = true
        phase = .challenge
        return [.send(.hello(hello))]
    }

    /// Handles one message from the server. Must not be called while ``isWaiting``.
    ///
    /// - Throws: ``SyncError`` when the server refuses the session, breaks the protocol or proves to be another
    ///   server; the driver closes the connection.
    public mutating func receive(_ message: Message) throws(SyncError) -> [Action] {
        precondition(pending == nil, "the driver must complete the book request before the next message")
        guard let phase else { return [] }
        do {
            return try handle(message, in: phase)
        } catch {
            self.phase = nil
            throw error
        }
    }

    /// Hands the book's answer to the request of the last ``Action/perform(_:)``.
    ///
    /// - Throws: ``SyncError`` as ``receive(_:)``.
    public mutating func complete(_ response: Response) throws(SyncError) -> [Action] {
        guard let waiting = pending, phase != nil else { return [] }
        pending = nil
        do {
            return try resume(waiting, with: response)
        } catch {
            phase = nil
            throw error
        }
    }

    /// Ends the session because the book failed a request: the driver throws this error.
    public mutating func fail(_ error: any Error) -> SyncError {
        phase = nil
        pending = nil
        return error as? SyncError ?? SyncError(.local, "本地账本出错：\(error)")
    }

    private mutating func ask(_ request: Request, then waiting: Pending) -> [Action] {
        pending = waiting
        return [.perform(request)]
    }

    private mutating func handle(_ message: Message, in phase: SessionPhase) throws(SyncError) -> [Action] {
        if case .error(let error) = message {
            if error.code == .deviceRevoked { throw SyncError(.revoked, "这台设备已被中心节点停用，请联系管理员重新登记") }
            if error.code == .authFailed { throw SyncError(.authFailed, "中心节点不认识这台设备，或设备密钥不对") }
            if error.code == .tokenUsed {
                throw SyncError(.authFailed, "这个登记令牌已被另一个账本用过：一个令牌只能登记一个账本，请向管理员申请新令牌")
            }
            if error.fatal { throw SyncError(.remote, "中心节点终止了同步：\(error.code)（\(Self.printable(error.message))）") }
            // Recoverable: the server refused a pushed op (it counts as held, so the push goes on). Its message says
            // which customer, what change and why, without values (SPEC [W-10.4]).
            if error.code == .scopeViolation || error.code == .permissionDenied {
                summary.rejected += 1
                summary.refusals.append(Self.printable(error.message))
            }
            return []
        }
        guard phase.allows(message.type, from: .server) else {
            throw SyncError(.protocolViolation, "中心节点发来了此时不应有的消息（\(message.type)）")
        }
        switch message {
        case .ping(let ping):
            return [.send(.pong(ping))]
        case .pong, .unknown:
            return []
        case .challenge(let challenge):
            self.challenge = challenge
            self.phase = .welcome
            let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello!, challenge: challenge)
            let mac = HMAC<SHA256>.authenticationCode(for: transcript, using: SymmetricKey(data: secret))
            return [.send(.auth(Message.Auth(mac: Array(mac))))]
        case .welcome(let welcome):
            let transcript = Message.Auth.transcript(label: Message.Auth.serverLabel, hello: hello!, challenge: challenge!)
            guard
                HMAC<SHA256>.isValidAuthenticationCode(
                    welcome.proof, authenticating: transcript, using: SymmetricKey(data: secret))
            else { throw SyncError(.authFailed, "对方不是这台设备登记的中心节点（证明不符），已中止") }
            return ask(.clock, then: .clock(welcome))
        case .ack(let ack):
            guard ack.seq == pushSeq, pushSeq > 0 else { throw SyncError(.protocolViolation, "中心节点确认了未发送的批次") }
            guard ack.held > held else {
                // Nothing of the batch was taken (a gap in this device's counters): pushing it again cannot help.
                throw SyncError(.rejected, "中心节点没有接收推送的操作（操作计数不连续），请联系管理员")
            }
            summary.opsSent += Int(ack.held - held)
            held = ack.held
            return ask(.markPushed(held), then: .markedPushed)
        case .purge(let purge):
            return ask(.purge(purge.entries), then: .purged)
        case .ops(let ops):
            if ops.backfill {
                for op in ops.operations { if let customer = op.scope.customer { backfilledCustomers.insert(customer) } }
            }
            return ask(.apply(ops.operations, backfill: ops.backfill, seq: ops.seq), then: .applied)
        case .done(let done):
            return ask(.stateHash, then: .stateHash(done))
        default:
            throw SyncError(.protocolViolation, "中心节点发来了此时不应有的消息（\(message.type)）")
        }
    }

    private mutating func resume(_ waiting: Pending, with response: Response) throws(SyncError) -> [Action] {
        switch (waiting, response) {
        case (.clock(let welcome), .clock(let clock)):
            // A clock far ahead of the centre's would date every op in the future, and the centre refuses such ops
            // (SPEC [W-10.8]): stop before pushing anything, so nothing is refused, and say so in words.
            let ahead = Int64(bitPattern: clock.milliseconds &- welcome.time.milliseconds)
            if ahead > Int64(ScopePolicy.clockBound) {
                throw SyncError(
                    .clockAhead,
                    "本机时钟比中心节点快了约 \(Self.duration(UInt64(ahead)))：请把本机时间调准后再同步（未同步的修改都还在本机）")
            }
            // A token issued for another principal must not enrol this book: its ops would all be refused and it
            // would receive another manager's customers.
            guard welcome.principal == principal else {
                throw SyncError(
                    .authFailed, "这台设备的令牌是为员工 \(welcome.principal) 登记的，而本账本属于 \(principal)：请用本人的令牌")
            }
            held = welcome.held
            phase = .open
            return ask(.observe(welcome.time, held: held), then: .observed)
        case (.observed, .done), (.markedPushed, .done):
            return ask(.ownOps(after: held, limit: OpBatching.maximumOps), then: .ownOps)
        case (.ownOps, .ownOps(let own)):
            guard let ops = OpBatching.chunks(own).first else {
                return ask(.pullPosition, then: .pullPosition)
            }
            pushSeq += 1
            return [.send(.ops(Message.Ops(seq: pushSeq, operations: ops, compressed: ops.count > 32, version: version)))]
        case (.pullPosition, .pullPosition(let cursor, let resync, let resume)):
            phase = .pulling
            pulledWithResync = resync
            summary.resynced = resync
            // A resync resends everything, so a resume point means nothing then (SPEC [W-8.9.3]).
            let resumeAfter = !resync && resume > cursor ? resume : 0
            summary.resumedAfter = resumeAfter
            return [.send(.pull(Message.Pull(cursor: cursor, resync: resync, resume: resumeAfter)))]
        case (.purged, .purged(let entries)):
            summary.purged += entries
            return []
        case (.applied, .applied(let count)):
            summary.opsReceived += count
            return []
        case (.stateHash(let done), .stateHash(let hash)):
            let verified = hash == done.stateHash
            // A verified DONE means the book holds exactly the scopes the server recorded for this cursor: the
            // resync mark goes. A mismatch keeps it, so a repair cut short resumes as a resync (SPEC [W-9.8]).
            return ask(.setCursor(done.cursor, clean: verified), then: .cursorSet(done, verified: verified))
        case (.cursorSet(let done, let verified), .done):
            summary.cursor = done.cursor
            summary.customersAdded = backfilledCustomers.count
            if verified {
                summary.verified = true
                phase = nil
                return [.finished(summary)]
            }
            guard !pulledWithResync else {
                // Still different after a full resync: report it loudly rather than loop.
                phase = nil
                return [.finished(summary)]
            }
            pulledWithResync = true
            summary.resynced = true
            return [
                .send(.error(Message.ErrorMessage(code: .stateMismatch, message: "state hash differs after DONE"))),
                .send(.pull(Message.Pull(cursor: done.cursor, resync: true))),
            ]
        default:
            throw SyncError(.local, "同步状态机收到了与请求不符的答复")
        }
    }

    /// A duration in words, rounded to the largest unit (`3 天`, `2 小时`, `15 分钟`).
    static func duration(_ milliseconds: UInt64) -> String {
        let minutes = milliseconds / 60_000
        if minutes >= 2 * 24 * 60 { return "\((minutes + 12 * 60) / (24 * 60)) 天" }
        if minutes >= 120 { return "\((minutes + 30) / 60) 小时" }
        return "\(max(minutes, 1)) 分钟"
    }

    /// A message from the server, made safe to print on one line: every control character (line breaks too) and the
    /// bidirectional overrides removed.
    public static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { !Operation.isForbiddenControl($0) && $0.value >= 0x20 }))
    }
}
