// OpBatch+Decoding.swift: reading a columnar batch back into operations, checking every index (SPEC §8.6, §8.7).
import FieldbookModel
import NIOCore

extension OpBatch {
    private struct Author {
        var actor: ActorID
        /// The actor's index in the actors table (kept, so that no op hashes its actor to find it).
        var slot: Int
        var principal: String
        var schema: UInt16
    }

    /// Reads a run-length column one value at a time (SPEC `[W-8.6.7]`).
    private struct RunReader {
        var reader: PayloadReader
        var left: UInt64 = 0
        var value: UInt64 = 0
        let name: String

        mutating func next(_ op: Int) throws(WireError) -> UInt64 {
            if self.left == 0 {
                let length = try self.reader.uvarint("\(self.name) run length")
                guard length >= 1 else { throw WireError(.badBatch, "\(self.name) column has a run of length 0") }
                self.value = try self.reader.uvarint("\(self.name) run value")
                self.left = length
            }
            self.left -= 1
            return self.value
        }

        func finish() throws(WireError) {
            guard self.left == 0 else { throw WireError(.badBatch, "\(self.name) column runs past the last op") }
            try self.reader.expectEnd("\(self.name) column")
        }
    }

    /// Reads a batch (SPEC §8.6), rejecting any index past its table and any structural error.
    ///
    /// - Parameters:
    ///   - r: A reader holding exactly the batch.
    ///   - version: The session's protocol version, which fixes the entities table's layout (SPEC §8.6).
    /// - Returns: The operations, in batch order.
    /// - Throws: ``WireError``: `.tooManyOps`, `.listTooLong`, `.badIndex`, `.badBatch`, `.badValue`, `.badBody`,
    ///   `.truncated`, `.trailingBytes` or a primitive's error.
    static func decode(_ r: inout PayloadReader, version: UInt8) throws(WireError) -> [Operation] {
        let opCount = try r.count("op count", limit: WireLimits.maxOpsPerBatch, code: .tooManyOps)

        // Strings.
        r.heading("strings table")
        let stringCount = try r.count("strings", limit: WireLimits.maxTableEntries)
        var strings: [String] = []
        var stringBytes: [[UInt8]] = []
        strings.reserveCapacity(stringCount)
        var seenStrings = Set<[UInt8]>()
        for i in 0..<stringCount {
            let s = try r.string("s\(i)", maxLength: WireLimits.maxStringLength)
            let bytes = Array(s.utf8)
            guard seenStrings.insert(bytes).inserted else { throw WireError(.badBatch, "strings table repeats an entry") }
            strings.append(s)
            stringBytes.append(bytes)
        }

        // Actors.
        r.heading("actors table")
        let actorCount = try r.count("actors", limit: WireLimits.maxTableEntries)
        var actors: [ActorID] = []
        actors.reserveCapacity(actorCount)
        var seenActors = Set<ActorID>()
        for i in 0..<actorCount {
            let a = ActorID(bytes: try r.fixed(16, "a\(i) actor"))!
            guard seenActors.insert(a).inserted else { throw WireError(.badBatch, "actors table repeats an entry") }
            actors.append(a)
        }

        // Authors.
        // The highest string index the tables reference (authors' principals, principal scopes): version 4's string
        // references in the columns count on from it ([W-8.7.8]).
        var tableStrings = -1
        r.heading("authors table")
        let authorCount = try r.count("authors", limit: WireLimits.maxTableEntries)
        var authors: [Author] = []
        authors.reserveCapacity(authorCount)
        var seenAuthors = Set<[UInt64]>()
        for i in 0..<authorCount {
            let a = try r.uvarint("w\(i) actor idx")
            guard a < UInt64(actors.count) else { throw WireError(.badIndex, "author's actor index is past the actors table") }
            let p = try r.uvarint("w\(i) principal idx")
            guard p < UInt64(strings.count) else { throw WireError(.badIndex, "author's principal index is past the strings table") }
            guard stringBytes[Int(p)].count <= WireLimits.maxPrincipalLength else {
                throw WireError(.stringTooLong, "author's principal is longer than \(WireLimits.maxPrincipalLength) bytes")
            }
            let schema = try r.uint16("w\(i) schema")
            guard seenAuthors.insert([a, p, UInt64(schema)]).inserted else {
                throw WireError(.badBatch, "authors table repeats an entry")
            }
            authors.append(Author(actor: actors[Int(a)], slot: Int(a), principal: strings[Int(p)], schema: schema))
            tableStrings = max(tableStrings, Int(p))
        }

        // Entities: full ones strictly ascending, the 48-bit prefix delta-coded; then (version 3) derived ones.
        let entities = try EntityTable.read(&r, actors: actors, version: version)

        // Scopes.
        r.heading("scopes table")
        let scopeCount = try r.count("scopes", limit: WireLimits.maxTableEntries)
        var scopes: [Scope] = []
        scopes.reserveCapacity(scopeCount)
        var seenScopes = Set<[UInt64]>()
        for i in 0..<scopeCount {
            let tag = try r.u8("k\(i) scope tag")
            let scope: Scope
            let key: [UInt64]
            switch tag {
            case 0:
                scope = .global
                key = [0]
            case 1:
                let e = try r.uvarint("k\(i) customer entity idx")
                guard e < UInt64(entities.count) else { throw WireError(.badIndex, "scope's entity index is past the entities table") }
                scope = .customer(entities[Int(e)])
                key = [1, e]
            case 2:
                let s = try r.uvarint("k\(i) principal string idx")
                guard s < UInt64(strings.count) else { throw WireError(.badIndex, "scope's string index is past the strings table") }
                guard stringBytes[Int(s)].count <= WireLimits.maxPrincipalLength, !stringBytes[Int(s)].isEmpty else {
                    throw WireError(.badBatch, "principal scope code is empty or longer than \(WireLimits.maxPrincipalLength) bytes")
                }
                scope = .principal(strings[Int(s)])
                tableStrings = max(tableStrings, Int(s))
                key = [2, s]
            default:
                throw WireError(.badBatch, "scope tag is not 0, 1 or 2")
            }
            guard seenScopes.insert(key).inserted else { throw WireError(.badBatch, "scopes table repeats an entry") }
            scopes.append(scope)
        }

        // Columns.
        var columns: [PayloadReader] = []
        for name in columnNames {
            let length = try r.count("\(name) column length", limit: r.remaining, code: .truncated)
            r.heading("\(name) column")
            columns.append(try r.sub(length, "\(name) column"))
        }
        try r.expectEnd("batch")

        var authorRuns = RunReader(reader: columns[Column.author.rawValue], name: "author")
        var counterRuns = RunReader(reader: columns[Column.counter.rawValue], name: "counter")
        var lastCounter = [UInt64](repeating: 0, count: actors.count)
        var previousClock: UInt64 = 0
        var previousLogical: UInt16 = 0
        // Version 4: the clock column opens with its mode ([W-8.7.7]): bit 0, whole seconds; bit 1, unsigned deltas.
        var clockUnit: UInt64 = 1
        var clockRises = false
        var everyClockWholeSeconds = true
        var everyClockRises = true
        if version >= 4 && opCount > 0 {
            let mode = try columns[Column.hlc.rawValue].u8("hlc mode (bit 0 seconds, bit 1 never down)")
            guard mode <= 3 else { throw WireError(.badBatch, "clock mode has bits other than 0 and 1 set") }
            clockUnit = mode & 1 == 1 ? 1_000 : 1
            clockRises = mode & 2 == 2
        }

        // The label is built only for a trace or an error: built eagerly it was 13 % of decoding.
        func index(_ column: Column, _ label: @autoclosure () -> String, _ count: Int, _ table: String)
            throws(WireError) -> Int
        {
            let v = try columns[column.rawValue].uvarint(label())
            guard v < UInt64(count) else { throw WireError(.badIndex, "\(OpBatch.columnNames[column.rawValue]) index is past the \(table) table") }
            return Int(v)
        }
        // Version 3: 0 names the entity derived from the op itself, k the entities table's entry k − 1 ([W-8.7.6]).
        var keys: KeyRing?
        func entity(_ n: Int, actor: Int, counter: UInt64) throws(WireError) -> EntityID {
            guard version >= 3 else { return entities[try index(.entity, "op\(n) entity idx", entities.count, "entities")] }
            let v = try columns[Column.entity.rawValue].uvarint("op\(n) entity (0 = named by this op, else idx + 1)")
            guard v <= UInt64(entities.count) else { throw WireError(.badIndex, "entity index is past the entities table") }
            if v > 0, !entities[Int(v - 1)].isDerived { return entities[Int(v - 1)] }
            guard counter < EntityID.derivedCounterLimit else {
                if v == 0 { throw WireError(.badBatch, "an entity named by an op whose counter is past 2^62 - 1") }
                return entities[Int(v - 1)]
            }
            if keys == nil { keys = KeyRing(actors) }
            let own = keys!.key(actor).entity(counter: counter)
            if v == 0 { return own }
            guard entities[Int(v - 1)] != own else {
                throw WireError(.badBatch, "an entity named by its op is written as an index, not as 0")
            }
            return entities[Int(v - 1)]
        }
        // Version 4: 0 names the string after the highest one referenced so far (by the tables, then by the value and
        // element columns in op order), k the table's entry k − 1, which must not be that one ([W-8.7.8]).
        var highestString = tableStrings
        func string(_ column: Column, _ label: @autoclosure () -> String) throws(WireError) -> String {
            guard version >= 4 else { return strings[try index(column, label(), strings.count, "strings")] }
            let v = try columns[column.rawValue].uvarint(label())
            let i: Int
            if v == 0 {
                i = highestString + 1
                guard i < strings.count else { throw WireError(.badIndex, "a string reference of 0 is past the strings table") }
            } else {
                guard v <= UInt64(strings.count) else { throw WireError(.badIndex, "\(OpBatch.columnNames[column.rawValue]) index is past the strings table") }
                i = Int(v - 1)
                guard i != highestString + 1 else { throw WireError(.badBatch, "the next string is written as an index, not as 0") }
            }
            highestString = max(highestString, i)
            return strings[i]
        }
        func field(_ n: Int) throws(WireError) -> FieldID {
            FieldID(rawValue: try columns[Column.field.rawValue].uint16("op\(n) field"))
        }
        func value(_ n: Int) throws(WireError) -> Value {
            let tag = try columns[Column.value.rawValue].u8("op\(n) value tag")
            switch tag {
            case 0: return .null
            case 1: return .text(try string(.value, "op\(n) text (v4: 0 = next string, else idx + 1)"))
            case 2: return .int(try columns[Column.value.rawValue].svarint("op\(n) int"))
            case 3: return .money(try columns[Column.value.rawValue].svarint("op\(n) money (fen)"))
            case 4:
                let d = try columns[Column.value.rawValue].svarint("op\(n) date (day)")
                guard let day = Int32(exactly: d) else { throw WireError(.badValue, "date is past the 32-bit day range") }
                return .date(Day(number: day))
            case 5: return .percent(try columns[Column.value.rawValue].svarint("op\(n) percent (bp)"))
            case 6: return .decimal(try columns[Column.value.rawValue].svarint("op\(n) decimal (x10^4)"))
            case 7: return .bool(false)
            case 8: return .bool(true)
            default: throw WireError(.badValue, "value tag is not 0 to 8")
            }
        }
        func refs(_ n: Int, counter: UInt64, _ what: String) throws(WireError) -> [OpID] {
            let count = try columns[Column.refs.rawValue].count("op\(n) \(what) count", limit: WireLimits.maxListEntries)
            var ids: [OpID] = []
            ids.reserveCapacity(count)
            for j in 0..<count {
                let a = try index(.refs, "op\(n) \(what)[\(j)] actor idx", actors.count, "actors")
                let d = try columns[Column.refs.rawValue].svarint("op\(n) \(what)[\(j)] counter delta")
                let c = counter &- UInt64(bitPattern: d)
                guard c != 0 else { throw WireError(.badBatch, "\(what) names counter 0") }
                ids.append(OpID(actor: actors[a], counter: c))
            }
            return ids
        }

        var operations: [Operation] = []
        operations.reserveCapacity(opCount)
        for n in 0..<opCount {
            let au = try authorRuns.next(n)
            guard au < UInt64(authors.count) else { throw WireError(.badIndex, "author index is past the authors table") }
            let author = authors[Int(au)]
            let a = author.slot
            let delta = try counterRuns.next(n)
            let counter = lastCounter[a] &+ UInt64(bitPattern: ZigZag.decode(delta)) &+ 1
            guard counter != 0 else { throw WireError(.badBatch, "op counter is 0") }
            lastCounter[a] = counter

            let h = try columns[Column.hlc.rawValue].uvarint("op\(n) hlc dt*2+l")
            let clockDelta = clockRises ? h >> 1 : UInt64(bitPattern: ZigZag.decode(h >> 1))
            if clockRises {
                // An unsigned delta so large that the sum wraps would make a falling clock look rising.
                guard clockDelta <= 0xFFFF_FFFF_FFFF else { throw WireError(.badBatch, "op clock is outside 48-bit milliseconds") }
            } else if Int64(bitPattern: clockDelta) < 0 {
                everyClockRises = false
            }
            let units = previousClock &+ clockDelta
            // In seconds, the bound is checked before multiplying, so that a huge value cannot wrap into range.
            guard units <= 0xFFFF_FFFF_FFFF / clockUnit else { throw WireError(.badBatch, "op clock is outside 48-bit milliseconds") }
            previousClock = units
            let ms = units * clockUnit
            if ms % 1_000 != 0 { everyClockWholeSeconds = false }
            var logical: UInt16 = 0
            if h & 1 == 1 {
                if version >= 4 && clockDelta == 0 {
                    // Version 4, the same clock value as the previous op: the logical part's difference ([W-8.7.7]).
                    let d = try columns[Column.hlc.rawValue].svarint("op\(n) hlc logical Δ")
                    let (sum, overflow) = Int64(previousLogical).addingReportingOverflow(d)
                    guard !overflow, sum >= 1, sum <= Int64(UInt16.max) else {
                        throw WireError(.badBatch, "op clock's logical part is not within 1 to 65535")
                    }
                    logical = UInt16(sum)
                } else {
                    logical = try columns[Column.hlc.rawValue].uint16("op\(n) hlc logical")
                    guard logical != 0 else { throw WireError(.badBatch, "op clock marks a logical part of 0") }
                }
            }
            previousLogical = logical
            // Version 3 writes 0 for "the customer this op acts on" and the table index plus 1 otherwise ([W-8.7.6]).
            let scopeValue: Int
            if version >= 3 {
                let v = try columns[Column.scope.rawValue].uvarint("op\(n) scope (0 = own customer, else idx + 1)")
                guard v <= UInt64(scopes.count) else { throw WireError(.badIndex, "scope index is past the scopes table") }
                scopeValue = Int(v) - 1
            } else {
                scopeValue = try index(.scope, "op\(n) scope idx", scopes.count, "scopes")
            }
            let tag = try columns[Column.body.rawValue].u8("op\(n) body tag")
            let body: Operation.Body
            switch tag {
            case 1:
                let kind = EntityKind(rawValue: try columns[Column.body.rawValue].u8("op\(n) kind"))
                let entity = try entity(n, actor: a, counter: counter)
                let count = try columns[Column.field.rawValue].count("op\(n) field count", limit: WireLimits.maxListEntries)
                var ids: [FieldID] = []
                ids.reserveCapacity(count)
                for _ in 0..<count { ids.append(try field(n)) }
                var fields: [FieldAssignment] = []
                fields.reserveCapacity(count)
                for f in ids { fields.append(FieldAssignment(f, try value(n))) }
                body = .create(kind: kind, entity: entity, fields: fields)
            case 2:
                let entity = try entity(n, actor: a, counter: counter)
                let f = try field(n)
                let v = try value(n)
                body = .set(entity: entity, field: f, value: v, pred: try refs(n, counter: counter, "pred"))
            case 3:
                let entity = try entity(n, actor: a, counter: counter)
                let f = try field(n)
                let e = try string(.element, "op\(n) element (v4: 0 = next string, else idx + 1)")
                body = .add(entity: entity, field: f, element: e)
            case 4:
                let entity = try entity(n, actor: a, counter: counter)
                let f = try field(n)
                let e = try string(.element, "op\(n) element (v4: 0 = next string, else idx + 1)")
                body = .remove(entity: entity, field: f, element: e, observed: try refs(n, counter: counter, "observed"))
            default:
                throw WireError(.badBody, "op body tag is not 1 to 4")
            }
            let scope: Scope
            if scopeValue < 0 {
                scope = .customer(body.entity)
            } else {
                scope = scopes[scopeValue]
                guard version < 3 || scope != .customer(body.entity) else {
                    throw WireError(.badBatch, "an op's own customer scope is written as an index, not as 0")
                }
            }
            operations.append(
                Operation(
                    id: OpID(actor: author.actor, counter: counter),
                    hlc: HLC(milliseconds: ms, logical: logical),
                    scope: scope, principal: author.principal, schemaVersion: author.schema, body: body))
        }
        if version >= 4 && opCount > 0 {
            // Canonical form: each mode bit is set exactly when it applies.
            guard clockUnit == 1_000 || !everyClockWholeSeconds else {
                throw WireError(.badBatch, "clock column is in milliseconds though every reading is a whole second")
            }
            guard clockRises || !everyClockRises else {
                throw WireError(.badBatch, "clock column is signed though no reading goes down")
            }
        }
        try authorRuns.finish()
        try counterRuns.finish()
        for c in 2..<columnCount {
            try columns[c].expectEnd("\(columnNames[c]) column")
        }
        return operations
    }
}
