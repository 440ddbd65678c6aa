import FieldbookCentral
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Foundation
import XCTest

/// A device as the sync contract tests drive it: enrolled and bound through the seam, writing ops of its own actor
/// in counter order, and keeping what it pulled in an in-memory ``Replica``.
struct ContractDevice {
    /// Who the device is, as the store knows it after authentication.
    let account: DeviceAccount
    /// The enrolment secret the token carried.
    let secret: [UInt8]
    private(set) var counter: UInt64 = 0
    private var clock = HybridClock(last: .zero)
    private var random = SystemRandomNumberGenerator()
    /// Every op this device wrote or pulled (its book).
    var replica = Replica()
    /// The cursor of its last DONE.
    var cursor: UInt64 = 0

    /// A device with an account and the secret of its token.
    init(account: DeviceAccount, secret: [UInt8]) {
        self.account = account
        self.secret = secret
    }

    /// Enrols a device for `principal` and binds it to a new actor (or `actor`).
    static func enrol(
        _ store: any CentralStore, principal: String, actor: ActorID = .random()
    ) async throws -> ContractDevice {
        let token = try await store.addDevice(for: principal, address: "127.0.0.1:7420")
        try await store.bind(token.device, actor: actor)
        return ContractDevice(
            account: DeviceAccount(device: token.device, principal: principal, actor: actor), secret: token.secret)
    }

    /// The next op of this device's actor, clocked now.
    mutating func op(_ scope: Scope, _ body: Op.Body, principal: String? = nil, ahead: UInt64 = 0) -> Op {
        counter += 1
        let now = UInt64(Date().timeIntervalSince1970 * 1000) + ahead
        let op = Op(
            id: OpID(actor: account.actor, counter: counter), hlc: clock.tick(now: now), scope: scope,
            principal: principal ?? account.principal, body: body)
        replica.apply(op)
        return op
    }

    /// A new customer owned by this device's principal.
    mutating func createCustomer(_ name: String = "王芳") -> (customer: EntityID, op: Op) {
        let id = EntityID.make(milliseconds: UInt64(Date().timeIntervalSince1970 * 1000), using: &random)
        let op = op(
            .customer(id),
            .create(
                kind: .customer, entity: id,
                fields: [FieldAssignment(Schema.F.name, .text(name)), FieldAssignment(Schema.F.owner, .text(account.principal))]))
        return (id, op)
    }

    /// A new name for a customer, superseding what this device sees.
    mutating func rename(_ customer: EntityID, _ name: String) -> Op {
        let live = replica.entities[customer]?.registers[Schema.F.name]?.live.keys.sorted() ?? []
        return op(.customer(customer), .set(entity: customer, field: Schema.F.name, value: .text(name), pred: live))
    }

    /// A tag on a customer.
    mutating func tag(_ customer: EntityID, _ element: String) -> Op {
        op(.customer(customer), .add(entity: customer, field: Schema.F.tags, element: element))
    }

    /// Pulls and applies the plan as a device would (purges drop the customer's ops from the replica); checks DONE's
    /// hash against the replica's and returns the plan.
    @discardableResult
    mutating func pull(
        _ store: any CentralSyncStore, resync: Bool = false, resume: UInt64 = 0, file: StaticString = #filePath, line: UInt = #line
    ) async throws -> PullPlan {
        let plan = try await store.pull(for: account, cursor: cursor, resync: resync, resume: resume)
        if !plan.purges.isEmpty {
            let gone = Set(plan.purges.map { Scope.customer($0.customer).key })
            var kept = Replica()
            for op in replica.ops.values where !gone.contains(op.scope.key) { kept.apply(op) }
            replica = kept
        }
        for op in plan.backfill { replica.apply(op) }
        for (_, op) in plan.delta { replica.apply(op) }
        cursor = plan.cursor
        return plan
    }
}

extension Replica {
    /// The overall hash of the scopes `keys` only, as a replica holding exactly those scopes computes it.
    func stateHash(of keys: Set<String>) -> [UInt8] {
        StateDigest.overall(facts().filter { keys.contains($0.key) }.map { StateDigest.scopeSum($0.key, $0.value) })
    }

    /// The scope keys a principal's device holds: the customers it owns (display winner of `owner`) or co-covers,
    /// its own scope, and global.
    func scopes(of principal: String) -> Set<String> {
        var keys: Set<String> = [Scope.principal(principal).key, Scope.global.key]
        for (id, entity) in entities where entity.kind == .customer {
            let owner = entity.registers[Schema.F.owner]?.winner?.value
            let cocovers = entity.sets[Schema.F.cocoverers]?.elements.contains(principal) ?? false
            if owner == .text(principal) || cocovers { keys.insert(Scope.customer(id).key) }
        }
        return keys
    }
}
