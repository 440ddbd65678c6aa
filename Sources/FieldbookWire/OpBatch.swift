// OpBatch.swift: the columnar encoding of a list of operations (protocol/SPEC.md §8.6, §8.7).
import FieldbookModel
import NIOCore

/// The columnar batch inside OPS (SPEC §8.6).
///
/// ```
/// ┌──────────────────┐
/// │ op count uvarint │                                                         [W-8.6.1]
/// ├──────────────────┤
/// │ strings table    │ count, then count × string            (UTF-8, deduplicated by bytes)
/// │ actors table     │ count, then count × 16 bytes
/// │ authors table    │ count, then count × (actor idx, principal string idx, schema)
/// │ entities table   │ count, then count × (prefix Δ uvarint, 10 bytes), strictly ascending;
/// │                  │ version 3: then count × (actor idx, counter Δ) of IDs named by their creating op
/// │ scopes table     │ count, then count × (tag u8 [, idx])
/// ├──────────────────┤
/// │ 10 columns       │ each: length uvarint | bytes
/// │  1 author   (RLE)│  2 counter (RLE)  3 hlc  4 scope  5 body  6 entity
/// │                  │  version 3: entity 0 = derived(op), else idx + 1; scope 0 = .customer(entity), else idx + 1
/// │                  │  version 4: hlc opens with its mode (bit 0 whole seconds, bit 1 never down: deltas unsigned);
/// │                  │  a text value or element 0 = the string after the highest referenced so far, else idx + 1
/// │  7 field         │  8 value          9 refs 10 element
/// └──────────────────┘
/// ```
enum OpBatch {
    /// The number of columns in version 1.
    static let columnCount = 10
    /// Column names, for the dump.
    static let columnNames = [
        "author", "counter", "hlc", "scope", "body", "entity", "field", "value", "refs", "element",
    ]

    enum Column: Int {
        case author = 0, counter, hlc, scope, body, entity, field, value, refs, element
    }

    // MARK: Encoding

    /// Interns values in first-seen order.
    private struct Table<Key: Hashable> {
        var index: [Key: Int] = [:]
        var items: [Key] = []

        mutating func intern(_ key: Key) -> Int {
            if let i = self.index[key] { return i }
            self.index[key] = self.items.count
            self.items.append(key)
            return self.items.count - 1
        }
    }

    /// A scope whose references are already table indices.
    private enum ScopeKey: Hashable {
        case global
        case customer(EntityID)
        case principal([UInt8])
    }

    private struct AuthorKey: Hashable {
        var actor: Int
        var principal: Int
        var schema: UInt16
    }

    /// Writes the batch for a list of operations.
    ///
    /// Tables list entries in the order the ops first use them, except entities, which are sorted; so the
    /// encoding of a list is canonical (SPEC `[W-8.6.6]`).
    ///
    /// - Parameters:
    ///   - operations: At most ``WireLimits/maxOpsPerBatch`` operations.
    ///   - version: The session's protocol version: from 3 on, IDs named by their creating op are written as
    ///     (actor, counter) (``EntityTable``).
    ///   - buffer: Where to write.
    /// - Returns: Where each part of the batch (each table, each column) starts, as offsets from the buffer's writer
    ///   index on entry: the compressor ends a deflate block there (``Zlib/deflate(_:blocks:)``).
    /// - Throws: ``WireError`` when a list or string is over its limit.
    @discardableResult
    static func encode(_ operations: [Operation], version: UInt8, into buffer: inout ByteBuffer) throws(WireError) -> [Int] {
        guard operations.count <= WireLimits.maxOpsPerBatch else {
            throw WireError(.tooManyOps, "batch has more than \(WireLimits.maxOpsPerBatch) operations")
        }
        // Strings are keyed by their UTF-8 bytes: Swift's String equality is canonical equivalence, which
        // would merge two different byte sequences (NFC and NFD) into one entry.
        var strings = Table<[UInt8]>()
        var actors = Table<ActorID>()
        var authors = Table<AuthorKey>()
        var scopes = Table<ScopeKey>()
        var entitySet = Set<EntityID>()

        func text(_ s: String, max: Int, _ what: String) throws(WireError) -> Int {
            let bytes = Array(s.utf8)
            guard bytes.count <= max else { throw WireError(.stringTooLong, "\(what) is longer than \(max) bytes") }
            return strings.intern(bytes)
        }
        func list(_ count: Int, _ what: String) throws(WireError) {
            guard count <= WireLimits.maxListEntries else {
                throw WireError(.listTooLong, "\(what) has more than \(WireLimits.maxListEntries) entries")
            }
        }

        // Pass 1: the tables. From version 3 an op's entity named by the op itself, and a customer scope that is the
        // op's own entity, are written as 0 in their columns and take no table entry (SPEC [W-8.7.6]).
        var authorOf: [Int] = []
        var scopeOf: [Int] = []
        var namedByOp: [Bool] = []
        var keys: [ActorID: EntityID.DerivationKey] = [:]
        authorOf.reserveCapacity(operations.count)
        scopeOf.reserveCapacity(operations.count)
        namedByOp.reserveCapacity(operations.count)
        for op in operations {
            var own = false
            if version >= 3, op.body.entity.isDerived, op.id.counter != 0, op.id.counter < EntityID.derivedCounterLimit {
                let key = keys[op.id.actor] ?? EntityID.DerivationKey(actor: op.id.actor)
                keys[op.id.actor] = key
                own = key.entity(counter: op.id.counter) == op.body.entity
            }
            namedByOp.append(own)
            let actor = actors.intern(op.id.actor)
            let principal = try text(op.principal, max: WireLimits.maxPrincipalLength, "op principal")
            authorOf.append(authors.intern(AuthorKey(actor: actor, principal: principal, schema: op.schemaVersion)))
            switch op.scope {
            case .global: scopeOf.append(scopes.intern(.global))
            case .customer(let id) where version >= 3 && id == op.body.entity:
                // A customer's own op: the scope column says so with 0, and the table needs no entry (SPEC [W-8.7.6]).
                scopeOf.append(-1)
            case .customer(let id):
                entitySet.insert(id)
                scopeOf.append(scopes.intern(.customer(id)))
            case .principal(let code):
                _ = try text(code, max: WireLimits.maxPrincipalLength, "principal scope")
                scopeOf.append(scopes.intern(.principal(Array(code.utf8))))
            }
            if !own { entitySet.insert(op.body.entity) }
            switch op.body {
            case .create(_, _, let fields):
                try list(fields.count, "create fields")
                for f in fields { if case .text(let s) = f.value { _ = try text(s, max: WireLimits.maxStringLength, "text value") } }
            case .set(_, _, let value, let pred):
                try list(pred.count, "pred")
                if case .text(let s) = value { _ = try text(s, max: WireLimits.maxStringLength, "text value") }
                for id in pred { _ = actors.intern(id.actor) }
            case .add(_, _, let element):
                _ = try text(element, max: WireLimits.maxStringLength, "set element")
            case .remove(_, _, let element, let observed):
                try list(observed.count, "observed")
                _ = try text(element, max: WireLimits.maxStringLength, "set element")
                for id in observed { _ = actors.intern(id.actor) }
            }
        }
        guard strings.items.count <= WireLimits.maxTableEntries, actors.items.count <= WireLimits.maxTableEntries,
            entitySet.count <= WireLimits.maxTableEntries
        else { throw WireError(.listTooLong, "batch table has more than \(WireLimits.maxTableEntries) entries") }

        // Tables.
        let origin = buffer.writerIndex
        var parts: [Int] = []
        buffer.writeUVarint(UInt64(operations.count))
        buffer.writeUVarint(UInt64(strings.items.count))
        for s in strings.items { buffer.writeLengthPrefixed(s) }
        parts.append(buffer.writerIndex - origin)
        buffer.writeUVarint(UInt64(actors.items.count))
        for a in actors.items { buffer.writeBytes(a.bytes) }
        buffer.writeUVarint(UInt64(authors.items.count))
        for a in authors.items {
            buffer.writeUVarint(UInt64(a.actor))
            buffer.writeUVarint(UInt64(a.principal))
            buffer.writeUVarint(UInt64(a.schema))
        }
        let entities = EntityTable(entitySet, actors: actors.items, version: version)
        let entityIndex = entities.index
        parts.append(buffer.writerIndex - origin)
        entities.write(into: &buffer, version: version)
        parts.append(buffer.writerIndex - origin)
        buffer.writeUVarint(UInt64(scopes.items.count))
        for s in scopes.items {
            switch s {
            case .global: buffer.writeInteger(UInt8(0))
            case .customer(let id):
                buffer.writeInteger(UInt8(1))
                buffer.writeUVarint(UInt64(entityIndex[id]!))
            case .principal(let code):
                buffer.writeInteger(UInt8(2))
                buffer.writeUVarint(UInt64(strings.index[code]!))
            }
        }

        // Pass 2: the columns.
        var columns = [ByteBuffer](repeating: ByteBuffer(), count: columnCount)
        var authorRuns = RunWriter()
        var counterRuns = RunWriter()
        var lastCounter: [Int: UInt64] = [:]
        var previousClock: UInt64 = 0
        var previousLogical: UInt16 = 0
        // Version 4 opens the clock column with its mode ([W-8.7.7]): bit 0, the readings are in whole seconds; bit 1,
        // they never go down, so each delta is written unsigned. Each bit is set exactly when it applies, so the
        // encoding stays canonical. (A day's push from one device is both; a pull interleaves devices.)
        var wholeSeconds = version >= 4
        var clockRises = version >= 4
        if version >= 4 && !operations.isEmpty {
            var previous: UInt64 = 0
            for op in operations {
                let ms = op.hlc.milliseconds
                if ms % 1_000 != 0 { wholeSeconds = false }
                if ms < previous { clockRises = false }
                previous = ms
            }
            columns[Column.hlc.rawValue].writeInteger(UInt8((wholeSeconds ? 1 : 0) | (clockRises ? 2 : 0)))
        }
        let clockUnit: UInt64 = wholeSeconds ? 1_000 : 1
        // Version 4 writes a reference to the string after the highest one referenced so far (by the tables' principals,
        // then by the value and element columns in op order) as 0, and any other as its index plus 1 ([W-8.7.8]): the
        // strings table is in first-use order, so most first uses are 0.
        var highestString = authors.items.map(\.principal).max() ?? -1
        for case .principal(let code) in scopes.items { highestString = max(highestString, strings.index[code]!) }
        func stringReference(_ bytes: [UInt8]) -> UInt64 {
            let index = strings.index[bytes]!
            guard version >= 4 else { return UInt64(index) }
            defer { highestString = max(highestString, index) }
            return index == highestString + 1 ? 0 : UInt64(index + 1)
        }
        func writeValue(_ value: Value) {
            columns[Column.value.rawValue].writeInteger(value.tag)
            switch value {
            case .null, .bool: break
            case .text(let s): columns[Column.value.rawValue].writeUVarint(stringReference(Array(s.utf8)))
            case .int(let v), .money(let v), .percent(let v), .decimal(let v):
                columns[Column.value.rawValue].writeSVarint(v)
            case .date(let d): columns[Column.value.rawValue].writeSVarint(Int64(d.number))
            }
        }
        func writeRefs(_ ids: [OpID], counter: UInt64) {
            columns[Column.refs.rawValue].writeUVarint(UInt64(ids.count))
            for id in ids {
                columns[Column.refs.rawValue].writeUVarint(UInt64(actors.index[id.actor]!))
                columns[Column.refs.rawValue].writeSVarint(Int64(bitPattern: counter &- id.counter))
            }
        }
        for (n, op) in operations.enumerated() {
            authorRuns.append(UInt64(authorOf[n]))
            let actor = actors.index[op.id.actor]!
            let delta = op.id.counter &- (lastCounter[actor] ?? 0) &- 1
            counterRuns.append(ZigZag.encode(Int64(bitPattern: delta)))
            lastCounter[actor] = op.id.counter
            let clock = op.hlc.milliseconds / clockUnit
            let clockDelta = clockRises ? clock - previousClock : ZigZag.encode(Int64(bitPattern: clock &- previousClock))
            previousClock = clock
            let logical = op.hlc.logical
            columns[Column.hlc.rawValue].writeUVarint(clockDelta << 1 | (logical == 0 ? 0 : 1))
            if logical != 0 {
                // Version 4: within one clock value, the logical part as its difference from the previous op's, so
                // that a run of ops in one second (an import, a first push) costs a byte each ([W-8.7.7]).
                if version >= 4 && clockDelta == 0 {
                    columns[Column.hlc.rawValue].writeSVarint(Int64(logical) - Int64(previousLogical))
                } else {
                    columns[Column.hlc.rawValue].writeUVarint(UInt64(logical))
                }
            }
            previousLogical = logical
            columns[Column.scope.rawValue].writeUVarint(UInt64(version >= 3 ? scopeOf[n] + 1 : scopeOf[n]))
            columns[Column.body.rawValue].writeInteger(op.body.tag)
            if version >= 3 {
                columns[Column.entity.rawValue].writeUVarint(namedByOp[n] ? 0 : UInt64(entityIndex[op.body.entity]! + 1))
            } else {
                columns[Column.entity.rawValue].writeUVarint(UInt64(entityIndex[op.body.entity]!))
            }
            switch op.body {
            case .create(let kind, _, let fields):
                columns[Column.body.rawValue].writeInteger(kind.rawValue)
                columns[Column.field.rawValue].writeUVarint(UInt64(fields.count))
                for f in fields { columns[Column.field.rawValue].writeUVarint(UInt64(f.field.rawValue)) }
                for f in fields { writeValue(f.value) }
            case .set(_, let field, let value, let pred):
                columns[Column.field.rawValue].writeUVarint(UInt64(field.rawValue))
                writeValue(value)
                writeRefs(pred, counter: op.id.counter)
            case .add(_, let field, let element):
                columns[Column.field.rawValue].writeUVarint(UInt64(field.rawValue))
                columns[Column.element.rawValue].writeUVarint(stringReference(Array(element.utf8)))
            case .remove(_, let field, let element, let observed):
                columns[Column.field.rawValue].writeUVarint(UInt64(field.rawValue))
                columns[Column.element.rawValue].writeUVarint(stringReference(Array(element.utf8)))
                writeRefs(observed, counter: op.id.counter)
            }
        }
        authorRuns.finish(into: &columns[Column.author.rawValue])
        counterRuns.finish(into: &columns[Column.counter.rawValue])
        for var column in columns {
            parts.append(buffer.writerIndex - origin)
            buffer.writeUVarint(UInt64(column.readableBytes))
            buffer.writeBuffer(&column)
        }
        return parts
    }

    /// Collects a run-length column: pairs of `run length ≥ 1, value` (SPEC `[W-8.6.7]`).
    private struct RunWriter {
        var current: UInt64 = 0
        var length: UInt64 = 0
        var out = ByteBuffer()

        mutating func append(_ value: UInt64) {
            if self.length > 0 && value == self.current {
                self.length += 1
                return
            }
            self.flush()
            self.current = value
            self.length = 1
        }

        private mutating func flush() {
            guard self.length > 0 else { return }
            self.out.writeUVarint(self.length)
            self.out.writeUVarint(self.current)
        }

        mutating func finish(into buffer: inout ByteBuffer) {
            self.flush()
            self.length = 0
            buffer.writeBuffer(&self.out)
        }
    }
}
