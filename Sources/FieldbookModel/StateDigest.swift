import Crypto

/// The deterministic digest of a replica's visible state, per scope and overall (ARCHITECTURE §3, "State hash").
///
/// The visible state of a scope is a set of *facts*, each a short byte string:
///
/// ```
/// entity   01 | entity(16) | kind(1)                                   for every created entity
/// value    02 | entity(16) | field(2, BE) | actor(16) | counter(8, BE) | value   for every current register value
/// element  03 | entity(16) | field(2, BE) | element (UTF-8)             for every element present in a set
/// ```
///
/// A scope's hash is SHA-256 over its facts sorted bytewise, each preceded by its length as a uvarint. The overall
/// hash is SHA-256 over the scopes sorted by key, each as `uvarint(len) | key (UTF-8) | scope hash(32)`. Scopes with
/// no facts are left out, so an empty scope and an absent one hash alike. Two replicas holding the same ops compute
/// the same digest, whatever the order they received them in; the in-memory ``Replica`` and the SQLite book feed
/// the same facts through this type, and tests compare them.
public enum StateDigest {
    /// The fact for one op held in a scope: so that a replica missing an op whose effect is not visible (a value
    /// superseded since, a tag added and removed) still hashes differently, and DONE's check sees it (SPEC [W-9.4]).
    public static func opFact(_ id: OpID) -> [UInt8] {
        var w = ByteWriter()
        w.byte(4)
        w.raw(id.actor.bytes)
        w.uvarint(id.counter)
        return w.bytes
    }

    /// The fact for a created entity.
    public static func entityFact(_ entity: EntityID, kind: EntityKind) -> [UInt8] {
        [1] + entity.bytes + [kind.rawValue]
    }

    /// The fact for one current register value.
    public static func valueFact(_ entity: EntityID, field: FieldID, id: OpID, value: Value) -> [UInt8] {
        valueFact(entity, field: field, id: id, encodedValue: value.canonicalBytes)
    }

    /// The fact for one current register value already in its canonical encoding (as the SQLite book stores it), so
    /// that hashing a scope need not decode and re-encode every value.
    package static func valueFact(_ entity: EntityID, field: FieldID, id: OpID, encodedValue: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.byte(2)
        w.raw(entity.bytes)
        w.bigEndian16(field.rawValue)
        w.raw(id.actor.bytes)
        w.bigEndian64(id.counter)
        w.raw(encodedValue)
        return w.bytes
    }

    /// The fact for one element present in a set.
    public static func elementFact(_ entity: EntityID, field: FieldID, element: String) -> [UInt8] {
        var w = ByteWriter()
        w.byte(3)
        w.raw(entity.bytes)
        w.bigEndian16(field.rawValue)
        w.raw(Array(element.utf8))
        return w.bytes
    }

    /// The hash of one scope's facts, in any order.
    public static func scopeHash(_ facts: [[UInt8]]) -> [UInt8] {
        var hasher = SHA256()
        for fact in facts.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            var w = ByteWriter()
            w.uvarint(UInt64(fact.count))
            hasher.update(data: w.bytes)
            hasher.update(data: fact)
        }
        return Array(hasher.finalize())
    }

    /// The overall hash from per-scope hashes, in any order.
    public static func overall(_ scopes: [(key: String, hash: [UInt8])]) -> [UInt8] {
        var hasher = SHA256()
        // Byte order of the keys' UTF-8, compared in place (copying them to arrays cost two allocations a comparison).
        for scope in scopes.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            var w = ByteWriter()
            w.string(scope.key)
            w.raw(scope.hash)
            hasher.update(data: w.bytes)
        }
        return Array(hasher.finalize())
    }

    /// Lowercase hex of a digest.
    public static func hex(_ digest: [UInt8]) -> String { Bytes16.hex(digest) }
}
