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
            if error.fatal { throw SyncError(.remote, "中心节点终止了同步：\(error.code)（\(error.message)）") }
            // Recoverable: the server refused some pushed ops (they count as held, so the push goes on).
            if error.code == .scopeViolation || error.code == .permissionDenied { summary.rejected += 1 }
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
            try replica.purge(purge.entries)
            summary.purged += purge.entries
            return []
        case (.pulling, .ops(let ops)):
            if ops.backfill {
                for op in ops.operations { if let customer = op.scope.customer { backfilledCustomers.insert(customer) } }
            }
            summary.opsReceived += try replica.apply(ops.operations, cursor: ops.backfill ? nil : ops.seq)
            return []
        case (.pulling, .done(let done)):
            try replica.setCursor(done.cursor)
            summary.cursor = done.cursor
            summary.customersAdded = backfilledCustomers.count
            if try replica.stateHash() == done.stateHash {
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

    private mutating func pushNext() throws -> [Action] {
        guard let ops = OpBatching.chunks(try replica.ownOps(after: held, limit: OpBatching.maximumOps)).first else {
            phase = .pulling
            return [.send(.pull(Message.Pull(cursor: try replica.cursor())))]
        }
        pushSeq += 1
        return [.send(.ops(Message.Ops(seq: pushSeq, operations: ops, compressed: ops.count > 32)))]
    }
}
