/// An in-memory replica: the reference implementation of the merge rules, and what property tests exercise.
///
/// The SQLite book (`FieldbookStore.Book`) implements the same rules over tables, and tests check that both reach
/// the same ``StateDigest`` for the same ops. Applying is idempotent and order-independent:
///
/// ```swift
/// var a = Replica(), b = Replica()
/// for op in history { a.apply(op) }
/// for op in history.shuffled() { b.apply(op); b.apply(op) }
/// a.stateHash() == b.stateHash()   // true
/// ```
public struct Replica: Sendable {
    /// What the replica knows of one entity.
    public struct Entity: Sendable, Hashable {
        /// The kind, once the create op has arrived.
        public var kind: EntityKind?
        /// The scope of the create op (or of the first op seen, until the create arrives).
        public var scope: Scope
        /// Scalar fields (a small table sorted by field: an entity has a handful).
        public var registers = FieldTable<MVRegister>()
        /// Set fields.
        public var sets = FieldTable<AddWinsSet>()

        /// Whether the create op has arrived: only created entities are visible.
        public var isCreated: Bool { kind != nil }
    }

    /// Every op applied, in the order applied.
    public private(set) var log: [Operation] = []
    /// Which ops are applied: counters per actor, so that "seen?" costs no hashing of the op's ID (`log` holds the
    /// ops themselves).
    public private(set) var held = HeldCounters()
    /// Every entity touched, by ID.
    public private(set) var entities: [EntityID: Entity] = [:]

    /// Every op applied, by ID: made from ``log`` on each call (for tests and tools; ``apply(_:)`` does not keep it).
    public var ops: [OpID: Operation] {
        Dictionary(log.lazy.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// An empty replica.
    public init() {}

    /// Applies one op. Returns `false`, changing nothing, if the op was already applied.
    @discardableResult
    public mutating func apply(_ op: Operation) -> Bool {
        guard held.insert(op.id) else { return false }
        log.append(op)
        // Mutated in place: a copy taken out of the dictionary would copy its registers on the first write.
        Self.apply(op, to: &entities[op.body.entity, default: Entity(kind: nil, scope: op.scope)])
        return true
    }

    private static func apply(_ op: Operation, to entity: inout Entity) {
        switch op.body {
        case .create(let kind, _, let fields):
            entity.kind = kind
            entity.scope = op.scope
            for f in fields {
                entity.registers[f.field, default: MVRegister()].apply(id: op.id, hlc: op.hlc, value: f.value, pred: [])
            }
        case .set(_, let field, let value, let pred):
            entity.registers[field, default: MVRegister()].apply(id: op.id, hlc: op.hlc, value: value, pred: pred)
        case .add(_, let field, let element):
            entity.sets[field, default: AddWinsSet()].add(element, id: op.id)
        case .remove(_, let field, let element, let observed):
            entity.sets[field, default: AddWinsSet()].remove(element, observed: observed)
        }
    }

    /// Applies every op of another replica (merge).
    public mutating func merge(_ other: Replica) {
        for op in other.log.sorted(by: { $0.id < $1.id }) { apply(op) }
    }

    /// The facts of the visible state, grouped by scope key (see ``StateDigest``).
    public func facts() -> [String: [[UInt8]]] {
        var byScope: [String: [[UInt8]]] = [:]
        for (id, entity) in entities {
            guard let kind = entity.kind else { continue }
            var facts: [[UInt8]] = [StateDigest.entityFact(id, kind: kind)]
            for (field, register) in entity.registers {
                for entry in register.entries {
                    facts.append(StateDigest.valueFact(id, field: field, id: entry.id, value: entry.value))
                }
            }
            for (field, set) in entity.sets {
                for element in set.elements {
                    facts.append(StateDigest.elementFact(id, field: field, element: element))
                }
            }
            byScope[entity.scope.key, default: []].append(contentsOf: facts)
        }
        // Every op held, in the scope it was written in, for the scopes with visible state.
        for op in log where byScope[op.scope.key] != nil {
            byScope[op.scope.key]!.append(StateDigest.opFact(op.id))
        }
        return byScope
    }

    /// The digest of one scope's visible state, computed from all its facts (the SQLite book keeps it incrementally;
    /// tests compare the two).
    public func stateHash(scope: Scope) -> [UInt8] {
        StateDigest.scopeHash(scope.key, facts()[scope.key] ?? [])
    }

    /// The digest of the whole visible state.
    public func stateHash() -> [UInt8] {
        StateDigest.overall(facts().map { StateDigest.scopeSum($0.key, $0.value) })
    }

    /// The highest contiguous counter held of each actor: "what I have of actor A".
    public func versionVector() -> [ActorID: UInt64] { held.versionVector }
}
