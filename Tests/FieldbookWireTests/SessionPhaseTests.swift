// SessionPhaseTests.swift: the table of §9.2 in code, and the rules around it (SPEC §7, §9, §10, §14).
import FieldbookModel
import NIOCore
import Testing

@testable import FieldbookWire

@Suite("Session phases")
struct SessionPhaseTests {
    @Test("the type bytes are those of the catalogue (W-7.1)")
    func typeBytes() {
        #expect(MessageType.known.map(\.rawValue) == [0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x20, 0x21, 0x22, 0x30, 0x31, 0x7F])
    }

    @Test("a message in the wrong direction is never allowed (W-7.3, W-9.5)")
    func direction() {
        let deviceOnly: [MessageType] = [.hello, .auth, .pull]
        let serverOnly: [MessageType] = [.challenge, .welcome, .ack, .purge, .done]
        for phase in SessionPhase.allCases {
            for t in deviceOnly { #expect(!phase.allows(t, from: .server), "\(phase) \(t)") }
            for t in serverOnly { #expect(!phase.allows(t, from: .device), "\(phase) \(t)") }
            #expect(phase.allows(.error, from: .device) && phase.allows(.error, from: .server))
        }
    }

    @Test("the handshake allows exactly one message per phase (W-9.1, W-9.5)")
    func handshake() {
        let expected: [(SessionPhase, SessionPhase.Sender, MessageType)] = [
            (.hello, .device, .hello), (.challenge, .server, .challenge), (.auth, .device, .auth), (.welcome, .server, .welcome),
        ]
        for (phase, sender, type) in expected {
            let allowed = MessageType.known.filter { phase.allows($0, from: sender) && $0 != .error }
            #expect(allowed == [type], "\(phase)")
            #expect(!phase.allows(MessageType(rawValue: 0x55), from: sender), "unknown types wait for open")
        }
    }

    @Test("PULL is allowed only with no pull outstanding, and DONE only ends one (W-9.6, W-9.3)")
    func oneOutstandingPull() {
        #expect(SessionPhase.open.allows(.pull, from: .device))
        #expect(!SessionPhase.pulling.allows(.pull, from: .device))
        #expect(!SessionPhase.open.allows(.done, from: .server))
        #expect(SessionPhase.pulling.allows(.done, from: .server))
        #expect(SessionPhase.pulling.allows(.purge, from: .server))
        #expect(SessionPhase.open.allows(MessageType(rawValue: 0x55), from: .server))
    }

    @Test("a batch decodes whole or not at all, so it can be applied in one transaction (W-10.3)")
    func batchIsAtomic() {
        let bad = WireVectors.load("ops").filter { $0.error != nil }
        for v in bad {
            var b = ByteBuffer(bytes: v.bytes)
            #expect(throws: WireError.self) { _ = try b.readMessage() }
            #expect(b.readerIndex == 0)
        }
    }

    @Test("duplicate ops in a batch are passed on, not dropped: deduplication is the store's no-op (W-10.1)")
    func duplicatesKept() throws {
        let op = Sample.op(1, 0, .add(entity: Sample.customer, field: Schema.F.tags, element: "高净值"))
        var b = ByteBuffer()
        try b.writeMessage(.ops(.init(seq: 1, operations: [op, op])))
        #expect(try b.readMessage() == .ops(.init(seq: 1, operations: [op, op])))
    }

    @Test("nonces, MACs and hashes must be exactly 32 bytes (W-14.1)")
    func nonceSize() {
        var b = ByteBuffer()
        let hello = Message.Hello(version: 1, device: Sample.device, actor: Sample.actorA, nonce: [UInt8](repeating: 1, count: 16), schema: 1)
        #expect(throws: WireError.self) { try b.writeMessage(.hello(hello)) }
        #expect(throws: WireError.self) { try b.writeMessage(.done(.init(cursor: 1, stateHash: []))) }
    }

    @Test("the device and server transcripts differ, so a WELCOME proof is no AUTH (W-8.4.3, W-14.2)")
    func transcriptsDiffer() {
        let hello = Message.Hello(version: 1, device: Sample.device, actor: Sample.actorA, nonce: Sample.nonceC, schema: 1)
        let c = Message.Challenge(nonce: Sample.nonceS)
        #expect(Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: c)
                != Message.Auth.transcript(label: Message.Auth.serverLabel, hello: hello, challenge: c))
    }

    @Test("decoder error messages never quote the input (W-14.3)")
    func noInputInErrors() {
        for v in WireVectors.load() where v.error != nil && v.kind == "frame" {
            var b = ByteBuffer(bytes: v.bytes)
            do {
                _ = try b.readMessage()
            } catch let e as WireError {
                #expect(e.message.unicodeScalars.allSatisfy { $0.isASCII }, "\(v.name): \(e.message)")
                #expect(!e.message.contains("\""), "\(v.name): \(e.message)")
            } catch {
                Issue.record("not a WireError")
            }
        }
    }

    /// Rules of the spec that bind the session layer (FieldbookSync, FieldbookServer) rather than the codec. The
    /// codec cannot test them; the sync issue's tests MUST cite each of these tags as well.
    static let sessionLayerTags = [
        "W-8.10.3",  // purge in one secure_delete transaction
        "W-9.2",  // push from held + 1, pipelining, resend after a drop
        "W-9.4",  // compare the state hash, ERROR stateMismatch, PULL resync
        "W-9.7",  // resume from held and cursor
        "W-10.2",  // counterGap for non-contiguous pushes
        "W-9.8",  // resync after a purge or backfill in a cut session (AuthorityTests.purgeInCutSession, SimulatedNetworkTests)
        "W-9.9",  // a known cursor drops the other snapshots; any other PULL purges from all kept (SimulatedNetworkTests)
        "W-10.4",  // refused ops count as held; the rest of the batch is stored (FieldbookSyncTests.refusals)
        "W-10.5",  // authority from the centre's records (AuthorityTests.takeOver, .foreignWrites)
        "W-10.6",  // values validated at the centre and on receipt (AuthorityTests.hostileGlobalOps, .receivedInvalidValue)
        "W-10.7",  // offline work survives coverage changes (AuthorityTests.reassignedOffline, .uncoveredOffline)
        "W-10.8",  // clocks bounded (AuthorityTests.hostileGlobalOps, .receivedClockIsBounded, .deviceClockAhead)
        "W-11.2.3",  // close after a fatal ERROR
        "W-12.3",  // PING after 60 s, timeout after 120 s
        "W-12.4",  // 4 KiB frames before AUTH (UnauthenticatedLimitsTests.gate, UnauthenticatedConnectionTests.refusalsBeforeAuth)
        "W-12.5",  // only HELLO, AUTH, ERROR before AUTH, refused by type, nothing inflated (same tests)
        "W-12.6",  // the authentication deadline (UnauthenticatedConnectionTests.authDeadline, UnauthenticatedLimitsTests.authDeadline)
        "W-12.7",  // unauthenticated caps apart from the session cap (UnauthenticatedConnectionTests.flood*,
                   // UnauthenticatedLimitsTests.caps, .sessionCap, FaultTests.connectionCap)
        "W-14.2",  // constant-time MAC compare, authFailed for both failures
        "W-14.5",  // server-side scope and permission checks
        "W-14.6",  // TLS or a trusted network
        "W-14.7",  // the device pins the certificate's SHA-256 (TransportTests.pinning, SecurityEndToEndTests)
        "W-14.8",  // plain TCP only on both sides' say-so; a TLS server answers a plain preamble (TransportTests)
        "W-14.9",  // the fb2 token layout, fb1 still read (TransportTests.tokens, SecurityEndToEndTests.insecureModes)
    ]

    @Test("session-layer rules are listed for the sync issue and defined in SPEC.md")
    func sessionLayerRulesExist() throws {
        let defined = try SpecCoverageTests.specTags()
        for tag in Self.sessionLayerTags { #expect(defined.contains(tag), "\(tag)") }
    }
}
