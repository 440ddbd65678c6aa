// CodecTests.swift: encoder refusals, the NIO decoder, auth transcripts and wiredump (SPEC §3–§8, §14).
import FieldbookModel
import NIOCore
import Testing

@testable import FieldbookWire

@Suite("Codec")
struct CodecTests {
    @Test("encoders refuse fixed-size fields of the wrong size, and write nothing (W-3.4)")
    func unencodable() {
        var b = ByteBuffer()
        #expect(throws: WireError(.unencodable, "CHALLENGE nonce must be exactly 32 bytes")) {
            try b.writeMessage(.challenge(.init(nonce: [1, 2, 3])))
        }
        #expect(b.readableBytes == 0)
        #expect(throws: WireError.self) { try b.writeMessage(.unknown(type: .ack, payload: [])) }
        #expect(throws: WireError.self) { try b.writeMessage(.purge(.init(entries: [.init(customer: Sample.customer, reason: .erased, newOwner: "")]))) }
    }

    @Test("encoders refuse what decoders would refuse (W-12.1, W-8.5.4, W-6.3)")
    func encoderLimits() {
        var b = ByteBuffer()
        let many = (1...UInt64(WireLimits.maxOpsPerBatch + 1)).map {
            Sample.op($0, $0, .add(entity: Sample.customer, field: Schema.F.tags, element: "x"))
        }
        #expect(throws: WireError.self) { try b.writeMessage(.ops(.init(seq: 1, operations: many))) }
        let big = (1...20).map {
            Sample.op($0, 0, .set(entity: Sample.customer, field: Schema.F.note, value: .text(String(repeating: "字", count: 20_000) + "\($0)"), pred: []))
        }
        #expect(throws: WireError.self) { try b.writeMessage(.ops(.init(seq: 1, operations: big))) }
        #expect(throws: WireError.self) { try b.writeMessage(.welcome(.init(held: 0, time: .zero, principal: String(repeating: "x", count: 65), proof: Sample.hash))) }
        #expect(b.readableBytes == 0)
    }

    @Test("strings that differ only in Unicode normalization stay distinct on the wire (W-8.6.2)")
    func normalizationKept() throws {
        let nfc = "caf\u{e9}"
        let nfd = "cafe\u{301}"
        let ops = [
            Sample.op(1, 0, .add(entity: Sample.customer, field: Schema.F.tags, element: nfc)),
            Sample.op(2, 1, .add(entity: Sample.customer, field: Schema.F.tags, element: nfd)),
        ]
        var b = ByteBuffer()
        try b.writeMessage(.ops(.init(seq: 1, operations: ops)))
        guard case .ops(let decoded) = try b.readMessage() else { Issue.record("not OPS"); return }
        let elements = decoded.operations.map { op -> [UInt8] in
            if case .add(_, _, let e) = op.body { return Array(e.utf8) }
            return []
        }
        #expect(elements == [Array(nfc.utf8), Array(nfd.utf8)])
    }

    @Test("the auth transcript is label, 0, version, device, actor, both nonces (W-8.3.2, W-8.4.3)")
    func transcript() {
        let hello = Message.Hello(version: 1, device: Sample.device, actor: Sample.actorA, nonce: Sample.nonceC, schema: 1)
        let bytes = Message.Auth.transcript(label: Message.Auth.deviceLabel, hello: hello, challenge: .init(nonce: Sample.nonceS))
        #expect(bytes.count == 17 + 1 + 1 + 16 + 16 + 32 + 32)
        #expect(Array(bytes.prefix(18)) == Array("fieldbook-auth-v1".utf8) + [0])
        #expect(Array(bytes.suffix(32)) == Sample.nonceS)
    }

    @Test("preamble negotiation picks the highest common version or refuses (W-5.3, W-5.4)")
    func negotiate() throws {
        #expect(try Preamble(maxVersion: 1, minVersion: 1).negotiate(with: Preamble(maxVersion: 3, minVersion: 1)) == 1)
        #expect(throws: WireError.self) {
            try Preamble(maxVersion: 1, minVersion: 1).negotiate(with: Preamble(maxVersion: 3, minVersion: 2))
        }
    }

    @Test("version 4: a device speaks 4 only, the server 1 to 4: version 2 and 3 devices sync, version 1 reads its refusal (W-5.6, W-5.7)")
    func versionFour() throws {
        #expect(Preamble.version == 4)
        #expect(try Preamble.device.negotiate(with: Preamble.server) == 4)
        #expect(try Preamble.server.negotiate(with: Preamble.device) == 4)
        // Version-2 (02 02) and version-3 (03 03) devices and the server run their versions.
        for version: UInt8 in [2, 3] {
            let device = Preamble(maxVersion: version, minVersion: version)
            #expect(try device.negotiate(with: Preamble.server) == version && Preamble.sessionVersions.contains(version))
        }
        // A version-1 device (preamble 01 01) and the server agree on 1, so the device reads the server's ERROR…
        let old = Preamble(maxVersion: 1, minVersion: 1)
        #expect(try old.negotiate(with: Preamble.server) == 1 && !Preamble.sessionVersions.contains(1))
        // …and a version-4 device refuses a server of version 1 to 3 at its preamble, and one of 5 and up only.
        #expect(throws: WireError.self) { try Preamble.device.negotiate(with: old) }
        #expect(throws: WireError.self) { try Preamble.device.negotiate(with: Preamble(maxVersion: 3, minVersion: 1)) }
        #expect(throws: WireError.self) { try Preamble.device.negotiate(with: Preamble(maxVersion: 5, minVersion: 5)) }
        // The refusal fits an ERROR message (1024 bytes) and says what to do.
        #expect(Preamble.updateMessage.utf8.count <= 1024)
        #expect(Preamble.updateMessage.contains("请更新 Fieldbook"))
        var b = ByteBuffer()
        try b.writeMessage(.error(.init(code: .unsupportedVersion, message: Preamble.updateMessage)))
        guard case .error(let error) = try b.readMessage() else { Issue.record("not ERROR"); return }
        #expect(error.fatal && error.code == .unsupportedVersion && error.message == Preamble.updateMessage)
    }

    @Test("PULL carries the resume point of a cut delta, 0 for none (W-8.9.3)")
    func pullResume() throws {
        for pull in [Message.Pull(cursor: 0), Message.Pull(cursor: 1204, resume: 1230), Message.Pull(cursor: 7, resync: true)] {
            var b = ByteBuffer()
            try b.writeMessage(.pull(pull))
            #expect(try b.readMessage() == .pull(pull))
        }
        #expect(Message.Pull(cursor: 3).resume == 0)
    }

    @Test("MessageDecoder is a NIO single-step decoder with the same split (W-6.4, W-6.7)")
    func singleStep() throws {
        var decoder = MessageDecoder()
        var b = ByteBuffer(bytes: Hex.decode("0420 05 00")!)
        #expect(try decoder.decode(buffer: &b) == nil)
        #expect(b.readerIndex == 0)
        b.writeInteger(UInt8(0))
        #expect(try decoder.decode(buffer: &b) == .pull(.init(cursor: 5)))
        b.writeBytes([0x05, 0x11])
        #expect(throws: WireError.self) { try decoder.decodeLast(buffer: &b, seenEOF: true) }
    }

    @Test("ErrorCode fatal classes match the table of §11.2 (W-11.2.1)")
    func errorClasses() {
        #expect(ErrorCode.known.filter { !$0.isFatal } == [.scopeViolation, .permissionDenied, .counterGap, .stateMismatch, .queued])
        #expect(ErrorCode(rawValue: 999).isFatal)
    }

    @Test("wiredump annotates every byte of a vector in the spec's notation (W-3.3)")
    func dump() throws {
        let v = try #require(WireVectors.load("messages").first { $0.name == "WELCOME" })
        let text = WireDump.annotate(v.bytes)
        #expect(text.contains("type = 0x04 WELCOME"))
        #expect(text.contains("WELCOME"))
        #expect(text.contains("principal = \"M001\""))
        let ops = try #require(WireVectors.load("ops").first { $0.name == "OPS compressed" })
        let dumped = WireDump.annotate(ops.bytes)
        #expect(dumped.contains("inflated batch"))
        #expect(dumped.contains("钻石"))
        #expect(WireDump.annotate([0x81, 0x80, 0x40]).contains("frameTooLarge"))
    }
}
