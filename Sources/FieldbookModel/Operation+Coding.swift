/// The store's binary encoding of values, scopes and op bodies (not the wire format; see protocol/SPEC.md).
extension Value {
    package func encode(into writer: inout ByteWriter) {
        writer.byte(tag)
        switch self {
        case .null, .bool: break
        case .text(let s): writer.string(s)
        case .int(let v), .money(let v), .percent(let v), .decimal(let v): writer.svarint(v)
        case .date(let d): writer.svarint(Int64(d.number))
        }
    }

    package static func decode(from reader: inout ByteReader) throws(ModelError) -> Value {
        switch try reader.byte() {
        case 0: return .null
        case 1: return .text(try reader.string())
        case 2: return .int(try reader.svarint())
        case 3: return .money(try reader.svarint())
        case 4:
            let n = try reader.svarint()
            guard let day = Int32(exactly: n) else { throw ModelError(.badOperation, "操作记录已损坏：日期越界") }
            return .date(Day(number: day))
        case 5: return .percent(try reader.svarint())
        case 6: return .decimal(try reader.svarint())
        case 7: return .bool(false)
        case 8: return .bool(true)
        default: throw ModelError(.badOperation, "操作记录已损坏：未知的值类型")
        }
    }

    /// The canonical bytes of the value, as hashed by the state digest.
    package var canonicalBytes: [UInt8] {
        var writer = ByteWriter()
        encode(into: &writer)
        return writer.bytes
    }
}

extension Operation.Body {
    /// Encodes the body for the `op` table's `body` column.
    package var encoded: [UInt8] {
        var w = ByteWriter()
        w.byte(tag)
        func opIDs(_ ids: [OpID]) {
            w.uvarint(UInt64(ids.count))
            for id in ids {
                w.id(id.actor.high, id.actor.low)
                w.uvarint(id.counter)
            }
        }
        switch self {
        case .create(let kind, let entity, let fields):
            w.byte(kind.rawValue)
            w.id(entity.high, entity.low)
            w.uvarint(UInt64(fields.count))
            for f in fields {
                w.uvarint(UInt64(f.field.rawValue))
                f.value.encode(into: &w)
            }
        case .set(let entity, let field, let value, let pred):
            w.id(entity.high, entity.low)
            w.uvarint(UInt64(field.rawValue))
            value.encode(into: &w)
            opIDs(pred)
        case .add(let entity, let field, let element):
            w.id(entity.high, entity.low)
            w.uvarint(UInt64(field.rawValue))
            w.string(element)
        case .remove(let entity, let field, let element, let observed):
            w.id(entity.high, entity.low)
            w.uvarint(UInt64(field.rawValue))
            w.string(element)
            opIDs(observed)
        }
        return w.bytes
    }

    /// Decodes what ``encoded`` wrote.
    package init(encoded bytes: [UInt8]) throws(ModelError) {
        var r = ByteReader(bytes)
        func entity() throws(ModelError) -> EntityID { EntityID(bytes: try r.raw(16))! }
        func field() throws(ModelError) -> FieldID {
            let v = try r.uvarint()
            guard let f = UInt16(exactly: v) else { throw ModelError(.badOperation, "操作记录已损坏：字段编号越界") }
            return FieldID(rawValue: f)
        }
        func opIDs() throws(ModelError) -> [OpID] {
            let n = try r.uvarint()
            guard n <= 100_000 else { throw ModelError(.badOperation, "操作记录已损坏：列表过长") }
            var ids: [OpID] = []
            for _ in 0..<n {
                let actor = ActorID(bytes: try r.raw(16))!
                ids.append(OpID(actor: actor, counter: try r.uvarint()))
            }
            return ids
        }
        switch try r.byte() {
        case 1:
            let kind = EntityKind(rawValue: try r.byte())
            let e = try entity()
            let n = try r.uvarint()
            guard n <= 10_000 else { throw ModelError(.badOperation, "操作记录已损坏：字段过多") }
            var fields: [FieldAssignment] = []
            for _ in 0..<n {
                let f = try field()
                fields.append(FieldAssignment(f, try Value.decode(from: &r)))
            }
            self = .create(kind: kind, entity: e, fields: fields)
        case 2:
            let e = try entity()
            let f = try field()
            let v = try Value.decode(from: &r)
            self = .set(entity: e, field: f, value: v, pred: try opIDs())
        case 3:
            let e = try entity()
            let f = try field()
            self = .add(entity: e, field: f, element: try r.string())
        case 4:
            let e = try entity()
            let f = try field()
            let element = try r.string()
            self = .remove(entity: e, field: f, element: element, observed: try opIDs())
        default:
            throw ModelError(.badOperation, "操作记录已损坏：未知的操作类型")
        }
        guard r.isAtEnd else { throw ModelError(.badOperation, "操作记录已损坏：多余的字节") }
    }
}
