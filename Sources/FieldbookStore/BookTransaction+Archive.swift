import FieldbookModel

/// Hiding without deleting (issue 18): archiving customers, and changing and removing family members. Nothing
/// leaves the op log; an archived customer, or a removed family member, is a `set` of its `archived` field, which
/// every listing, the agenda and segments read.
extension BookTransaction {
    /// Archives a customer: it leaves `find`, `today` and `@` unless archived ones are asked for.
    ///
    /// - Returns: The op, or `nil` when the customer was archived already.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/unknownReference`` when it is not a customer.
    @discardableResult
    public func archive(_ customer: EntityID) throws -> Op? {
        try requireKind(customer, .customer)
        return try isArchived(customer) ? nil : set(customer, Schema.F.archived, .bool(true))
    }

    /// Brings an archived customer back.
    ///
    /// - Returns: The op, or `nil` when the customer was not archived.
    @discardableResult
    public func unarchive(_ customer: EntityID) throws -> Op? {
        try requireKind(customer, .customer)
        return try isArchived(customer) ? set(customer, Schema.F.archived, .bool(false)) : nil
    }

    /// Whether an entity's `archived` field is `true` (as the display winner).
    public func isArchived(_ entity: EntityID) throws -> Bool {
        try liveValues(entity, Schema.F.archived).first?.value.isTrue ?? false
    }

    /// Resolves a family member's short ID (4+ characters of its ID, as the card shows it); a removed member is
    /// refused.
    ///
    /// - Throws: ``StoreError`` with code ``StoreError/Code/unknownReference`` for no member or a removed one,
    ///   ``StoreError/Code/ambiguous`` for several.
    public func resolveFamilyMember(_ reference: String) throws -> EntityID {
        let id = try resolveEntity(reference, kind: .family)
        guard try !isArchived(id) else {
            throw StoreError(.unknownReference, "这位家人已经移除了（history 客户 可以看到记录）")
        }
        return id
    }

    /// Changes fields of a family member (`name`, `relation`, `birthday`, `phone`, `gender`, `note`).
    ///
    /// - Returns: The ops written (none for values it already holds).
    /// - Throws: ``StoreError`` with code ``StoreError/Code/invalid`` for a field family members do not have; then
    ///   nothing of the transaction is kept.
    @discardableResult
    public func updateFamilyMember(_ member: EntityID, _ fields: [FieldAssignment]) throws -> [Op] {
        try requireKind(member, .family)
        guard !fields.contains(where: { $0.field == Schema.F.archived }) else {
            throw StoreError(.invalid, "移除家人请用 family remove")
        }
        return try fields.compactMap { try set(member, $0.field, $0.value) }
    }

    /// Removes a family member: it leaves the card and the birthdays of the agenda; its history stays.
    ///
    /// - Returns: The op, or `nil` when it was removed already.
    @discardableResult
    public func removeFamilyMember(_ member: EntityID) throws -> Op? {
        try requireKind(member, .family)
        return try isArchived(member) ? nil : set(member, Schema.F.archived, .bool(true))
    }

    private func requireKind(_ entity: EntityID, _ kind: EntityKind) throws {
        guard try snapshot(of: entity)?.kind == kind else {
            throw StoreError(.unknownReference, "找不到这个\(kind.label)")
        }
    }
}
