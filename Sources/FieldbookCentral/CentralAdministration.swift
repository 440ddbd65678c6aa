import FieldbookModel
import FieldbookSync
import FieldbookWire

/// The administration part of the centre's storage seam: what `fieldbook admin` does, whatever the store.
///
/// Every method is one transaction. Changes of coverage check the branch's rules and record the acting
/// ``Administrator`` as the principal of the ops the centre writes, so `history` on every book names them.
public protocol CentralAdministration: Sendable {
    /// Adds a principal.
    func addPrincipal(_ code: String, name: String, role: PrincipalRole) async throws
    /// Enrols a new device for a principal and returns its token (shown once, not kept in clear).
    func addDevice(for principal: String, address: String) async throws -> EnrolmentToken
    /// Revokes a device by its ID or a unique prefix of its hex form; returns the full ID.
    func revokeDevice(_ reference: String) async throws -> DeviceID
    /// Deactivates a principal: revokes every device, no new tokens.
    func deactivate(_ code: String, by admin: Administrator) async throws -> (devices: Int, owned: Int, wasActive: Bool)
    /// Changes a customer's owner.
    func assign(_ customer: String, to principal: String, by admin: Administrator) async throws -> AdminOutcome
    /// Moves every customer of one owner to another (or lists them, `dryRun`).
    func assignAll(from: String, to: String, by admin: Administrator, dryRun: Bool) async throws -> [CentralCustomer]
    /// Adds a co-coverer.
    func cocover(_ customer: String, with principal: String, by admin: Administrator) async throws -> AdminOutcome
    /// Ends a co-coverage.
    func uncover(_ customer: String, with principal: String, by admin: Administrator) async throws -> AdminOutcome
    /// Checks that an administrator may act.
    func checkAdministrator(_ admin: Administrator) async throws
    /// Customers of the master file matching a text (name, phone, note, short ID; and the name's pinyin).
    func findCustomers(_ text: String) async throws -> [CentralCustomer]
    /// Customers by owner, co-coverer and tier (all optional, combined).
    func customers(owner: String?, cocoverer: String?, tier: String?) async throws -> [CentralCustomer]
    /// Principals, devices and counts.
    func status() async throws -> CentralStatus
    /// What a device sent and when, and its refusals (field names, never values).
    func deviceLog(_ reference: String, limit: Int?) async throws -> DeviceLog
    /// The integrity of the store.
    func check() async throws -> IntegrityReport
    /// Records how `serve` runs (TLS fingerprint or plain) and the address devices reach.
    func recordTransport(_ record: TransportRecord, address: String?) async throws
    /// How `serve` last ran, and the address it recorded.
    func recordedTransport() async throws -> (record: TransportRecord, address: String?)
    /// The centre's day (its clock), for reports' defaults.
    func today() async throws -> Day
}

/// The reports part of the centre's storage seam (`fieldbook admin report`).
public protocol CentralReports: Sendable {
    /// Sales per principal in a window, co-covered sales counted for both.
    func salesReport(from: Day, to: Day) async throws -> SalesReport
    /// Customers contacted through more than one channel or by more than one principal within `days`.
    func overlapReport(days: Int, today: Day?) async throws -> OverlapReport
    /// Per principal: customers covered, overdue contacts.
    func coverageReport(today: Day?) async throws -> CoverageReport
}

/// The whole seam: sync, administration and reports. `FieldbookCentralSQLite` implements it on SQLite.
public typealias CentralStore = CentralSyncStore & CentralAdministration & CentralReports
