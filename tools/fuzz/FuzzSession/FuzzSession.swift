// FuzzSession.swift: the libFuzzer entry point over the server's sync session (tools/fuzz/run SECONDS session).
//
// Each input is a script of steps read byte by byte: valid and forged HELLO and AUTH (the harness computes the real
// MAC from the challenge the session sent, so the fuzzer gets past authentication), OPS batches of valid, foreign,
// out-of-order and malformed ops, ops that declare falsely what they touch (issue 14: scopes, kinds, parents, owners,
// values, clocks), PULLs with any cursor, PING and ERROR, and raw frames decoded from the input. The session runs
// against `FuzzReplica`, an in-memory central replica with the real `ScopePolicy` that traps when a stored op breaks
// a rule of authority.
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
    private var session: ServerSessionDriver
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
        session = ServerSessionDriver(replica: replica, nonce: Array(repeating: 0xC3, count: 32))
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
            // Mostly the version this code speaks; sometimes version 1, which the server refuses (SPEC [W-5.6]).
            let version: UInt8 = (byte() ?? 0) < 250 ? Preamble.version : 1
            let made = Message.Hello(
                version: version, device: device, actor: actor, nonce: Array(repeating: 7, count: 32),
                schema: Schema.version)
            hello = made
            return .hello(made)
        case 3:
            guard let hello, let challenge else { return .auth(Message.Auth(mac: Array(repeating: 0, count: 32))) }
            let transcript = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: challenge)
            let mac = HMAC<SHA256>.authenticationCode(for: transcript, using: SymmetricKey(data: FuzzCast.secret))
            authValid = hello.device == FuzzCast.enrolled && hello.version == Preamble.version
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
            // A resume point anywhere: at, below or past the cursor, or past the log (SPEC [W-8.9.3]).
            let resume = flags & 2 != 0 ? number() : 0
            return .pull(Message.Pull(cursor: cursor, resync: flags & 1 == 1, resume: resume))
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

    /// A batch: mostly the bound actor's next counters, sometimes gaps, repeats, foreign actors and principals, and
    /// everything an op can declare falsely (issue 14): foreign and mismatched scopes, re-creates of existing entities,
    /// children under another manager's customer, kinds in the wrong scope, admin fields, control characters and
    /// oversized text, values of the wrong type, clocks a year ahead.
    private mutating func makeOps() -> Message.Ops {
        let count = Int((byte() ?? 0) % 40)
        let flags = byte() ?? 0
        let actor = flags & 1 == 0 ? (hello?.actor ?? FuzzCast.actors[0]) : FuzzCast.actors[Int(flags >> 1 & 1)]
        var counter = replica.held(actor) + 1
        if flags & 4 != 0 { counter = UInt64(byte() ?? 0) }
        var operations: [Op] = []
        for _ in 0..<count {
            let shape = byte() ?? 0
            let twist = byte() ?? 0
            let customer = FuzzCast.customers[Int(shape & 3)]
            let principal = shape & 0x40 == 0 ? FuzzCast.principals[0] : FuzzCast.principals[1]
            let scope: Scope =
                switch twist >> 6 {
                case 0: .customer(customer)
                case 1: .customer(FuzzCast.customers[Int(twist & 3)])
                case 2: .global
                default: .principal(principal)
                }
            let field = FieldID(rawValue: UInt16(twist % 24))
            let value: Value =
                switch twist >> 3 & 7 {
                case 0: .int(Int64(shape))
                case 1: .text("\u{1B}[2J")
                case 2: .text(String(repeating: "长", count: 6_000))
                case 3: .text("M002")
                case 4: .date(Day(year: 2026, month: 12, day: 1)!)
                default: .text("值")
                }
            let fresh = EntityID(high: 0x0190_0000_8000 | UInt64(twist), low: UInt64(counter))
            let body: Op.Body =
                switch shape >> 2 & 7 {
                case 0: .create(kind: .customer, entity: customer, fields: [FieldAssignment(Schema.F.name, .text("客户"))])
                case 1: .set(entity: customer, field: field, value: value, pred: [])
                case 2: .add(entity: customer, field: field, element: "t")
                case 3: .remove(entity: customer, field: field, element: "t", observed: [])
                case 4: .create(kind: EntityKind(rawValue: twist % 10), entity: fresh, fields: [FieldAssignment(field, value)])
                case 5: .create(kind: .customer, entity: fresh, fields: [FieldAssignment(Schema.F.owner, .text(principal))])
                case 6: .set(entity: fresh, field: Schema.F.note, value: value, pred: [])
                default: .create(kind: .contact, entity: customer, fields: [FieldAssignment(Schema.F.owner, .text("M001"))])
                }
            let ahead: UInt64 = twist & 0x20 != 0 && shape & 0x80 != 0 ? 365 * 86_400_000 : 0
            let op = Op(
                id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: 1_700_000_000_000 + counter + ahead, logical: 0),
                scope: body.entity == fresh && shape >> 2 & 7 == 5 ? .customer(fresh) : scope, principal: principal, body: body)
            operations.append(op)
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
                // Refusals are told in words that name no value (the ops carry "值", "客户", "M002"-as-a-value …).
                if case .error(let error) = sent {
                    precondition(!error.message.contains("\u{1B}") && !error.message.contains("长长"), "an ERROR quotes a value")
                }
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

/// An in-memory central replica with the real rules of contiguity and authorship and the real authority policy
/// (`ScopePolicy` over in-memory records), which traps when asked to store something it must never be asked to (an
/// op before authentication) and checks what it stores: no op on another manager's customer, no entity whose kind or
/// scope changes, nothing but products in global, no invalid value, no clock a year ahead.
final class FuzzReplica: CentralReplica, AuthorityRecords {
    /// The actor the enrolled device is bound to, once.
    var bound: ActorID?
    /// The session's account, as the harness last saw it.
    var account: DeviceAccount?
    private var log: [(lsn: UInt64, op: Op)] = []
    private var heldByActor: [ActorID: UInt64] = [:]
    /// The centre's records: customers 1 and 2 are M001's, 3 and 4 M002's, created before the run.
    private var entities: [EntityID: (kind: EntityKind, scope: Scope)] = Dictionary(
        uniqueKeysWithValues: FuzzCast.customers.map { ($0, (EntityKind.customer, Scope.customer($0))) })
    private var owners: [EntityID: String] = Dictionary(
        uniqueKeysWithValues: FuzzCast.customers.enumerated().map { ($1, $0 < 2 ? "M001" : "M002") })

    func held(_ actor: ActorID) -> UInt64 { heldByActor[actor] ?? 0 }

    func entity(_ id: EntityID) throws -> (kind: EntityKind, scope: Scope)? { entities[id] }
    func covers(_ customer: EntityID) throws -> Bool { owners[customer] == account?.principal }
    func deviceMayHold(_ customer: EntityID) throws -> Bool { false }

    func enrolment(of device: DeviceID) throws -> DeviceEnrolment? {
        switch device {
        case FuzzCast.enrolled: return DeviceEnrolment(secret: FuzzCast.secret, principal: "M001", actor: bound, revoked: false)
        case FuzzCast.revoked: return DeviceEnrolment(secret: [], principal: "M001", actor: nil, revoked: true)
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
        let clock = try now()
        for op in ops.sorted(by: { $0.id.counter < $1.id.counter }) {
            guard op.id.actor == account.actor else { outcome.denied += 1; continue }
            if op.id.counter <= held { continue }
            guard op.id.counter == held + 1 else { outcome.gap = true; break }
            if let refusal = try ScopePolicy.refusal(of: op, from: account, now: clock, records: self) {
                if refusal.code == .scopeViolation { outcome.outOfScope += 1 } else { outcome.denied += 1 }
                outcome.refusals.append(refusal)
            } else {
                store(op, for: account)
            }
            held += 1
        }
        heldByActor[account.actor] = held
        outcome.held = held
        return outcome
    }

    /// Stores an op the policy let through, checking the rules of issue 14 independently of the policy's code.
    private func store(_ op: Op, for account: DeviceAccount) {
        precondition(op.principal == account.principal, "an op of another principal was stored")
        precondition(op.valueProblem == nil, "an invalid value was stored")
        precondition(op.hlc.milliseconds <= 1_700_000_000_000 + ScopePolicy.clockBound, "an op from the future was stored")
        if case .customer(let customer) = op.scope, let owner = owners[customer] {
            precondition(owner == account.principal, "an op on another manager's customer was stored")
        }
        switch op.body {
        case .create(let kind, let entity, let fields):
            precondition(entities[entity] == nil, "an existing entity was created again")
            precondition(op.scope != .global || kind == .product, "a \(kind) was created in global")
            precondition(!fields.contains { $0.field == Schema.F.owner && $0.value != .text(account.principal) }, "a foreign owner")
            entities[entity] = (kind, op.scope)
            if kind == .customer { owners[entity] = account.principal }
        case .set(let entity, let field, _, _), .add(let entity, let field, _), .remove(let entity, let field, _, _):
            precondition(entities[entity]?.scope == op.scope, "an op was stored in a scope its entity is not in")
            precondition(Schema.field(field)?.writer != .admin, "an admin field was written by a device")
        }
        log.append((UInt64(log.count + 1), op))
    }

    func pull(for account: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64) throws -> PullPlan {
        precondition(self.account == account, "pull from a session that is not authenticated as this account")
        let start = resume > cursor && resume <= UInt64(log.count) ? resume : cursor
        let delta = resync ? log : log.filter { $0.lsn > start }
        return PullPlan(purges: [], backfill: [], delta: delta, cursor: UInt64(log.count), stateHash: Array(repeating: 0, count: 32))
    }

    func now() throws -> HLC { HLC(milliseconds: 1_700_000_000_000, logical: 0) }
}
