// FuzzSession.swift: the libFuzzer entry point over the server's sync session (tools/fuzz/run SECONDS session).
//
// Each input is a script of steps read byte by byte: valid and forged HELLO and AUTH (the harness computes the real
// MAC from the challenge the session sent, so the fuzzer gets past authentication), OPS batches of valid, foreign,
// out-of-order and malformed ops, PULLs with any cursor, PING and ERROR, and raw frames decoded from the input. The
// session runs against `FuzzReplica`, an in-memory central replica that traps when a stored op breaks a rule.
//
// Checked on every step: the session never traps; everything it sends encodes within the wire limits and survives a
// round trip; WELCOME only ever follows a valid AUTH of an enrolled, unrevoked device; after a close it is silent;
// the replica is only asked to store ops after authentication, and only the authenticated actor's ops, in counter
// order, are stored.
import Crypto
import FieldbookModel
import FieldbookSync
import FieldbookWire
import NIOCore

/// Runs one input; traps on a broken invariant, returns 0 otherwise.
///
/// - Parameters:
///   - data: The input bytes.
///   - size: Their count.
/// - Returns: Always 0, as libFuzzer expects.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSession(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var script = FuzzScript(bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    script.run()
    return 0
}

/// The fixed cast of one run: an enrolled device, a revoked one and an unknown one.
enum FuzzCast {
    static let secret: [UInt8] = Array(repeating: 0x5A, count: 32)
    static let enrolled = DeviceID(bytes: Array(repeating: 1, count: 16))!
    static let revoked = DeviceID(bytes: Array(repeating: 2, count: 16))!
    static let unknown = DeviceID(bytes: Array(repeating: 3, count: 16))!
    static let actors = [ActorID(high: 1, low: 1), ActorID(high: 2, low: 2)]
    static let principals = ["M001", "M002"]
    static let customers = (1...4).map { EntityID(high: 0x0190_0000_7000 | UInt64($0), low: UInt64($0)) }
}

/// An input read as a script of steps.
struct FuzzScript {
    private var bytes: [UInt8]
    private var position = 0
    private let replica: FuzzReplica
    private var session: ServerSession
    private var hello: Message.Hello?
    private var challenge: Message.Challenge?
    /// Whether the last AUTH sent was valid for an enrolled, unrevoked device whose bound actor matches.
    private var authValid = false
    private var closed = false
    private var seq: UInt64 = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
        let replica = FuzzReplica()
        self.replica = replica
        session = ServerSession(replica: replica, nonce: Array(repeating: 0xC3, count: 32))
    }

    private mutating func byte() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func number() -> UInt64 {
        var value: UInt64 = 0
        for _ in 0..<2 { value = value << 8 | UInt64(byte() ?? 0) }
        return value
    }

    mutating func run() {
        while let step = byte() {
            guard let message = makeMessage(step) else { continue }
            deliver(message)
        }
    }

    private mutating func makeMessage(_ step: UInt8) -> Message? {
        switch step % 9 {
        case 0, 1, 2:
            let device = [FuzzCast.enrolled, FuzzCast.revoked, FuzzCast.unknown][Int(step % 9)]
            let actor = FuzzCast.actors[Int((byte() ?? 0) & 1)]
            let version: UInt8 = (byte() ?? 0) < 250 ? 1 : 2
            let made = Message.Hello(
                version: version, device: device, actor: actor, nonce: Array(repeating: 7, count: 32),
                schema: Schema.version)
            hello = made
            return .hello(made)
        case 3:
            guard let hello, let challenge else { return .auth(Message.Auth(mac: Array(repeating: 0, count: 32))) }
            let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge)
            let mac = HMAC<SHA256>.authenticationCode(for: transcript, using: SymmetricKey(data: FuzzCast.secret))
            authValid = hello.device == FuzzCast.enrolled && hello.version == 1
                && (replica.bound == nil || replica.bound == hello.actor)
            return .auth(Message.Auth(mac: Array(mac)))
        case 4:
            authValid = false
            return .auth(Message.Auth(mac: (0..<32).map { _ in byte() ?? 0 }))
        case 5:
            return .ops(makeOps())
        case 6:
            let flags = byte() ?? 0
            let cursor = flags & 0x80 != 0 ? UInt64.max - UInt64(flags & 0x7F) : number()
            return .pull(Message.Pull(cursor: cursor, resync: flags & 1 == 1))
        case 7:
            let kind = byte() ?? 0
            switch kind % 3 {
            case 0: return .ping(Message.Ping(nonce: number()))
            case 1: return .error(Message.ErrorMessage(code: ErrorCode(rawValue: UInt16(kind)), fatal: kind & 8 != 0, message: "x"))
            default: return .unknown(type: MessageType(rawValue: 0x70 | kind & 0x0F), payload: [kind])
            }
        default:
            // A raw frame from the input: whatever the decoder accepts is delivered as is.
            let length = Int(byte() ?? 0)
            let end = min(bytes.count, position + length)
            var buffer = ByteBuffer(bytes: bytes[position..<end])
            position = end
            return (try? buffer.readMessage()) ?? nil
        }
    }

    /// A batch: mostly the bound actor's next counters, sometimes gaps, repeats, foreign actors and principals,
    /// foreign scopes and structurally invalid ops.
    private mutating func makeOps() -> Message.Ops {
        let count = Int((byte() ?? 0) % 40)
        let flags = byte() ?? 0
        let actor = flags & 1 == 0 ? (hello?.actor ?? FuzzCast.actors[0]) : FuzzCast.actors[Int(flags >> 1 & 1)]
        var counter = replica.held(actor) + 1
        if flags & 4 != 0 { counter = UInt64(byte() ?? 0) }
        var operations: [Op] = []
        for _ in 0..<count {
            let shape = byte() ?? 0
            let customer = FuzzCast.customers[Int(shape & 3)]
            let principal = shape & 0x40 == 0 ? FuzzCast.principals[0] : FuzzCast.principals[1]
            let scope: Scope = shape & 0x20 == 0 ? .customer(customer) : (shape & 0x10 == 0 ? .global : .principal(principal))
            let body: Op.Body =
                switch shape >> 2 & 3 {
                case 0: .create(kind: .customer, entity: customer, fields: [FieldAssignment(Schema.F.name, .text("客户"))])
                case 1: .set(entity: customer, field: FieldID(rawValue: UInt16(shape % 24)), value: .int(Int64(shape)), pred: [])
                case 2: .add(entity: customer, field: FieldID(rawValue: UInt16(shape % 24)), element: "t")
                default: .remove(entity: customer, field: FieldID(rawValue: UInt16(shape % 24)), element: "t", observed: [])
                }
            operations.append(
                Op(id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: 1_700_000_000_000 + counter, logical: 0),
                   scope: scope, principal: principal, body: body))
            counter = shape & 0x80 == 0 ? counter + 1 : counter  // sometimes a repeat
        }
        seq += 1
        return Message.Ops(seq: seq, backfill: flags & 8 != 0, operations: operations, compressed: flags & 16 != 0)
    }

    private mutating func deliver(_ message: Message) {
        let wasOpen = session.account != nil
        replica.account = session.account
        let actions = session.receive(message)
        if closed {
            precondition(actions.isEmpty, "a closed session answered \(message.type)")
            return
        }
        var out = ByteBuffer()
        for action in actions {
            switch action {
            case .close:
                closed = true
                precondition(session.isClosed, "the session asked to close but is not closed")
            case .send(let sent):
                precondition(!closed, "the session sent \(sent.type) after asking to close")
                if case .challenge(let made) = sent { challenge = made }
                if case .welcome = sent {
                    precondition(!wasOpen && authValid, "WELCOME without a valid AUTH of an enrolled, unrevoked device")
                }
                if case .ops = sent { precondition(session.account != nil, "ops sent before authentication") }
                let before = out.writerIndex
                do {
                    try out.writeMessage(sent)
                } catch {
                    preconditionFailure("the session sent a \(sent.type) that does not encode: \(error)")
                }
                var copy = out.getSlice(at: before, length: out.writerIndex - before)!
                precondition((try? copy.readMessage()) == sent, "a sent \(sent.type) does not survive a round trip")
            }
        }
    }
}

/// An in-memory central replica with the real rules of contiguity and authorship, which traps when asked to store
/// something it must never be asked to (an op before authentication) and checks what it stores.
final class FuzzReplica: CentralReplica {
    /// The actor the enrolled device is bound to, once.
    var bound: ActorID?
    /// The session's account, as the harness last saw it.
    var account: DeviceAccount?
    private var log: [(lsn: UInt64, op: Op)] = []
    private var heldByActor: [ActorID: UInt64] = [:]

    func held(_ actor: ActorID) -> UInt64 { heldByActor[actor] ?? 0 }

    func enrolment(of device: DeviceID) throws -> (secret: [UInt8], principal: String, actor: ActorID?, revoked: Bool)? {
        switch device {
        case FuzzCast.enrolled: return (FuzzCast.secret, "M001", bound, false)
        case FuzzCast.revoked: return (FuzzCast.secret, "M001", nil, true)
        default: return nil
        }
    }

    func bind(_ device: DeviceID, actor: ActorID) throws {
        precondition(device == FuzzCast.enrolled && bound == nil, "bind of a device that is not enrolled or is bound")
        bound = actor
    }

    func held(of actor: ActorID) throws -> UInt64 { held(actor) }

    func push(_ ops: [Op], from account: DeviceAccount) throws -> PushOutcome {
        precondition(self.account == account, "push from a session that is not authenticated as this account")
        precondition(account.actor == bound, "push from an actor the device is not bound to")
        var held = self.held(account.actor)
        var outcome = PushOutcome(held: held)
        for op in ops.sorted(by: { $0.id.counter < $1.id.counter }) {
            guard op.id.actor == account.actor else { outcome.denied += 1; continue }
            if op.id.counter <= held { continue }
            guard op.id.counter == held + 1 else { outcome.gap = true; break }
            if op.structuralProblem != nil || op.principal != account.principal {
                outcome.denied += 1
            } else if op.scope == .global {
                outcome.outOfScope += 1
            } else {
                log.append((UInt64(log.count + 1), op))
            }
            held += 1
        }
        heldByActor[account.actor] = held
        outcome.held = held
        return outcome
    }

    func pull(for account: DeviceAccount, cursor: UInt64, resync: Bool) throws -> PullPlan {
        precondition(self.account == account, "pull from a session that is not authenticated as this account")
        let delta = resync ? log : log.filter { $0.lsn > cursor }
        return PullPlan(purges: [], backfill: [], delta: delta, cursor: UInt64(log.count), stateHash: Array(repeating: 0, count: 32))
    }

    func now() throws -> HLC { HLC(milliseconds: 1_700_000_000_000, logical: 0) }
}
