import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore

/// What devices and the admin change.
extension SimulatedWorld {
    /// A device's edit on its own book, offline: a new customer, a field, a tag, or a contact. With a customer, the
    /// edit is on that customer (never a new one).
    func randomEdit(_ device: SimulatedDevice, on target: EntityID? = nil) throws {
        let dice: UInt64
        let customer: EntityID
        if let target {
            dice = 20 + random.next() % 80
            customer = target
        } else {
            let customers = try device.book.find(includeArchived: true)
            dice = random.next() % 100
            if customers.isEmpty || dice < 20 {
                let tier = pick(Tier.allCases.map(\.rawValue))
                try author(device) { tx in
                    let id = try tx.create(
                        .customer, scope: nil,
                        fields: [
                            FieldAssignment(Schema.F.name, .text(pick(CustomerNames.all))), FieldAssignment(Schema.F.tier, .text(tier)),
                        ])
                    log("  new customer \(id.short)")
                }
                return
            }
            customer = pick(customers).id
        }
        log("  on customer \(customer.short)\(target == nil ? "" : " (offline, during the churn)")")
        try author(device) { tx in
            switch dice {
            case 20..<60:
                _ = try tx.set(customer, pick([Schema.F.phone, Schema.F.note]), .text(pick(["13800138000", "13900139000", "退休", "爱喝茶"])))
            case 60..<80:
                _ = try tx.add(customer, Schema.F.tags, pick(["VIP", "沙龙", "待激活"]))
            case 80..<90:
                _ = try tx.remove(customer, Schema.F.tags, pick(["VIP", "沙龙", "待激活"]))
            default:
                _ = try tx.create(
                    .contact, scope: .customer(customer),
                    fields: [FieldAssignment(Schema.F.channel, ContactChannel.call.value), FieldAssignment(Schema.F.text, .text("电话回访"))])
            }
        }
    }

    /// Writes on a device's book and records the IDs of the ops it appended.
    private func author(_ device: SimulatedDevice, _ change: (BookTransaction) throws -> Void) throws {
        let appended = try device.book.write { tx in
            try change(tx)
            return tx.appended.map(\.id)
        }
        device.authored += appended
        statistics.opsAuthored += appended.count
        log("  \(device.label) authored \(appended.map(\.description).joined(separator: " "))")
    }

    /// One coverage change by the admin on a random customer: a reassignment, a co-coverage or its end.
    func randomCoverageChange() throws {
        let all = try central.book.find(includeArchived: true)
        guard !all.isEmpty else { return }
        statistics.coverageChanges += 1
        let customer = pick(all).id.text
        switch random.next() % 3 {
        case 0:
            let principal = pick(["M001", "M002"])
            log("  assign \(customer.prefix(6)) to \(principal)")
            try central.assign(customer, to: principal)
        case 1:
            log("  cocover \(customer.prefix(6)) with W001")
            try central.cocover(customer, with: "W001")
        default:
            log("  uncover \(customer.prefix(6)) with W001")
            try? central.uncover(customer, with: "W001")
        }
    }

    /// Two to five coverage changes in a row on one customer, while a device that holds it edits it offline before,
    /// between and after them (it learns of none until it syncs).
    func coverageChurn() throws {
        let all = try central.book.find(includeArchived: true)
        guard !all.isEmpty else { return }
        statistics.coverageChurns += 1
        let customer = pick(all).id
        let holders = try devices.filter { try $0.book.snapshot(of: customer) != nil }
        let offline = holders.isEmpty ? nil : pick(holders)
        for _ in 0..<(2 + random.next() % 4) {
            if let offline, chance(50) { try randomEdit(offline, on: customer) }
            switch random.next() % 4 {
            case 0, 1:
                let principal = pick(["M001", "M002"])
                log("  assign \(customer.short) to \(principal)")
                try central.assign(customer.text, to: principal)
            case 2:
                log("  cocover \(customer.short) with W001")
                try central.cocover(customer.text, with: "W001")
            default:
                log("  uncover \(customer.short) with W001")
                try? central.uncover(customer.text, with: "W001")
            }
        }
        if let offline { try randomEdit(offline, on: customer) }
    }
}
