import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync

/// The quiet round and the invariants checked after it.
extension SimulatedWorld {
    /// One broken invariant, with what was wrong.
    typealias Violation = (invariant: SimulationInvariant, detail: String)

    /// Every device syncs without faults, twice (the second pass carries what the first pushed to the others), then
    /// every invariant is checked.
    ///
    /// - Parameter step: How many steps have run.
    /// - Returns: The first invariant broken, or `nil`.
    func quietRound(step: Int) throws -> SimulationDivergence? {
        statistics.quietRounds += 1
        var violations: [Violation] = []
        for pass in 1...2 {
            for device in devices {
                log(" quiet sync of \(device.label), pass \(pass)")
                switch try quietSync(device) {
                case .finished(let summary) where summary.verified:
                    break
                case .finished(let summary):
                    violations.append(
                        (.syncVerified,
                         "\(device.label), pass \(pass): the state hash differs from the centre's"
                            + (summary.resynced ? " even after a resync" : "")))
                case .dropped:
                    violations.append((.syncVerified, "\(device.label), pass \(pass): the centre closed the session"))
                case .failed(let error):
                    violations.append((.syncVerified, "\(device.label), pass \(pass): the sync failed: \(error)"))
                }
            }
        }
        violations += try checkReplicas(projections: step == simulation.steps)
        violations.removeAll { simulation.ignored.contains($0.invariant) }
        for violation in violations { log("BROKEN \(violation.invariant): \(violation.detail)") }
        guard let first = violations.first else { return nil }
        var others: [SimulationInvariant] = []
        for violation in violations.dropFirst() where violation.invariant != first.invariant && !others.contains(violation.invariant) {
            others.append(violation.invariant)
        }
        return SimulationDivergence(
            seed: simulation.seed, step: step, invariant: first.invariant, detail: first.detail, alsoBroken: others)
    }

    /// Checks every invariant but the syncs', in ``SimulationInvariant``'s order.
    ///
    /// - Parameter projections: Whether to rebuild each device's projections to compare (about a tenth of a seed's
    ///   time: done at the final round only).
    func checkReplicas(projections checkProjections: Bool) throws -> [Violation] {
        // The centre's view: who covers which customer, and which ops it stores in each scope.
        var covered: [String: Set<EntityID>] = [:]
        for customer in try central.book.find(includeArchived: true) {
            guard let snapshot = try central.book.snapshot(of: customer.id) else { continue }
            if let owner = snapshot.value(Schema.F.owner)?.text { covered[owner, default: []].insert(customer.id) }
            for principal in snapshot.sets[Schema.F.cocoverers] ?? [] { covered[principal, default: []].insert(customer.id) }
        }
        var stored: [String: Set<OpID>] = [:]
        var storedIDs: Set<OpID> = []
        for op in try central.book.allOps() {
            stored[op.scope.key, default: []].insert(op.id)
            storedIDs.insert(op.id)
        }

        var scope: [Violation] = []
        var hashes: [Violation] = []
        var ops: [Violation] = []
        var projections: [Violation] = []
        for device in devices {
            let expected = covered[device.principal] ?? []
            let held = Set(try device.book.find(includeArchived: true).map(\.id))
            if held != expected {
                scope.append(
                    (.exactScope,
                     "\(device.label) lacks \(list(expected.subtracting(held))) and holds \(list(held.subtracting(expected)))"
                        + " (the centre has it cover \(expected.count) customers)"))
            }
            for customer in expected.intersection(held).sorted(by: { $0.text < $1.text }) {
                if try device.book.stateHash(scope: .customer(customer)) != central.book.stateHash(scope: .customer(customer)) {
                    hashes.append((.scopeHashes, "\(device.label): customer \(customer.text) differs from the centre's"))
                }
            }
            var own: [String: Set<OpID>] = [:]
            for op in try device.book.allOps() { own[op.scope.key, default: []].insert(op.id) }
            var keys = Set(expected.map { Scope.customer($0).key })
            keys.insert(Scope.principal(device.principal).key)
            keys.insert(Scope.global.key)
            for key in keys.sorted() {
                let missing = (stored[key] ?? []).subtracting(own[key] ?? [])
                let extra = (own[key] ?? []).subtracting(stored[key] ?? [])
                if !missing.isEmpty || !extra.isEmpty {
                    ops.append(
                        (.scopeOps,
                         "\(device.label), scope \(key): lacks \(list(missing)) the centre stores, holds \(list(extra)) the centre does not"))
                }
            }
            for key in Set(own.keys).subtracting(keys).sorted() {
                ops.append((.scopeOps, "\(device.label) holds \(list(own[key]!)) of scope \(key), which it does not cover"))
            }
            let problems = checkProjections ? try device.book.verifyProjections() : []
            if !problems.isEmpty {
                projections.append((.projections, "\(device.label): \(problems.prefix(3).joined(separator: "; "))"))
            }
        }

        var converged: [Violation] = []
        var first: [String: (label: String, hash: [UInt8])] = [:]
        for device in devices {
            let hash = try device.book.stateHash()
            if let other = first[device.principal] {
                if other.hash != hash {
                    converged.append((.principalConverged, "\(device.label) and \(other.label) end with different state hashes"))
                }
            } else {
                first[device.principal] = (device.label, hash)
            }
        }

        var lost: [Violation] = []
        for device in devices {
            let missing = device.authored.filter { !storedIDs.contains($0) }
            if !missing.isEmpty {
                lost.append(
                    (.noFieldWorkLost,
                     "\(device.label) authored \(list(Set(missing))) (of \(device.authored.count)), which the centre does not store"))
            }
        }
        let inherited = inheritedWork.filter { !storedIDs.contains($0.op) }
        if let example = inherited.first {
            lost.append(
                (.noFieldWorkLost,
                 "\(inherited.count) ops the centre had received from replaced devices are not stored, e.g. \(example.op) of \(example.label)"))
        }
        return scope + hashes + ops + projections + converged + lost
    }

    /// `2 [0c1f22ab/5 by device 1 (M001), …]`: a count of ops and up to four examples with their authors.
    private func list(_ ops: Set<OpID>) -> String {
        if ops.isEmpty { return "none" }
        let shown = ops.sorted().prefix(4).map { "\($0) by \(authors[$0.actor] ?? "an unknown actor")" }
        return "\(ops.count) [\(shown.joined(separator: ", "))\(ops.count > 4 ? ", …" : "")]"
    }

    /// `2 [A, B]`: a count and up to four sorted examples.
    private func list<T: CustomStringConvertible>(_ items: Set<T>) -> String {
        if items.isEmpty { return "none" }
        let shown = items.map(\.description).sorted().prefix(4).joined(separator: ", ")
        return "\(items.count) [\(shown)\(items.count > 4 ? ", …" : "")]"
    }
}
