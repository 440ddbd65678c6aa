// PureSessionTests.swift: the sessions hold no store; they ask for what they need (issue 16) and every answer, even
// a failure, is handled without touching anything else.

import Crypto
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Testing

@Suite("Pure sessions")
struct PureSessionTests {
    static let device = DeviceID(bytes: [UInt8](repeating: 0xD1, count: 16))!
    static let actor = ActorID(bytes: [UInt8](repeating: 0xA1, count: 16))!
    static let secret = [UInt8](repeating: 7, count: 32)

    static func hello() -> Message.Hello {
        Message.Hello(version: Preamble.version, device: device, actor: actor, nonce: [UInt8](repeating: 1, count: 32), schema: Schema.version)
    }

    static func mac(_ hello: Message.Hello, _ challenge: Message.Challenge, label: String = Message.Auth.deviceLabel) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(
            for: Message.Auth.transcript(label: label, hello: hello, challenge: challenge), using: SymmetricKey(data: secret)))
    }

    @Test("the server asks for the enrolment only after AUTH, and a store failure ends the session without its text")
    func serverAsksAndFails() throws {
        var session = ServerSession(nonce: [UInt8](repeating: 9, count: 32))
        let hello = Self.hello()
        let first = session.receive(.hello(hello))
        guard case .send(.challenge(let challenge)) = first.first, first.count == 1 else {
            Issue.record("HELLO must be answered by CHALLENGE alone, without the store: \(first)")
            return
        }
        let second = session.receive(.auth(Message.Auth(mac: Self.mac(hello, challenge))))
        guard case .perform(.enrolment(let asked)) = second.last, second.count == 1 else {
            Issue.record("AUTH must ask for the enrolment: \(second)")
            return
        }
        #expect(asked == Self.device && session.isWaiting)
        let failed = session.complete(.failed(nil))
        guard case .send(.error(let error)) = failed.first, case .close = failed.last else {
            Issue.record("a failed store request must close with an ERROR: \(failed)")
            return
        }
        #expect(error.fatal && error.code == .internal && error.message == "internal error")
        #expect(session.isClosed && session.account == nil)
        #expect(session.receive(.ping(Message.Ping(nonce: 1))).isEmpty, "a closed session answers nothing")
    }

    @Test("an enrolled device is welcomed after the store binds it; an unknown one fails like a wrong MAC")
    func serverWelcomes() throws {
        for known in [true, false] {
            var session = ServerSession(nonce: [UInt8](repeating: 9, count: 32))
            let hello = Self.hello()
            guard case .send(.challenge(let challenge)) = session.receive(.hello(hello)).first else { return }
            _ = session.receive(.auth(Message.Auth(mac: Self.mac(hello, challenge))))
            let enrolment = known ? DeviceEnrolment(secret: Self.secret, principal: "M001", actor: nil, revoked: false) : nil
            let next = session.complete(.enrolment(enrolment))
            if !known {
                guard case .send(.error(let error)) = next.first else { return }
                #expect(error.code == .authFailed)
                continue
            }
            guard case .perform(.bind(let device, let actor)) = next.last else {
                Issue.record("a first session binds its actor: \(next)")
                continue
            }
            #expect(device == Self.device && actor == Self.actor)
            guard case .perform(.opening(let opening)) = session.complete(.bound).last else { return }
            #expect(opening == Self.actor)
            let welcome = session.complete(.opening(held: 4, time: HLC(milliseconds: 1_000, logical: 0)))
            guard case .send(.welcome(let message)) = welcome.first else { return }
            #expect(message.held == 4 && message.principal == "M001")
            #expect(message.proof == Self.mac(hello, challenge, label: Message.Auth.serverLabel))
            #expect(session.account?.principal == "M001")
        }
    }

    @Test("the device checks the server's proof before asking its book anything, and its clock before writing")
    func clientOrder() throws {
        var session = ClientSession(device: Self.device, secret: Self.secret, actor: Self.actor, principal: "M001", nonce: [UInt8](repeating: 1, count: 32))
        guard case .send(.hello(let hello)) = session.start().first else { return }
        let challenge = Message.Challenge(nonce: [UInt8](repeating: 9, count: 32))
        guard case .send(.auth) = try session.receive(.challenge(challenge)).first else { return }
        // A WELCOME with a wrong proof: refused before any request reaches the book.
        var impostor = session
        #expect(throws: SyncError.self) {
            _ = try impostor.receive(.welcome(Message.Welcome(held: 0, time: HLC(milliseconds: 0, logical: 0), principal: "M001", proof: [UInt8](repeating: 0, count: 32))))
        }
        #expect(impostor.isFinished && !impostor.isWaiting)
        // The right proof: the first request is the clock (read only), then what the server holds is recorded.
        let proof = Self.mac(hello, challenge, label: Message.Auth.serverLabel)
        let time = HLC(milliseconds: 5_000, logical: 0)
        guard case .perform(.clock) = try session.receive(.welcome(Message.Welcome(held: 2, time: time, principal: "M001", proof: proof))).last
        else {
            Issue.record("the clock is asked first")
            return
        }
        guard case .perform(.observe(let observed, let held)) = try session.complete(.clock(HLC(milliseconds: 5_001, logical: 0))).last else { return }
        #expect(observed == time && held == 2)
        guard case .perform(.ownOps(let after, _)) = try session.complete(.done).last else { return }
        #expect(after == 2)
        guard case .perform(.pullPosition) = try session.complete(.ownOps([])).last else { return }
        let pull = try session.complete(.pullPosition(cursor: 17, resync: false, resume: 0))
        guard case .send(.pull(let message)) = pull.last else {
            Issue.record("no own ops: the session pulls from its cursor: \(pull)")
            return
        }
        #expect(message.cursor == 17 && !message.resync)
        // A book that fails: the driver ends the session with the book's error, in words.
        let failure = session.fail(StoreErrorStandIn())
        #expect(failure.code == .local && session.isFinished)
    }
}

/// A failure of the book, for ``PureSessionTests``.
private struct StoreErrorStandIn: Error {}
