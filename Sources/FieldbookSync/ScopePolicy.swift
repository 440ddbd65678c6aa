import FieldbookModel
import FieldbookWire

/// What the central node knows, from its own records, to judge a pushed op (``ScopePolicy``).
///
/// Every answer comes from what the centre stored, never from what the op declares. The SQLite store implements it
/// inside the push transaction; tests implement it in memory.
public protocol AuthorityRecords {
    /// The kind and scope of an entity the centre holds (its create was stored), or `nil`.
    func entity(_ id: EntityID) throws -> (kind: EntityKind, scope: Scope)?
    /// Whether the device's principal covers the customer now (owner or co-coverer).
    func covers(_ customer: EntityID) throws -> Bool
    /// Whether the customer was in a scope the device was given and has not yet been shown to have left: the
    /// device may still hold it and may have written to it before learning of a reassignment (SPEC [W-10.7]).
    func deviceMayHold(_ customer: EntityID) throws -> Bool
}

/// Who may write what: the central node's pure authority rules (protocol/SPEC.md §10, SECURITY.md).
///
/// The customer an op touches is derived from the entity (a customer's own entity, or the customer a child entity was
/// created under), never taken from the op; the declared scope must match it. A `create` names a new entity, and an
/// entity named by its creating op (version 8) only by that op (``FieldbookModel/EntityID/isValidCreation(by:)``); no op
/// changes an entity's kind or parent; admin fields are refused from devices; global ops are limited to the product
/// catalogue; values keep the rules of ``Operation/valueProblem``; an op clocked more than ``clockBound`` ahead of the
/// centre is refused.
///
/// ```swift
/// if let refusal = try ScopePolicy.refusal(of: op, from: account, now: serverTime, records: records) { … }
/// ```
public enum ScopePolicy {
    /// How far ahead of the centre's clock an op's clock may be: 10 minutes (SPEC [W-10.8]).
    public static let clockBound: UInt64 = HLC.aheadBound

    /// The kinds that live under a customer, and so are created in that customer's scope.
    ///
    /// A `worklog` entry here is a call-plan entry about that customer: it lives and is purged with the customer
    /// (issue 15), while journal text stays in the principal's scope.
    public static let customerChildKinds: Set<EntityKind> = [.family, .purchase, .contact, .task, .complaint, .movement, .worklog]
    /// The kinds that live in a principal's own scope.
    public static let principalKinds: Set<EntityKind> = [.worklog, .task]
    /// The kinds the global scope may hold (SPEC [W-10.5]).
    public static let globalKinds: Set<EntityKind> = [.product]

    /// Why a pushed op may not be stored, or `nil` when it may.
    ///
    /// - Parameters:
    ///   - op: The pushed op (its actor was checked against the device's already).
    ///   - account: The authenticated device.
    ///   - now: The centre's clock.
    ///   - records: The centre's records, read inside the push transaction.
    public static func refusal(
        of op: Op, from account: DeviceAccount, now: HLC, records: some AuthorityRecords
    ) throws -> Refusal? {
        if op.principal != account.principal { return Refusal(.foreignAuthor, op: op) }
        if let problem = op.structuralProblem { return Refusal(.malformed(problem), op: op) }
        if op.hlc.milliseconds > now.milliseconds + clockBound { return Refusal(.clockAhead, op: op) }
        if let problem = op.valueProblem { return Refusal(.invalidValue(problem), op: op) }
        switch op.body {
        case .create(let kind, let entity, let fields):
            // Anyone can compute another actor's next derived ID: only its own op may create it (SPEC [W-10.9]).
            if !entity.isValidCreation(by: op.id) { return Refusal(.notDerivedFromOp, op: op) }
            if try records.entity(entity) != nil { return Refusal(.notNew, op: op) }
            for assignment in fields where Schema.field(assignment.field)?.writer == .admin {
                // A device may create a customer it then owns; nothing else about coverage.
                let ownOwner = kind == .customer && assignment.field == Schema.F.owner && assignment.value == .text(account.principal)
                if !ownOwner { return Refusal(.adminField(assignment.field), op: op) }
            }
            return try placement(of: kind, in: op.scope, creating: entity, op: op, account: account, records: records)
        case .set(let entity, let field, _, _), .add(let entity, let field, _), .remove(let entity, let field, _, _):
            guard let record = try records.entity(entity) else { return Refusal(.unknownEntity, op: op) }
            guard record.scope == op.scope else { return Refusal(.scopeMismatch, op: op) }
            guard let spec = Schema.field(field), spec.kinds.contains(record.kind) else {
                return Refusal(.fieldNotOfKind(field), op: op)
            }
            if spec.writer == .admin { return Refusal(.adminField(field), op: op) }
            return try reach(record.scope, op: op, account: account, records: records)
        }
    }

    /// Whether an entity of `kind` may be created in `scope`.
    private static func placement(
        of kind: EntityKind, in scope: Scope, creating entity: EntityID, op: Op, account: DeviceAccount,
        records: some AuthorityRecords
    ) throws -> Refusal? {
        switch scope {
        case .customer(let customer):
            if kind == .customer { return customer == entity ? nil : Refusal(.scopeMismatch, op: op) }
            guard customerChildKinds.contains(kind) else { return Refusal(.wrongScopeForKind, op: op) }
            guard let parent = try records.entity(customer), parent.kind == .customer, parent.scope == scope else {
                return Refusal(.unknownEntity, op: op)
            }
            return try reach(scope, op: op, account: account, records: records)
        case .principal:
            guard principalKinds.contains(kind) else { return Refusal(.wrongScopeForKind, op: op) }
            return try reach(scope, op: op, account: account, records: records)
        case .global:
            return globalKinds.contains(kind) ? nil : Refusal(.wrongScopeForKind, op: op)
        }
    }

    /// Whether the device may write in a scope the centre's records place the op in.
    private static func reach(
        _ scope: Scope, op: Op, account: DeviceAccount, records: some AuthorityRecords
    ) throws -> Refusal? {
        switch scope {
        case .global:
            return nil
        case .principal(let code):
            return code == account.principal ? nil : Refusal(.outOfScope, op: op)
        case .customer(let customer):
            if try records.covers(customer) || records.deviceMayHold(customer) { return nil }
            return Refusal(.outOfScope, op: op)
        }
    }
}
