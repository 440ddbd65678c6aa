// Message+JSON.swift: the JSON form of decoded values used by protocol/vectors/*.json (SPEC Appendix B).
import FieldbookModel
import FieldbookWire
import Foundation

/// Turns decoded wire values into the JSON objects the vectors hold, so a test compares values as text.
enum WireJSON {
    static func hlc(_ h: HLC) -> String { "\(h.milliseconds).\(h.logical)" }

    static func opID(_ id: OpID) -> String { "\(id.actor.hex)/\(id.counter)" }

    static func value(_ v: Value) -> [String: Any] {
        switch v {
        case .null: return ["null": true]
        case .text(let s): return ["text": s]
        case .int(let n): return ["int": n]
        case .money(let n): return ["money": n]
        case .date(let d): return ["date": d.iso, "day": Int(d.number)]
        case .percent(let n): return ["percent": n]
        case .decimal(let n): return ["decimal": n]
        case .bool(let b): return ["bool": b]
        }
    }

    static func scope(_ s: Scope) -> Any {
        switch s {
        case .global: return "global"
        case .customer(let id): return ["customer": Hex.encode(id.bytes)]
        case .principal(let code): return ["principal": code]
        }
    }

    static func operation(_ op: FieldbookModel.Operation) -> [String: Any] {
        let body: [String: Any]
        switch op.body {
        case .create(let kind, let entity, let fields):
            body = ["create": [
                "kind": Int(kind.rawValue), "entity": Hex.encode(entity.bytes),
                "fields": fields.map { ["field": Int($0.field.rawValue), "value": value($0.value)] as [String: Any] },
            ] as [String: Any]]
        case .set(let entity, let field, let v, let pred):
            body = ["set": [
                "entity": Hex.encode(entity.bytes), "field": Int(field.rawValue), "value": value(v),
                "pred": pred.map(opID),
            ] as [String: Any]]
        case .add(let entity, let field, let element):
            body = ["add": ["entity": Hex.encode(entity.bytes), "field": Int(field.rawValue), "element": element] as [String: Any]]
        case .remove(let entity, let field, let element, let observed):
            body = ["remove": [
                "entity": Hex.encode(entity.bytes), "field": Int(field.rawValue), "element": element,
                "observed": observed.map(opID),
            ] as [String: Any]]
        }
        return [
            "actor": op.id.actor.hex, "counter": op.id.counter, "hlc": hlc(op.hlc), "scope": scope(op.scope),
            "principal": op.principal, "schema": Int(op.schemaVersion), "body": body,
        ]
    }

    static func message(_ m: Message) -> [String: Any] {
        switch m {
        case .hello(let h):
            return [
                "type": "HELLO", "version": Int(h.version), "device": h.device.hex, "actor": h.actor.hex,
                "nonce": Hex.encode(h.nonce), "schema": Int(h.schema),
            ]
        case .challenge(let c): return ["type": "CHALLENGE", "nonce": Hex.encode(c.nonce)]
        case .auth(let a): return ["type": "AUTH", "mac": Hex.encode(a.mac)]
        case .welcome(let w):
            return [
                "type": "WELCOME", "held": w.held, "time": hlc(w.time), "principal": w.principal,
                "proof": Hex.encode(w.proof),
            ]
        case .ops(let o):
            return [
                "type": "OPS", "seq": o.seq, "backfill": o.backfill, "compressed": o.compressed,
                "ops": o.operations.map(operation),
            ]
        case .ack(let a): return ["type": "ACK", "seq": a.seq, "held": a.held]
        case .pull(let p): return ["type": "PULL", "cursor": p.cursor, "resync": p.resync, "resume": p.resume]
        case .purge(let p):
            return [
                "type": "PURGE",
                "entries": p.entries.map { e -> [String: Any] in
                    [
                        "customer": Hex.encode(e.customer.bytes), "reason": e.reason.description,
                        "newOwner": e.newOwner.map { $0 as Any } ?? NSNull(),
                    ]
                },
            ]
        case .done(let d): return ["type": "DONE", "cursor": d.cursor, "stateHash": Hex.encode(d.stateHash)]
        case .ping(let p): return ["type": "PING", "nonce": p.nonce]
        case .pong(let p): return ["type": "PONG", "nonce": p.nonce]
        case .error(let e):
            return ["type": "ERROR", "code": e.code.description, "fatal": e.fatal, "message": e.message]
        case .unknown(let type, let payload):
            return ["type": "UNKNOWN", "typeByte": Int(type.rawValue), "payload": Hex.encode(payload)]
        }
    }

    /// Canonical text of a JSON value: sorted keys, no whitespace, so equal values give equal text.
    static func canonical(_ value: Any) -> String {
        let data = try! JSONSerialization.data(
            withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
