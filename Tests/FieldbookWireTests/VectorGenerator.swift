// VectorGenerator.swift: writes protocol/vectors/*.json when FIELDBOOK_WRITE_VECTORS=1 (SPEC Appendix B).
//
// The positive cases are messages built here and encoded by FieldbookWire; the negative cases are bytes written
// out by hand below, each aimed at one rule of the spec. Run:
//   FIELDBOOK_WRITE_VECTORS=1 swift test --scratch-path .build-wire --filter VectorGenerator
import FieldbookModel
import Foundation
import NIOCore
import Testing

@testable import FieldbookWire

/// Sample identities and values shared by the vectors and the other tests.
enum Sample {
    static let device = DeviceID(bytes: [UInt8](repeating: 0xd1, count: 16))!
    static let actorA = ActorID(high: 0xa1a1_a1a1_a1a1_a1a1, low: 0xa1a1_a1a1_a1a1_0001)
    static let actorB = ActorID(high: 0xb2b2_b2b2_b2b2_b2b2, low: 0xb2b2_b2b2_b2b2_0002)
    static let t0: UInt64 = 1_767_225_600_000  // 2026-01-01 00:00 UTC
    static let customer = EntityID(high: (t0 - 86_400_000) << 16 | 0x7123, low: 0x8a5b_0c1d_2e3f_4051)
    static let contact = EntityID(high: t0 << 16 | 0x7456, low: 0x9f00_1122_3344_5566)
    static let other = EntityID(high: (t0 - 3_600_000) << 16 | 0x7789, low: 0xb000_0000_0000_0abc)
    static let actorC = ActorID(high: 0xc3c3_c3c3_c3c3_c3c3, low: 0xc3c3_c3c3_c3c3_0003)
    static let nonceC = [UInt8](0..<32)
    static let nonceS = (0..<32).map { UInt8(0xff - $0) }
    static let mac = [UInt8](repeating: 0x5a, count: 32)
    static let hash = [UInt8](repeating: 0x3c, count: 32)

    static func op(_ counter: UInt64, _ ms: UInt64, logical: UInt16 = 0, actor: ActorID = actorA,
                   scope: Scope = .customer(customer), principal: String = "M001", _ body: FieldbookModel.Operation.Body) -> FieldbookModel.Operation {
        FieldbookModel.Operation(id: OpID(actor: actor, counter: counter), hlc: HLC(milliseconds: t0 + ms, logical: logical),
                  scope: scope, principal: principal, schemaVersion: 1, body: body)
    }

    /// Ops of protocol version 3: entities named by their creating op (SPEC [W-8.6.9], [W-10.9]). A's customer 1 with
    /// a contact (op 2) and an edit, B's customer (op 5) with an edit, an edit of an old UUIDv7 customer, and one of a
    /// customer derived from an actor absent from the batch (written in full).
    static var derivedOps: [FieldbookModel.Operation] {
        let mine = EntityID.derived(actor: actorA, counter: 1)
        let contact = EntityID.derived(actor: actorA, counter: 2)
        let theirs = EntityID.derived(actor: actorB, counter: 5)
        let absent = EntityID.derived(actor: actorC, counter: 40)
        return [
            op(1, 0, scope: .customer(mine), .create(kind: .customer, entity: mine, fields: [FieldAssignment(Schema.F.name, .text("王芳"))])),
            op(2, 10, scope: .customer(mine), .create(kind: .contact, entity: contact, fields: [FieldAssignment(Schema.F.channel, .text("上门"))])),
            op(3, 20, scope: .customer(mine), .set(entity: mine, field: Schema.F.tier, value: .text("钻石"), pred: [])),
            op(5, 30, actor: actorB, scope: .customer(theirs), principal: "M002",
               .create(kind: .customer, entity: theirs, fields: [FieldAssignment(Schema.F.name, .text("陈静"))])),
            op(4, 40, .set(entity: theirs, field: Schema.F.tier, value: .text("金"), pred: [OpID(actor: actorB, counter: 5)])),
            op(5, 50, .add(entity: customer, field: Schema.F.tags, element: "高净值")),
            op(6, 60, scope: .customer(absent), .set(entity: absent, field: Schema.F.tier, value: .text("金"), pred: [])),
        ]
    }

    /// A day's edits as a version-4 device makes them: readings in whole seconds, two ops of one second ordered by the
    /// logical counter, a repeated string and one used first as a set element.
    static var secondOps: [FieldbookModel.Operation] {
        [
            op(1, 0, .set(entity: customer, field: Schema.F.tier, value: .text("钻石"), pred: [])),
            op(2, 0, logical: 1, .add(entity: customer, field: Schema.F.tags, element: "高净值")),
            op(3, 42_000, .set(entity: customer, field: Schema.F.note, value: .text("钻石"), pred: [])),
            op(4, 3_600_000, .set(entity: customer, field: Schema.F.note, value: .text("约了周末面谈"), pred: [OpID(actor: actorA, counter: 3)])),
        ]
    }

    /// What a pull interleaves: two devices' whole-second readings, the second device's behind the first's.
    static var pulledSecondOps: [FieldbookModel.Operation] {
        [
            op(1, 60_000, .set(entity: customer, field: Schema.F.tier, value: .text("钻石"), pred: [])),
            op(7, 5_000, actor: actorB, principal: "M002", .set(entity: customer, field: Schema.F.note, value: .text("回访"), pred: [])),
            op(2, 61_000, .set(entity: customer, field: Schema.F.note, value: .text("钻石"), pred: [])),
        ]
    }

    /// A batch past ``Message/Ops/blockedDeflateMinimum`` raw bytes: 60 contacts with summaries, a minute apart.
    static var largeOps: [FieldbookModel.Operation] {
        (1...60).map { (n: UInt64) -> FieldbookModel.Operation in
            let channel: String = n % 3 == 0 ? "visit" : "call"
            let fields: [FieldAssignment] = [
                FieldAssignment(Schema.F.channel, .text(channel)),
                FieldAssignment(Schema.F.text, .text("第\(n)次回访：聊了孩子留学的资金安排，想了解大额存单")),
                FieldAssignment(Schema.F.date, .date(Day(number: 20_454 + Int32(n / 10)))),
            ]
            let contact = EntityID.derived(actor: actorA, counter: n)
            return op(n, n * 60_000, .create(kind: .contact, entity: contact, fields: fields))
        }
    }

    /// A small batch that uses every body, scope and value kind.
    static var mixedOps: [FieldbookModel.Operation] {
        [
            op(1, 0, .create(kind: .contact, entity: contact, fields: [
                FieldAssignment(Schema.F.channel, .text("上门")),
                FieldAssignment(Schema.F.date, .date(Day(number: 20_454))),
                FieldAssignment(Schema.F.text, .text("聊了孩子留学的资金安排")),
            ])),
            op(2, 1_500, .set(entity: customer, field: FieldID(rawValue: 11), value: .money(500_000_000), pred: [])),
            op(3, 1_500, logical: 1, .set(entity: customer, field: Schema.F.tier, value: .text("钻石"),
                                          pred: [OpID(actor: actorB, counter: 7), OpID(actor: actorA, counter: 2)])),
            op(4, 2_000, .add(entity: customer, field: Schema.F.tags, element: "高净值")),
            op(5, 2_100, .remove(entity: customer, field: Schema.F.tags, element: "观望",
                                 observed: [OpID(actor: actorB, counter: 3)])),
            op(9, 3_000, actor: actorB, scope: .principal("M002"), principal: "M002",
               .create(kind: .worklog, entity: other, fields: [
                   FieldAssignment(Schema.F.text, .text("晨会")), FieldAssignment(FieldID(rawValue: 900), .null),
                   FieldAssignment(FieldID(rawValue: 901), .int(-42)), FieldAssignment(FieldID(rawValue: 44), .percent(350)),
                   FieldAssignment(FieldID(rawValue: 42), .decimal(10_523)), FieldAssignment(Schema.F.done, .bool(true)),
                   FieldAssignment(Schema.F.archived, .bool(false)),
               ])),
            op(6, 3_100, scope: .global, .create(kind: EntityKind(rawValue: 200), entity: other, fields: [])),
        ]
    }
}

/// Builds the JSON files.
struct VectorWriter {
    var cases: [[String: Any]] = []
    /// The protocol version the file is written for.
    var version: UInt8 = Preamble.version

    mutating func frame(_ name: String, _ message: Message, _ spec: [String]) {
        var b = ByteBuffer()
        try! b.writeMessage(message)
        cases.append(["name": name, "kind": "frame", "hex": Hex.encode(b.readableBytesView), "decoded": WireJSON.message(message), "spec": spec])
    }

    mutating func positive(_ name: String, _ kind: String, _ hex: String, _ decoded: Any, _ spec: [String]) {
        cases.append(["name": name, "kind": kind, "hex": Hex.encode(Hex.decode(hex)!), "decoded": decoded, "spec": spec])
    }

    mutating func negative(_ name: String, _ kind: String, _ hex: String, _ error: WireError.Code, _ spec: [String]) {
        cases.append(["name": name, "kind": kind, "hex": Hex.encode(Hex.decode(hex)!), "error": error.description, "spec": spec])
    }

    mutating func needMore(_ name: String, _ kind: String, _ hex: String, _ spec: [String]) {
        cases.append(["name": name, "kind": kind, "hex": Hex.encode(Hex.decode(hex)!), "needMore": true, "spec": spec])
    }

    func write(_ file: String, _ description: String) throws {
        let object: [String: Any] = ["description": description, "version": Int(version), "cases": cases]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try data.write(to: WireVectors.directory.appendingPathComponent(file + ".json"))
    }
}

/// Hex helpers for hand-written negative cases.
enum H {
    static func uv(_ v: UInt64) -> String {
        var b = ByteBuffer()
        b.writeUVarint(v)
        return Hex.encode(b.readableBytesView)
    }

    /// A frame around a hex payload (type included).
    static func frame(_ typeAndPayload: String) -> String {
        let bytes = Hex.decode(typeAndPayload)!
        return uv(UInt64(bytes.count)) + Hex.encode(bytes)
    }

    /// A column: length and bytes.
    static func col(_ hex: String) -> String {
        let bytes = Hex.decode(hex)!
        return uv(UInt64(bytes.count)) + Hex.encode(bytes)
    }

    static let actor = Hex.encode(Sample.actorA.bytes)
    static var entity: String {
        let bytes = Sample.customer.bytes
        return uv(Sample.customer.high >> 16) + Hex.encode(bytes[6...])
    }

    /// A one-op batch (a `set` of tier to "钻石" by M001), with parts replaceable to break one rule at a time.
    /// `derived` is version 3's list of derived entities (empty by default); `nil` leaves it out and writes the
    /// version-2 batch (whose scopes table holds the customer, and whose columns index it from 0).
    /// `version` is the session's (``Preamble/version`` unless `derived` is `nil`).
    static func batch(count: String = "01", strings: String? = nil, actors: String? = nil, authors: String = "01 00 00 01",
                      entities: String? = nil, derived: String? = "00", scopes: String? = nil, columns: [String]? = nil,
                      version: UInt8? = nil) -> String {
        let s = strings ?? ("02 04" + Hex.encode(Array("M001".utf8)) + "06" + Hex.encode(Array("钻石".utf8)))
        let e = entities ?? ("01" + entity)
        let version: UInt8 = version ?? (derived == nil ? 2 : Preamble.version)
        // Version 3: the op's scope is its own customer (scope column 0, no table entry); its entity is e0 (column 1).
        let k = scopes ?? (version == 2 ? "01 01 00" : "00")
        let cols = columns ?? Self.columns([:], version: version)
        return count + s + (actors ?? ("01" + actor)) + authors + e + (derived ?? "") + k + cols.map(col).joined()
    }

    /// A full entity entry (prefix Δ from 0, tail) for one ID.
    static func full(_ id: EntityID) -> String { uv(id.high >> 16) + Hex.encode(id.bytes[6...]) }

    /// An OPS frame (uncompressed, seq 1) around a batch.
    static func ops(_ batch: String) -> String { frame("10 00 01" + batch) }

    /// The one-op batch's columns in a version's layout. Version 4: the clock column opens with its mode (03: whole
    /// seconds, never down) and counts seconds; the text value "钻石" is the string after the principal, written 0.
    static func columns(_ replace: [Int: String], version: UInt8 = Preamble.version) -> [String] {
        let hlc = version >= 4 ? "03" + uv((Sample.t0 / 1_000) << 1) : uv(ZigZag.encode(Int64(Sample.t0)) << 1)
        var c = ["0100", "0100", hlc, "00", "02", version == 2 ? "00" : "01", "0c", version >= 4 ? "0100" : "0101", "00", ""]
        for (k, v) in replace { c[k] = v }
        return c
    }
}

@Suite("VectorGenerator")
struct VectorGenerator {
    @Test("write protocol/vectors", .enabled(if: ProcessInfo.processInfo.environment["FIELDBOOK_WRITE_VECTORS"] == "1"))
    func writeVectors() throws {
        try primitives()
        try preamble()
        try frames()
        try messages()
        try ops()
        try opsVersionThree()
        try opsVersionTwo()
        try errors()
        try session()
        try StateHashVector.write()
    }

    func primitives() throws {
        var w = VectorWriter()
        for (hex, value) in [("00", "0"), ("01", "1"), ("7f", "127"), ("8001", "128"), ("9601", "150"), ("ff7f", "16383"),
                             ("808001", "16384"), ("ffffffffffffffff7f", "9223372036854775807"),
                             ("ffffffffffffffffff01", "18446744073709551615")] {
            w.positive("uvarint \(value)", "uvarint", hex, value, ["W-4.1.1"])
        }
        w.negative("uvarint overlong 1 as 81 00", "uvarint", "8100", .overlongVarint, ["W-4.1.2"])
        w.negative("uvarint overlong 0 as 80 00", "uvarint", "8000", .overlongVarint, ["W-4.1.2"])
        w.negative("uvarint overlong 10 bytes ending 00", "uvarint", "ffffffffffffffffff00", .overlongVarint, ["W-4.1.2"])
        w.negative("uvarint 10th byte over 1", "uvarint", "ffffffffffffffffff02", .varintOverflow, ["W-4.1.3"])
        w.negative("uvarint 11 bytes", "uvarint", "ffffffffffffffffff8100", .varintOverflow, ["W-4.1.3"])
        w.needMore("uvarint missing its last byte", "uvarint", "ff", ["W-4.1.4"])
        w.needMore("uvarint empty", "uvarint", "", ["W-4.1.4"])
        for (hex, value) in [("00", "0"), ("01", "-1"), ("02", "1"), ("03", "-2"), ("c801", "100"), ("c701", "-100"),
                             ("feffffffffffffffff01", "9223372036854775807"), ("ffffffffffffffffff01", "-9223372036854775808")] {
            w.positive("svarint \(value)", "svarint", hex, value, ["W-4.2.1"])
        }
        w.positive("string empty", "string", "00", "", ["W-4.3.1"])
        w.positive("string ASCII", "string", "04" + Hex.encode(Array("M001".utf8)), "M001", ["W-4.3.1"])
        w.positive("string Chinese", "string", "06" + Hex.encode(Array("王芳".utf8)), "王芳", ["W-4.3.1"])
        w.negative("string bad UTF-8 (lone continuation)", "string", "0280ff", .invalidUTF8, ["W-4.3.2"])
        w.negative("string bad UTF-8 (surrogate ed a0 80)", "string", "03eda080", .invalidUTF8, ["W-4.3.2"])
        w.negative("string bad UTF-8 (overlong c0 af)", "string", "02c0af", .invalidUTF8, ["W-4.3.2"])
        w.negative("string truncated", "string", "0541", .truncated, ["W-6.5"])
        w.negative("string longer than 65535", "string", H.uv(65_536), .stringTooLong, ["W-4.3.3"])
        try w.write("primitives", "uvarint, svarint and string primitives (SPEC §4)")
    }

    func preamble() throws {
        var w = VectorWriter()
        w.positive("preamble v2 (a device)", "preamble", "46424b570202", ["max": 2, "min": 2], ["W-5.1", "W-5.6"])
        w.positive("preamble v1 to v2 (a server)", "preamble", "46424b570201", ["max": 2, "min": 1], ["W-5.1", "W-5.6"])
        w.positive("preamble v1 (a device to update)", "preamble", "46424b570101", ["max": 1, "min": 1], ["W-5.1", "W-5.6"])
        w.positive("preamble v1 to v3", "preamble", "46424b570301", ["max": 3, "min": 1], ["W-5.1", "W-5.3"])
        w.positive("preamble v4 (a device)", "preamble", "46424b570404", ["max": 4, "min": 4], ["W-5.1", "W-5.7"])
        w.positive("preamble v1 to v4 (a server)", "preamble", "46424b570401", ["max": 4, "min": 1], ["W-5.1", "W-5.7"])
        w.needMore("preamble half", "preamble", "46424b", ["W-5.1"])
        w.negative("preamble bad magic", "preamble", "46424b580101", .badMagic, ["W-5.2"])
        w.negative("preamble first byte wrong (HTTP)", "preamble", "47", .badMagic, ["W-5.2"])
        w.negative("preamble min over max", "preamble", "46424b570102", .unsupportedVersion, ["W-5.4"])
        w.negative("preamble min 0", "preamble", "46424b570100", .unsupportedVersion, ["W-5.4"])
        try w.write("preamble", "the connection preamble (SPEC §5)")
    }

    func frames() throws {
        var w = VectorWriter()
        w.needMore("frame empty input", "frame", "", ["W-6.4"])
        w.needMore("frame length only", "frame", "03", ["W-6.4"])
        w.needMore("frame length varint incomplete", "frame", "80", ["W-6.4"])
        w.needMore("frame missing last payload byte", "frame", "032005", ["W-6.4"])
        w.negative("frame length 0", "frame", "00", .emptyFrame, ["W-6.2"])
        w.negative("frame length overlong", "frame", "8300" + "2005", .overlongVarint, ["W-6.1", "W-4.1.2"])
        w.negative("frame over 1 MiB, refused before its payload", "frame", H.uv(UInt64(WireLimits.maxFrameLength) + 1), .frameTooLarge, ["W-6.3"])
        w.positive("frame unknown type 0x55 skipped and kept", "frame", "0355aabb",
                   ["type": "UNKNOWN", "typeByte": 0x55, "payload": "aabb"], ["W-13.1", "W-13.2"])
        w.positive("frame unknown type 0x00 with no payload", "frame", "0100",
                   ["type": "UNKNOWN", "typeByte": 0, "payload": ""], ["W-13.1", "W-7.2"])
        w.negative("frame payload ends inside a field", "frame", H.frame("20 05"), .truncated, ["W-6.5"])
        w.negative("frame payload has trailing bytes", "frame", H.frame("11 01 05 00"), .trailingBytes, ["W-6.6"])
        w.negative("frame payload varint overlong", "frame", H.frame("11 8100 05"), .overlongVarint, ["W-4.1.2", "W-6.7"])
        try w.write("frames", "framing: need-more, limits, unknown types (SPEC §6, §13)")
    }

    func messages() throws {
        var w = VectorWriter()
        let hello = Message.Hello(version: Preamble.version, device: Sample.device, actor: Sample.actorA, nonce: Sample.nonceC, schema: 1)
        w.frame("HELLO", .hello(hello), ["W-8.1.1", "W-8.1.2", "W-4.4.1", "W-7.1"])
        w.frame("CHALLENGE", .challenge(.init(nonce: Sample.nonceS)), ["W-8.2.1"])
        w.frame("AUTH", .auth(.init(mac: Sample.mac)), ["W-8.3.1"])
        w.frame("WELCOME", .welcome(.init(held: 41, time: HLC(milliseconds: Sample.t0, logical: 3), principal: "M001",
                                           proof: Sample.hash)), ["W-8.4.1", "W-8.4.2", "W-4.5.1"])
        w.frame("ACK", .ack(.init(seq: 1, held: 500)), ["W-8.8.1"])
        w.frame("PULL", .pull(.init(cursor: 1204)), ["W-8.9.1"])
        w.frame("PULL resync", .pull(.init(cursor: 0, resync: true)), ["W-8.9.1", "W-8.9.2"])
        w.frame("PULL resuming a cut delta", .pull(.init(cursor: 1204, resume: 1230)), ["W-8.9.1", "W-8.9.3", "W-9.12"])
        w.negative("PULL without its resume field", "frame", H.frame("20 b409 00"), .truncated, ["W-8.9.1", "W-6.5"])
        w.frame("PURGE", .purge(.init(entries: [
            .init(customer: Sample.customer, reason: .reassigned, newOwner: "M002"),
            .init(customer: Sample.other, reason: .coverageEnded),
            .init(customer: Sample.contact, reason: PurgeReason(rawValue: 77)),
        ])), ["W-8.10.1", "W-8.10.2"])
        w.frame("PURGE empty", .purge(.init(entries: [])), ["W-8.10.1"])
        w.frame("DONE", .done(.init(cursor: 1260, stateHash: Sample.hash)), ["W-8.11.1"])
        w.frame("PING", .ping(.init(nonce: 7)), ["W-8.13.1"])
        w.frame("PONG", .pong(.init(nonce: 7)), ["W-8.13.1"])
        w.frame("ERROR fatal", .error(.init(code: .authFailed, message: "authentication failed")), ["W-8.12.1", "W-11.2.1"])
        w.frame("ERROR recoverable", .error(.init(code: .counterGap, message: "expected counter 42")), ["W-8.12.1", "W-11.2.1"])
        w.frame("ERROR refusing a version-1 HELLO", .error(.init(code: .unsupportedVersion, message: Preamble.updateMessage)),
                ["W-8.12.1", "W-5.6"])
        w.frame("ERROR queued: a recoverable notice with the session's place", .error(.init(code: .queued, message: "前面还有 3 个同步")),
                ["W-8.12.1", "W-11.2.1", "W-12.8"])
        w.frame("ERROR unknown code kept", .error(.init(code: ErrorCode(rawValue: 300), fatal: true, message: "")), ["W-11.2.2"])
        w.negative("HELLO schema past 16 bits", "frame",
                   H.frame("01 02" + Sample.device.hex + H.actor + Hex.encode(Sample.nonceC) + H.uv(65_536)), .varintOverflow, ["W-8.1.1", "W-4.1.3"])
        w.negative("HELLO truncated nonce", "frame", H.frame("01 02" + Sample.device.hex + H.actor + "0001"), .truncated, ["W-8.1.1", "W-6.5"])
        w.negative("WELCOME principal over 64 bytes", "frame",
                   H.frame("04 29" + "0000000000000000" + H.uv(65) + String(repeating: "41", count: 65) + Hex.encode(Sample.hash)),
                   .stringTooLong, ["W-8.4.2", "W-4.3.3"])
        w.negative("PULL reserved flag bit", "frame", H.frame("20 05 02"), .reservedBits, ["W-8.9.1", "W-13.3"])
        w.negative("ERROR reserved flag bit", "frame", H.frame("7f 04 81 00"), .reservedBits, ["W-8.12.1", "W-13.3"])
        w.negative("ERROR message bad UTF-8", "frame", H.frame("7f 04 01 02 c3 28"), .invalidUTF8, ["W-8.12.1", "W-4.3.2"])
        w.negative("ERROR message over 1024 bytes", "frame", H.frame("7f 04 01" + H.uv(1025)), .stringTooLong, ["W-8.12.2"])
        w.negative("PURGE more than 65536 entries", "frame", H.frame("21" + H.uv(65_537)), .listTooLong, ["W-8.10.1", "W-12.2"])
        w.negative("PURGE count past its bytes", "frame", H.frame("21 05" + Hex.encode(Sample.customer.bytes)), .truncated, ["W-8.10.1", "W-6.5"])
        w.negative("ACK held past 64 bits", "frame", H.frame("11 01 ffffffffffffffffff7f"), .varintOverflow, ["W-4.1.3"])
        try w.write("messages", "every message type except OPS, and their malformations (SPEC §8)")
    }

    func ops() throws {
        var w = VectorWriter()
        w.frame("OPS empty", .ops(.init(seq: 1, operations: [])), ["W-8.5.1", "W-8.6.1"])
        w.frame("OPS one set", .ops(.init(seq: 1, operations: [Sample.op(1, 0, .set(entity: Sample.customer, field: Schema.F.tier, value: .text("钻石"), pred: []))])),
                ["W-8.5.1", "W-8.6.1", "W-8.6.2", "W-8.7.1"])
        w.frame("OPS every body, scope and value", .ops(.init(seq: 2, operations: Sample.mixedOps)),
                ["W-8.6.1", "W-8.6.2", "W-8.6.5", "W-8.6.6", "W-8.6.7", "W-8.7.1", "W-8.7.2", "W-8.7.3", "W-8.7.4", "W-13.4"])
        w.frame("OPS compressed", .ops(.init(seq: 3, operations: Sample.mixedOps, compressed: true)), ["W-8.5.1", "W-8.5.5"])
        w.frame("OPS backfill from the server", .ops(.init(seq: 1204, backfill: true, operations: Array(Sample.mixedOps.prefix(2)))),
                ["W-8.5.2", "W-8.5.3"])
        // Negative cases: one rule broken at a time.
        let good = H.batch()
        w.positive("OPS hand-written batch", "frame", H.ops(good),
                   WireJSON.message(.ops(.init(seq: 1, operations: [Sample.op(1, 0, .set(entity: Sample.customer, field: Schema.F.tier, value: .text("钻石"), pred: []))]))),
                   ["W-8.6.1"])
        w.negative("OPS reserved flag bit", "frame", H.frame("10 04 01" + good), .reservedBits, ["W-8.5.1", "W-13.3"])
        w.negative("OPS more than 10000 ops", "frame", H.ops(H.uv(10_001)), .tooManyOps, ["W-8.5.4"])
        w.negative("OPS op count past its bytes", "frame", H.ops("64"), .truncated, ["W-8.6.1", "W-6.5"])
        w.negative("OPS strings table over 65536", "frame", H.ops("01" + H.uv(65_537)), .listTooLong, ["W-12.2"])
        w.negative("OPS string bad UTF-8", "frame", H.ops(H.batch(strings: "02 04 4d303031 02 c328")), .invalidUTF8, ["W-4.3.2", "W-8.6.2"])
        w.negative("OPS strings table repeats an entry", "frame", H.ops(H.batch(strings: "02 04 4d303031 04 4d303031")), .badBatch, ["W-8.6.4"])
        w.negative("OPS author actor index past table", "frame", H.ops(H.batch(authors: "01 01 00 01")), .badIndex, ["W-8.6.3"])
        w.negative("OPS author principal index past table", "frame", H.ops(H.batch(authors: "01 00 05 01")), .badIndex, ["W-8.6.3"])
        w.negative("OPS scope entity index past table", "frame", H.ops(H.batch(scopes: "01 01 01")), .badIndex, ["W-8.6.3"])
        w.negative("OPS scope tag 3", "frame", H.ops(H.batch(scopes: "01 03")), .badBatch, ["W-8.6.4", "W-8.6.5"])
        w.negative("OPS entities not ascending", "frame",
                   H.ops(H.batch(entities: "02" + H.entity + "00" + Hex.encode(Sample.customer.bytes[6...]))), .badBatch, ["W-8.6.4"])
        w.negative("OPS author column index past table", "frame", H.ops(H.batch(columns: H.columns([0: "0103"]))), .badIndex, ["W-8.6.3"])
        w.negative("OPS author run of length 0", "frame", H.ops(H.batch(columns: H.columns([0: "0000"]))), .badBatch, ["W-8.6.7"])
        w.negative("OPS author runs past the last op", "frame", H.ops(H.batch(columns: H.columns([0: "0200"]))), .badBatch, ["W-8.6.7"])
        w.negative("OPS counter 0", "frame", H.ops(H.batch(columns: H.columns([1: "0101"]))), .badBatch, ["W-8.6.4", "W-8.7.5"])
        w.negative("OPS scope column index past table", "frame", H.ops(H.batch(columns: H.columns([3: "01"]))), .badIndex, ["W-8.6.3"])
        w.negative("OPS entity column index past table", "frame", H.ops(H.batch(columns: H.columns([5: "09"]))), .badIndex, ["W-8.6.3"])
        w.negative("OPS text value index past table", "frame", H.ops(H.batch(columns: H.columns([7: "0107"]))), .badIndex, ["W-8.6.3"])
        w.negative("OPS body tag 5", "frame", H.ops(H.batch(columns: H.columns([4: "05"]))), .badBody, ["W-8.7.1"])
        w.negative("OPS value tag 9", "frame", H.ops(H.batch(columns: H.columns([7: "09"]))), .badValue, ["W-8.7.2"])
        w.negative("OPS date past 32 bits", "frame", H.ops(H.batch(columns: H.columns([7: "04" + H.uv(ZigZag.encode(1 << 31))]))), .badValue, ["W-8.7.2"])
        w.negative("OPS field number past 16 bits", "frame", H.ops(H.batch(columns: H.columns([6: H.uv(65_536)]))), .varintOverflow, ["W-8.7.3"])
        w.negative("OPS field column has a trailing byte", "frame", H.ops(H.batch(columns: H.columns([6: "0c0c"]))), .trailingBytes, ["W-8.6.8", "W-6.6"])
        w.negative("OPS column shorter than the ops need", "frame", H.ops(H.batch(columns: H.columns([6: ""]))), .truncated, ["W-8.6.8", "W-6.5"])
        w.negative("OPS pred names counter 0", "frame", H.ops(H.batch(columns: H.columns([8: "01 00 02"]))), .badBatch, ["W-8.7.5"])
        w.negative("OPS hlc logical flag with logical 0", "frame",
                   H.ops(H.batch(columns: H.columns([2: "03" + H.uv((Sample.t0 / 1_000) << 1 | 1) + "00"]))), .badBatch, ["W-8.7.4"])
        // Version 4: the clock column's mode, and string references counted on from the tables (SPEC [W-8.7.7], [W-8.7.8]).
        w.frame("OPS clocks in whole seconds, never down (mode 03)", .ops(.init(seq: 6, operations: Sample.secondOps)),
                ["W-4.5.3", "W-8.7.7", "W-8.7.8"])
        w.frame("OPS clocks in whole seconds, one going down (mode 01)", .ops(.init(seq: 7, operations: Sample.pulledSecondOps)),
                ["W-8.7.7"])
        w.frame("OPS a large batch compressed with a deflate block per part", .ops(.init(seq: 8, operations: Sample.largeOps, compressed: true)),
                ["W-8.5.8"])
        let ms = H.uv(Sample.t0 << 1)
        w.negative("OPS clock mode with bit 2 set", "frame", H.ops(H.batch(columns: H.columns([2: "07" + H.uv((Sample.t0 / 1_000) << 1)]))),
                   .badBatch, ["W-8.7.7"])
        w.negative("OPS clock in milliseconds though every reading is a whole second", "frame",
                   H.ops(H.batch(columns: H.columns([2: "02" + ms]))), .badBatch, ["W-8.7.7"])
        w.negative("OPS clock signed though no reading goes down", "frame",
                   H.ops(H.batch(columns: H.columns([2: "01" + H.uv(ZigZag.encode(Int64(Sample.t0 / 1_000)) << 1)]))), .badBatch, ["W-8.7.7"])
        w.negative("OPS clock past 48 bits in seconds", "frame",
                   H.ops(H.batch(columns: H.columns([2: "03" + H.uv(((1 << 48) / 1_000 + 1) << 1)]))), .badBatch, ["W-8.7.7"])
        w.negative("OPS clock's unsigned delta past 48 bits", "frame",
                   H.ops(H.batch(columns: H.columns([2: "02" + H.uv((1 << 62) << 1)]))), .badBatch, ["W-8.7.7"])
        w.negative("OPS next string written as an index", "frame", H.ops(H.batch(columns: H.columns([7: "0102"]))), .badBatch, ["W-8.7.8"])
        w.negative("OPS string reference 0 past the strings table", "frame",
                   H.ops(H.batch(strings: "01 04" + Hex.encode(Array("M001".utf8)))), .badIndex, ["W-8.7.8"])
        // Version 3: entities named by their creating op (SPEC [W-8.6.9]).
        w.frame("OPS derived entities", .ops(.init(seq: 4, operations: Sample.derivedOps)),
                ["W-4.4.2", "W-8.6.6", "W-8.6.9", "W-10.9"])
        w.frame("OPS derived entities compressed", .ops(.init(seq: 5, operations: Sample.derivedOps, compressed: true)), ["W-8.6.9"])
        let twoActors = "02" + H.actor + Hex.encode(Sample.actorB.bytes)
        w.negative("OPS derived entity's actor index past table", "frame", H.ops(H.batch(derived: "01 01 01")), .badIndex, ["W-8.6.3", "W-8.6.9"])
        w.negative("OPS derived entity with counter delta 0 (counter 0)", "frame", H.ops(H.batch(derived: "01 00 00")), .badBatch, ["W-8.6.9"])
        w.negative("OPS derived entity repeated", "frame", H.ops(H.batch(derived: "02 00 05 00 00")), .badBatch, ["W-8.6.9"])
        w.negative("OPS derived entities out of actor order", "frame",
                   H.ops(H.batch(actors: twoActors, derived: "02 01 01 00 01")), .badBatch, ["W-8.6.9"])
        w.negative("OPS derived entity's counter past 2^62 - 1", "frame",
                   H.ops(H.batch(derived: "01 00" + H.uv(EntityID.derivedCounterLimit))), .badBatch, ["W-8.6.9"])
        w.negative("OPS derived entity written in full", "frame",
                   H.ops(H.batch(entities: "01" + H.full(EntityID.derived(actor: Sample.actorA, counter: 3)))),
                   .badBatch, ["W-8.6.6", "W-8.6.9"])
        w.negative("OPS derived entities cut short", "frame", H.ops(H.batch(derived: "02 00 01")), .truncated, ["W-6.5", "W-8.6.9"])
        w.negative("OPS own customer scope written as an index", "frame", H.ops(H.batch(scopes: "01 01 00", columns: H.columns([3: "01"]))),
                   .badBatch, ["W-8.7.6"])
        w.negative("OPS entity named by its op written as an index", "frame",
                   H.ops(H.batch(derived: "01 00 01", columns: H.columns([5: "02"]))),
                   .badBatch, ["W-8.7.6"])
        w.negative("OPS entity named by an op whose counter is past 2^62 - 1", "frame",
                   H.ops(H.batch(scopes: "01 01 00", columns: H.columns([1: "01" + H.uv(ZigZag.encode(Int64(EntityID.derivedCounterLimit - 1))), 3: "01", 5: "00"]))),
                   .badBatch, ["W-8.7.6"])
        w.negative("OPS scope index past its table (version 3)", "frame", H.ops(H.batch(columns: H.columns([3: "02"]))), .badIndex, ["W-8.6.3", "W-8.7.6"])
        // Compression.
        let raw = Hex.decode(good)!
        let stream = Zlib.deflate(raw)
        w.negative("OPS zlib stream corrupt", "frame", H.frame("10 01 01" + H.uv(UInt64(raw.count)) + "ffffffff"), .badCompression, ["W-8.5.7"])
        w.negative("OPS zlib stream inflates past its declared size (stopped at it)", "frame",
                   H.frame("10 01 01" + H.uv(UInt64(raw.count - 10)) + Hex.encode(stream)), .badCompression, ["W-8.5.7"])
        w.negative("OPS zlib stream inflates to less than declared", "frame",
                   H.frame("10 01 01" + H.uv(UInt64(raw.count + 1)) + Hex.encode(stream)), .badCompression, ["W-8.5.7"])
        w.negative("OPS bytes after the zlib stream", "frame",
                   H.frame("10 01 01" + H.uv(UInt64(raw.count)) + Hex.encode(stream) + "00"), .badCompression, ["W-8.5.7"])
        w.negative("OPS declared raw size over 4 MiB", "frame",
                   H.frame("10 01 01" + H.uv(UInt64(WireLimits.maxBatchRawSize) + 1) + Hex.encode(stream)), .declaredSizeTooLarge, ["W-8.5.6"])
        let bomb = Zlib.deflate([UInt8](repeating: 0, count: 8 << 20))
        w.negative("OPS zlib bomb: 8 MiB of zeros declared as 100 bytes", "frame",
                   H.frame("10 01 01" + H.uv(100) + Hex.encode(bomb)), .badCompression, ["W-8.5.6", "W-8.5.7", "W-14.4"])
        try w.write("ops", "OPS and its columnar batch, compression and every batch error (SPEC §8.5–§8.7)")
    }

    func opsVersionThree() throws {
        var w = VectorWriter(version: 3)
        w.frame("OPS every body, scope and value (version 3)", .ops(.init(seq: 2, operations: Sample.mixedOps, version: 3)),
                ["W-5.7", "W-8.6.1", "W-8.6.5"])
        w.frame("OPS derived entities (version 3)", .ops(.init(seq: 4, operations: Sample.derivedOps, version: 3)),
                ["W-5.7", "W-8.6.9"])
        w.frame("OPS clocks in whole seconds, in milliseconds (version 3)", .ops(.init(seq: 6, operations: Sample.secondOps, version: 3)),
                ["W-5.7", "W-8.7.4"])
        w.frame("OPS a large batch compressed as one deflate block run (version 3)",
                .ops(.init(seq: 8, operations: Sample.largeOps, compressed: true, version: 3)), ["W-5.7", "W-8.5.5"])
        w.positive("OPS hand-written batch (version 3)", "frame", H.ops(H.batch(version: 3)),
                   WireJSON.message(.ops(.init(seq: 1, operations: [Sample.op(1, 0, .set(entity: Sample.customer, field: Schema.F.tier, value: .text("钻石"), pred: []))]))),
                   ["W-5.7", "W-8.6.1"])
        w.negative("OPS version-4 batch read as version 3", "frame", H.ops(H.batch()), .badBatch, ["W-5.7"])
        try w.write("ops-v3", "OPS batches of a version-3 session: clocks in milliseconds, string references as indices (SPEC §5, §8.7)")
    }

    func opsVersionTwo() throws {
        var w = VectorWriter(version: 2)
        w.frame("OPS every body, scope and value (version 2)", .ops(.init(seq: 2, operations: Sample.mixedOps, version: 2)),
                ["W-5.7", "W-8.6.1", "W-8.6.5"])
        w.frame("OPS derived entities written in full (version 2)", .ops(.init(seq: 4, operations: Sample.derivedOps, version: 2)),
                ["W-5.7", "W-8.6.9"])
        w.positive("OPS hand-written batch (version 2)", "frame", H.ops(H.batch(derived: nil)),
                   WireJSON.message(.ops(.init(seq: 1, operations: [Sample.op(1, 0, .set(entity: Sample.customer, field: Schema.F.tier, value: .text("钻石"), pred: []))]))),
                   ["W-5.7", "W-8.6.1"])
        w.negative("OPS version-3 batch read as version 2", "frame", H.ops(H.batch(version: 3)), .trailingBytes, ["W-5.7"])
        try w.write("ops-v2", "OPS batches of a version-2 session: every entity written in full (SPEC §5, §8.6)")
    }

    func errors() throws {
        // Errors named in §11.1 that are easiest to show on their own, one vector each, in one file.
        var w = VectorWriter()
        w.negative("oversize frame", "frame", H.uv(UInt64(WireLimits.maxFrameLength) + 1) + "10", .frameTooLarge, ["W-6.3", "W-11.1"])
        w.negative("overlong varint", "frame", "8100", .overlongVarint, ["W-4.1.2", "W-11.1"])
        w.negative("bad UTF-8", "frame", H.frame("7f 04 00 01 ff"), .invalidUTF8, ["W-4.3.2", "W-11.1"])
        w.needMore("truncated frame needs more", "frame", "0a10", ["W-6.4", "W-11.1"])
        w.negative("declared size over the limit", "frame", H.frame("10 01 01" + H.uv(UInt64(WireLimits.maxBatchRawSize) + 1)), .declaredSizeTooLarge, ["W-8.5.6", "W-11.1"])
        w.negative("bad batch index", "frame", H.ops(H.batch(columns: H.columns([9: "05"]).enumerated().map { $0.offset == 4 ? "03" : $0.offset == 7 ? "" : $0.offset == 8 ? "" : $0.element })), .badIndex, ["W-8.6.3", "W-11.1"])
        w.negative("bad compression", "frame", H.frame("10 01 01 05 78 9c 00"), .badCompression, ["W-8.5.7", "W-11.1"])
        try w.write("errors", "one vector for each decoder error the spec lists in §11.1")
    }

    func session() throws {
        var w = VectorWriter()
        var b = ByteBuffer()
        Preamble.device.write(to: &b)
        let hello = Message.Hello(version: Preamble.version, device: Sample.device, actor: Sample.actorA, nonce: Sample.nonceC, schema: 1)
        let deviceSide: [Message] = [
            .hello(hello), .auth(.init(mac: Sample.mac)), .ops(.init(seq: 1, operations: Sample.mixedOps, compressed: true)),
            .unknown(type: MessageType(rawValue: 0x40), payload: [1, 2, 3]), .pull(.init(cursor: 1204, resume: 1230)), .ping(.init(nonce: 9)),
        ]
        for m in deviceSide { try! b.writeMessage(m) }
        w.positive("device side of a session", "stream", Hex.encode(b.readableBytesView), [
            "preamble": ["max": 4, "min": 4], "messages": deviceSide.map(WireJSON.message),
        ], ["W-5.1", "W-5.6", "W-9.1", "W-9.2", "W-9.12", "W-13.1"])
        var s = ByteBuffer()
        Preamble.server.write(to: &s)
        let serverSide: [Message] = [
            .challenge(.init(nonce: Sample.nonceS)),
            .welcome(.init(held: 0, time: HLC(milliseconds: Sample.t0, logical: 0), principal: "M001", proof: Sample.hash)),
            .ack(.init(seq: 1, held: 9)),
            .purge(.init(entries: [.init(customer: Sample.other, reason: .reassigned, newOwner: "M007")])),
            .ops(.init(seq: 1204, backfill: true, operations: Array(Sample.mixedOps.prefix(3)))),
            .ops(.init(seq: 1260, operations: Array(Sample.mixedOps.suffix(2)))),
            .done(.init(cursor: 1260, stateHash: Sample.hash)), .pong(.init(nonce: 9)),
        ]
        for m in serverSide { try! s.writeMessage(m) }
        w.positive("server side of a session", "stream", Hex.encode(s.readableBytesView), [
            "preamble": ["max": 4, "min": 1], "messages": serverSide.map(WireJSON.message),
        ], ["W-5.1", "W-5.6", "W-9.1", "W-9.3", "W-9.4", "W-9.10"])
        var old = ByteBuffer()
        Preamble.server.write(to: &old)
        let update: [Message] = [.error(.init(code: .unsupportedVersion, message: Preamble.updateMessage))]
        for m in update { try! old.writeMessage(m) }
        w.positive("server refuses a version-1 device's HELLO: update Fieldbook", "stream", Hex.encode(old.readableBytesView), [
            "preamble": ["max": 4, "min": 1], "messages": update.map(WireJSON.message),
        ], ["W-5.6", "W-8.1.2", "W-11.2.1"])
        var v = ByteBuffer()
        Preamble(maxVersion: 6, minVersion: 5).write(to: &v)
        let refusal: [Message] = [.error(.init(code: .unsupportedVersion, message: "no common protocol version"))]
        for m in refusal { try! v.writeMessage(m) }
        w.positive("server refuses a device with no common version", "stream", Hex.encode(v.readableBytesView), [
            "preamble": ["max": 6, "min": 5], "messages": refusal.map(WireJSON.message),
        ], ["W-5.4", "W-5.5", "W-11.2.1"])
        try w.write("session", "both directions of a whole session as byte streams (SPEC §9)")
    }
}
