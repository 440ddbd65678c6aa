import Crypto
import FieldbookModel
import FieldbookWire

/// The device side of a sync session (protocol/SPEC.md §9): authenticate, push own ops, pull, verify.
///
/// Transport-free: feed it every message received and carry out what it returns. It reads and writes the device's
/// book through ``DeviceReplica``; everything it applies is applied with its cursor in one transaction, so a drop at
/// any point loses nothing and the next session resumes.
///
/// ```swift
/// var session = ClientSession(device: id, secret: secret, replica: book)
/// var outgoing = try session.start()
/// while !session.isFinished { outgoing = try session.receive(nextMessage()) }
/// ```
public struct ClientSession {
    /// What the driver does next.
    public enum Action: Sendable {
        /// Send a message.
        case send(Message)
        /// The session is complete; close the connection.
        case finished(SyncSummary)
    }

    private enum Phase {
        case idle, challenged, authenticating, pushing, pulling, finished
    }

    private let device: DeviceID
    private let secret: [UInt8]
    private let replica: any DeviceReplica
    private let nonce: [UInt8]
    private var phase = Phase.idle
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
    ///   - replica: The device's book.
    ///   - nonce: 32 fresh random bytes; a new value for every session (SPEC §14).
    public init(device: DeviceID, secret: [UInt8], replica: any DeviceReplica, nonce: [UInt8]) {
        self.device = device
        self.secret = secret
        self.replica = replica
        self.nonce = nonce
    }

    /// Whether the session has completed.
    public var isFinished: Bool { phase == .finished }

    /// Opens the session: the HELLO.
    public mutating func start() -> [Action] {
        let hello = Message.Hello(version: 1, device: device, actor: replica.actor, nonce: nonce, schema: Schema.version)
        self.hello = hello
        phase = .challenged
        return [.send(.hello(hello))]
    }

    /// Handles one message from the server.
    ///
    /// - Throws: ``SyncError`` when the server refuses the session, breaks the protocol or proves to be another
    ///   server; the driver closes the connection.
    public mutating func receive(_ message: Message) throws(SyncError) -> [Action] {
        do {
            return try handle(message)
        } catch let error as SyncError {
            phase = .finished
            throw error
        } catch {
            phase = .finished
            throw SyncError(.local, "本地账本出错：\(error)")
        }
    }

    private mutating func handle(_ message: Message) throws -> [Action] {
        switch (phase, message) {
        case (_, .error(let error)):
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
        case (_, .ping(let ping)):
            return [.send(.pong(ping))]
        case (_, .pong), (_, .unknown):
            return []
        case (.challenged, .challenge(let challenge)):
            self.challenge = challenge
            phase = .authenticating
            let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello!, challenge: challenge)
            let mac = HMAC<SHA256>.authenticationCode(for: transcript, using: SymmetricKey(data: secret))
            return [.send(.auth(Message.Auth(mac: Array(mac))))]
        case (.authenticating, .welcome(let welcome)):
            let transcript = Message.Auth.transcript(label: Message.Auth.serverLabel, hello: hello!, challenge: challenge!)
            guard
                HMAC<SHA256>.isValidAuthenticationCode(
                    welcome.proof, authenticating: transcript, using: SymmetricKey(data: secret))
            else { throw SyncError(.authFailed, "对方不是这台设备登记的中心节点（证明不符），已中止") }
            // A clock far ahead of the centre's would date every op in the future, and the centre refuses such ops
            // (SPEC [W-10.8]): stop before pushing anything, so nothing is refused, and say so in words.
            let ahead = Int64(bitPattern: try replica.clock().milliseconds &- welcome.time.milliseconds)
            if ahead > Int64(ScopePolicy.clockBound) {
                throw SyncError(
                    .clockAhead,
                    "本机时钟比中心节点快了约 \(Self.duration(UInt64(ahead)))：请把本机时间调准后再同步（未同步的修改都还在本机）")
            }
            // A token issued for another principal must not enrol this book: its ops would all be refused and it
            // would receive another manager's customers.
            guard welcome.principal == replica.principal else {
                throw SyncError(
                    .authFailed, "这台设备的令牌是为员工 \(welcome.principal) 登记的，而本账本属于 \(replica.principal)：请用本人的令牌")
            }
            try replica.observe(welcome.time)
            held = welcome.held
            try replica.markPushed(held)
            phase = .pushing
            return try pushNext()
        case (.pushing, .ack(let ack)):
            guard ack.seq == pushSeq else { throw SyncError(.protocolViolation, "中心节点确认了未发送的批次") }
            guard ack.held > held else {
                // Nothing of the batch was taken (a gap in this device's counters): pushing it again cannot help.
                throw SyncError(.rejected, "中心节点没有接收推送的操作（操作计数不连续），请联系管理员")
            }
            summary.opsSent += Int(ack.held - held)
            held = ack.held
            try replica.markPushed(held)
            return try pushNext()
        case (.pulling, .purge(let purge)):
            summary.purged += try replica.purge(purge.entries)
            return []
        case (.pulling, .ops(let ops)):
            if ops.backfill {
                for op in ops.operations { if let customer = op.scope.customer { backfilledCustomers.insert(customer) } }
            }
            summary.opsReceived += try replica.apply(ops.operations, backfill: ops.backfill)
            return []
        case (.pulling, .done(let done)):
            let verified = try replica.stateHash() == done.stateHash
            // A verified DONE means the book holds exactly the scopes the server recorded for this cursor: the
            // resync mark goes. A mismatch keeps it, so a repair cut short resumes as a resync (SPEC [W-9.8]).
            try replica.setCursor(done.cursor, clean: verified)
            summary.cursor = done.cursor
            summary.customersAdded = backfilledCustomers.count
            if verified {
                summary.verified = true
                phase = .finished
                return [.finished(summary)]
            }
            guard !pulledWithResync else {
                // Still different after a full resync: report it loudly rather than loop.
                phase = .finished
                return [.finished(summary)]
            }
            pulledWithResync = true
            summary.resynced = true
            return [
                .send(.error(Message.ErrorMessage(code: .stateMismatch, message: "state hash differs after DONE"))),
                .send(.pull(Message.Pull(cursor: done.cursor, resync: true))),
            ]
        default:
            throw SyncError(.protocolViolation, "中心节点发来了此时不应有的消息（\(message.type)）")
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
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { !Operation.isForbiddenControl($0) && $0.value >= 0x20 }))
    }

    private mutating func pushNext() throws -> [Action] {
        guard let ops = OpBatching.chunks(try replica.ownOps(after: held, limit: OpBatching.maximumOps)).first else {
            phase = .pulling
            let resync = try replica.needsResync()
            pulledWithResync = resync
            summary.resynced = resync
            return [.send(.pull(Message.Pull(cursor: try replica.cursor(), resync: resync)))]
        }
        pushSeq += 1
        return [.send(.ops(Message.Ops(seq: pushSeq, operations: ops, compressed: ops.count > 32)))]
    }
}
