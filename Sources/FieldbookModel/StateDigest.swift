import Crypto

/// The deterministic digest of a replica's visible state, per scope and overall (ARCHITECTURE §3, "State hash";
/// SPEC §9.10, protocol version 2).
///
/// The state of a scope is a set of *facts*, each a short byte string:
///
/// ```
/// entity   01 | entity(16) | kind(1)                                   for every created entity
/// value    02 | entity(16) | field(2, BE) | actor(16) | counter(8, BE) | value   for every current register value
/// element  03 | entity(16) | field(2, BE) | element (UTF-8)             for every element present in a set
/// op       04 | actor(16) | counter (uvarint)                          for every op held in the scope
/// ```
///
/// Entity, value and element facts count in the scope the entity lives in (its create's), and only once the entity
/// is created; an op fact counts in the op's own scope. Each fact's **digest** is SHA-256 over
/// `"fieldbook-state-v2" | 00 | uvarint(len key) | key (UTF-8) | fact`, read as a 256-bit little-endian integer.
/// A **scope's hash** is the sum of its facts' digests modulo 2^256, as 32 little-endian bytes; a scope holding no
/// created entity hashes as zero (so an empty scope and an absent one hash alike). The **overall hash** is the sum
/// of the scope hashes modulo 2^256.
///
/// Because the hash is a sum, a replica keeps it up to date fact by fact: add a digest when a fact appears (an op
/// arrives, a value is written, an element's first tag is added), subtract it when the fact disappears (a value is
/// superseded, an element's last tag removed). A sync then costs O(delta), whatever the book's size. Two replicas
/// holding the same ops compute the same digest, whatever the order they received them in; the in-memory
/// ``Replica`` computes it from all its facts, the SQLite book incrementally, and tests compare them.
///
/// This is a consistency check between honest replicas, not an authenticator: sums of hash outputs are open to
/// generalized-birthday (Wagner) attacks, so someone who chooses many facts freely can make two different sets sum
/// alike for far less than 2^128 work. Nothing trusts the hash against a peer; authenticity comes from the session's
/// HMAC and TLS (SPEC §14).
public enum StateDigest {
    /// The domain tag every fact digest begins with, so no other SHA-256 use can produce one.
    public static let domain = "fieldbook-state-v2"

    /// The fact for one op held in a scope: so that a replica missing an op whose effect is not visible (a value
    /// superseded since, a tag added and removed) still hashes differently, and DONE's check sees it (SPEC [W-9.4]).
    public static func opFact(_ id: OpID) -> [UInt8] {
        var w = ByteWriter(capacity: 27)
        writeOpFact(id, into: &w)
        return w.bytes
    }

    /// The fact for a created entity.
    public static func entityFact(_ entity: EntityID, kind: EntityKind) -> [UInt8] {
        var w = ByteWriter(capacity: 18)
        writeEntityFact(entity, kind: kind, into: &w)
        return w.bytes
    }

    /// The fact for one current register value.
    public static func valueFact(_ entity: EntityID, field: FieldID, id: OpID, value: Value) -> [UInt8] {
        valueFact(entity, field: field, id: id, encodedValue: value.canonicalBytes)
    }

    /// The fact for one current register value already in its canonical encoding (as the SQLite book stores it), so
    /// that hashing a scope need not decode and re-encode every value.
    package static func valueFact(_ entity: EntityID, field: FieldID, id: OpID, encodedValue: [UInt8]) -> [UInt8] {
        var w = ByteWriter(capacity: 43 + encodedValue.count)
        encodedValue.withUnsafeBytes { writeValueFact(entity, field: field, id: id, encodedValue: $0, into: &w) }
        return w.bytes
    }

    /// The fact for one element present in a set.
    public static func elementFact(_ entity: EntityID, field: FieldID, element: String) -> [UInt8] {
        var w = ByteWriter(capacity: 19 + element.utf8.count)
        writeElementFact(entity, field: field, element: element, into: &w)
        return w.bytes
    }

    // The layouts, written once for both sinks (an array above, SHA-256 below).

    private static func writeOpFact(_ id: OpID, into w: inout some FactSink) {
        w.byte(4)
        w.id(id.actor.high, id.actor.low)
        w.uvarint(id.counter)
    }

    private static func writeEntityFact(_ entity: EntityID, kind: EntityKind, into w: inout some FactSink) {
        w.byte(1)
        w.id(entity.high, entity.low)
        w.byte(kind.rawValue)
    }

    private static func writeValueFact(
        _ entity: EntityID, field: FieldID, id: OpID, encodedValue: UnsafeRawBufferPointer, into w: inout some FactSink
    ) {
        w.byte(2)
        w.id(entity.high, entity.low)
        w.bigEndian16(field.rawValue)
        w.id(id.actor.high, id.actor.low)
        w.bigEndian64(id.counter)
        w.raw(encodedValue)
    }

    private static func writeElementFact(
        _ entity: EntityID, field: FieldID, element: String, into w: inout some FactSink
    ) {
        w.byte(3)
        w.id(entity.high, entity.low)
        w.bigEndian16(field.rawValue)
        w.utf8(element)
    }

    /// The digest of one fact in the scope with key `scope`, as the integer a scope's hash adds up.
    public static func digest(scope: String, fact: [UInt8]) -> StateSum {
        var hasher = FactHasher(scope: scope)
        fact.withUnsafeBytes { hasher.raw($0) }
        return hasher.finalize()
    }

    // The same digests without building the fact: `digest(scope:fact:)` of the matching fact, byte for byte (the
    // store's running sums take one or two of these for every op).

    /// The digest of ``opFact(_:)`` in scope `scope`.
    package static func opDigest(_ id: OpID, scope: String) -> StateSum {
        var hasher = FactHasher(scope: scope)
        writeOpFact(id, into: &hasher)
        return hasher.finalize()
    }

    /// The digest of ``entityFact(_:kind:)`` in scope `scope`.
    package static func entityDigest(_ entity: EntityID, kind: EntityKind, scope: String) -> StateSum {
        var hasher = FactHasher(scope: scope)
        writeEntityFact(entity, kind: kind, into: &hasher)
        return hasher.finalize()
    }

    /// The digest of ``valueFact(_:field:id:encodedValue:)`` in scope `scope`, the value read in place.
    package static func valueDigest(
        _ entity: EntityID, field: FieldID, id: OpID, encodedValue: UnsafeRawBufferPointer, scope: String
    ) -> StateSum {
        var hasher = FactHasher(scope: scope)
        writeValueFact(entity, field: field, id: id, encodedValue: encodedValue, into: &hasher)
        return hasher.finalize()
    }

    /// The digest of ``valueFact(_:field:id:encodedValue:)`` in scope `scope`.
    package static func valueDigest(
        _ entity: EntityID, field: FieldID, id: OpID, encodedValue: [UInt8], scope: String
    ) -> StateSum {
        encodedValue.withUnsafeBytes { valueDigest(entity, field: field, id: id, encodedValue: $0, scope: scope) }
    }

    /// The digest of ``elementFact(_:field:element:)`` in scope `scope`.
    package static func elementDigest(_ entity: EntityID, field: FieldID, element: String, scope: String) -> StateSum {
        var hasher = FactHasher(scope: scope)
        writeElementFact(entity, field: field, element: element, into: &hasher)
        return hasher.finalize()
    }

    /// The sum of one scope's fact digests, in any order (facts are distinct: each counts once).
    public static func scopeSum(_ scope: String, _ facts: some Sequence<[UInt8]>) -> StateSum {
        facts.reduce(into: StateSum.zero) { $0 += digest(scope: scope, fact: $1) }
    }

    /// The hash of one scope's facts, in any order: ``scopeSum(_:_:)`` as 32 bytes.
    public static func scopeHash(_ scope: String, _ facts: some Sequence<[UInt8]>) -> [UInt8] {
        scopeSum(scope, facts).bytes
    }

    /// The overall hash from the sums of the scopes that hold a created entity, in any order.
    public static func overall(_ scopes: some Sequence<StateSum>) -> [UInt8] {
        scopes.reduce(into: StateSum.zero) { $0 += $1 }.bytes
    }

    /// Lowercase hex of a digest.
    public static func hex(_ digest: [UInt8]) -> String { Bytes16.hex(digest) }
}
