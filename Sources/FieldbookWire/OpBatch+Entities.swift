// OpBatch+Entities.swift: the entities table of a batch, full IDs and (version 3) IDs named by their creating op
// (protocol/SPEC.md §8.6).
import FieldbookModel
import NIOCore

extension OpBatch {
    /// The entities table (SPEC `[W-8.6.5]`, `[W-8.6.9]`).
    ///
    /// ```
    /// full     count | count × (prefix Δ uvarint, tail 10 bytes)     strictly ascending as 16-byte numbers
    /// derived  count | count × (actor idx uvarint, counter Δ uvarint)  version 3 only; by (actor idx, counter)
    /// ```
    ///
    /// Entity indices count the full entries first, then the derived ones. In version 3 an ID is written as derived
    /// exactly when it is `EntityID.derived(actor, counter)` for an actor of the batch's actors table (the first
    /// such actor) and a counter of 1 … 2^62 − 1; every other ID is written in full. So one set of IDs has one
    /// table, and a decoder rejects a full entry that should have been derived.
    struct EntityTable {
        /// The IDs in index order: full entries, then derived ones.
        private(set) var entities: [EntityID] = []
        /// The index of each ID.
        private(set) var index: [EntityID: Int] = [:]
        /// The full entries, ascending.
        private var full: [EntityID] = []
        /// The derived entries, by (actor index, counter).
        private var derived: [(actor: Int, counter: UInt64)] = []

        /// Lays out the table for a set of IDs.
        ///
        /// - Parameters:
        ///   - ids: Every entity the batch names.
        ///   - actors: The batch's actors table, final.
        ///   - version: The protocol version: below 3, every ID is written in full.
        init(_ ids: Set<EntityID>, actors: [ActorID], version: UInt8) {
            var derivable: [(actor: Int, counter: UInt64, id: EntityID)] = []
            if version >= 3, ids.contains(where: \.isDerived) {
                let keys = KeyRing(actors)
                for id in ids where id.isDerived {
                    if let (actor, counter) = keys.origin(of: id) {
                        derivable.append((actor, counter, id))
                    } else {
                        full.append(id)
                    }
                }
                for id in ids where !id.isDerived { full.append(id) }
            } else {
                full = Array(ids)
            }
            full.sort()
            derivable.sort { ($0.actor, $0.counter) < ($1.actor, $1.counter) }
            derived = derivable.map { ($0.actor, $0.counter) }
            entities = full + derivable.map(\.id)
            index.reserveCapacity(entities.count)
            for (i, e) in entities.enumerated() { index[e] = i }
        }

        /// Appends the table.
        func write(into buffer: inout ByteBuffer, version: UInt8) {
            buffer.writeUVarint(UInt64(full.count))
            var previousPrefix: UInt64 = 0
            for e in full {
                let prefix = e.high >> 16
                buffer.writeUVarint(prefix - previousPrefix)
                previousPrefix = prefix
                buffer.writeBytes(e.bytes[6...])
            }
            guard version >= 3 else { return }
            buffer.writeUVarint(UInt64(derived.count))
            var previous: (actor: Int, counter: UInt64) = (-1, 0)
            for d in derived {
                buffer.writeUVarint(UInt64(d.actor))
                buffer.writeUVarint(d.counter - (d.actor == previous.actor ? previous.counter : 0))
                previous = d
            }
        }

        /// Reads the table.
        ///
        /// - Parameters:
        ///   - r: The batch, at the table.
        ///   - actors: The batch's actors table.
        ///   - version: The protocol version: from 3 on, the derived entries follow the full ones.
        /// - Returns: The IDs in index order.
        /// - Throws: ``WireError``: `.listTooLong`, `.badBatch` (unordered or repeated entries, a counter Δ of 0 or a
        ///   counter past 2^62 − 1, a full entry that should be derived), `.badIndex` (an actor past its table),
        ///   `.truncated`.
        static func read(_ r: inout PayloadReader, actors: [ActorID], version: UInt8) throws(WireError) -> [EntityID] {
            r.heading("entities table")
            let fullCount = try r.count("entities", limit: WireLimits.maxTableEntries)
            var entities: [EntityID] = []
            entities.reserveCapacity(fullCount)
            var prefix: UInt64 = 0
            var keys: KeyRing?
            for i in 0..<fullCount {
                let delta = try r.uvarint("e\(i) prefix delta")
                guard delta <= 0xFFFF_FFFF_FFFF - prefix else { throw WireError(.badBatch, "entity prefix is past 48 bits") }
                prefix += delta
                let tail = try r.fixed(10, "e\(i) tail")
                var low: UInt64 = 0
                for byte in tail[2...] { low = low << 8 | UInt64(byte) }
                let id = EntityID(high: prefix << 16 | UInt64(tail[0]) << 8 | UInt64(tail[1]), low: low)
                if let last = entities.last, !(last < id) {
                    throw WireError(.badBatch, "entities table is not strictly ascending")
                }
                if version >= 3, id.isDerived {
                    if keys == nil { keys = KeyRing(actors) }
                    guard keys!.origin(of: id) == nil else {
                        throw WireError(.badBatch, "full entity entry names an ID derived from an actor of the batch")
                    }
                }
                r.note(from: r.offset, "e\(i) = \(id.text)")
                entities.append(id)
            }
            guard version >= 3 else { return entities }

            r.heading("derived entities")
            let derivedCount = try r.count("derived entities", limit: WireLimits.maxTableEntries - fullCount)
            guard derivedCount > 0 else { return entities }
            entities.reserveCapacity(fullCount + derivedCount)
            if keys == nil { keys = KeyRing(actors) }
            var previous: (actor: UInt64, counter: UInt64) = (0, 0)
            for i in 0..<derivedCount {
                let n = fullCount + i
                let from = r.offset
                let actor = try r.uvarint("e\(n) actor idx")
                guard actor < UInt64(actors.count) else {
                    throw WireError(.badIndex, "derived entity's actor index is past the actors table")
                }
                guard i == 0 || actor >= previous.actor else {
                    throw WireError(.badBatch, "derived entities are not ordered by actor index")
                }
                let delta = try r.uvarint("e\(n) counter delta")
                guard delta >= 1 else { throw WireError(.badBatch, "derived entity repeats one or names counter 0") }
                let base = i > 0 && actor == previous.actor ? previous.counter : 0
                guard delta < EntityID.derivedCounterLimit - base else {
                    throw WireError(.badBatch, "derived entity's counter is past 2^62 - 1")
                }
                let counter = base + delta
                let key = keys!.key(Int(actor))
                guard keys!.first(with: key.high) == Int(actor) else {
                    throw WireError(.badBatch, "derived entity names a later actor of the same key")
                }
                let id = key.entity(counter: counter)
                r.note(from: from, "e\(n) = a\(actor) counter \(counter) → \(id.text)")
                previous = (actor, counter)
                entities.append(id)
            }
            return entities
        }
    }

    /// The derivation keys of a batch's actors, computed once each, when first needed.
    struct KeyRing {
        private let keys: [EntityID.DerivationKey]
        /// The first actor index of each key's `high`.
        private let byHigh: [UInt64: Int]

        init(_ actors: [ActorID]) {
            keys = actors.map(EntityID.DerivationKey.init(actor:))
            var byHigh: [UInt64: Int] = [:]
            for (i, key) in keys.enumerated() where byHigh[key.high] == nil { byHigh[key.high] = i }
            self.byHigh = byHigh
        }

        func key(_ actor: Int) -> EntityID.DerivationKey { keys[actor] }

        /// The first actor index whose IDs have this `high`.
        func first(with high: UInt64) -> Int? { byHigh[high] }

        /// The actor index and counter that derive `id`, if an actor of the batch does with a counter of
        /// 1 … 2^62 − 1.
        func origin(of id: EntityID) -> (Int, UInt64)? {
            guard let actor = byHigh[id.high], let counter = keys[actor].counter(of: id), counter >= 1,
                keys[actor].entity(counter: counter) == id
            else { return nil }
            return (actor, counter)
        }
    }
}
