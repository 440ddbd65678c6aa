import FieldbookCentral
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import NIOPosix

/// The centre's storage seam on SQLite: ``CentralDatabase``'s synchronous transactions, run on a small pool of
/// threads of its own so that no Swift concurrency thread ever waits for SQLite (style.md rule 6; the server's
/// event loops and tasks stay free while a push commits).
///
/// SQLite has one writer: the pushes and pull records that wait for it are written together, one transaction per
/// group (``GroupCommitWriter``), while pulls and reports read their own WAL snapshots in parallel (``CentralDatabase``
/// opens a pool of readers).
///
/// ```swift
/// let store = try SQLiteCentralStore(CentralDatabase.open(at: path))
/// let server = SyncServer(store: store, logger: logger)
/// ```
public final class SQLiteCentralStore: CentralSyncStore {
    /// The database the work runs on.
    public let database: CentralDatabase
    private let threads: NIOThreadPool
    /// Authentication's few reads run apart, so that a device never waits behind other sessions' pushes to prove who
    /// it is: the server holds unauthenticated connections to a short deadline and a small cap.
    private let authenticationThreads: NIOThreadPool
    /// Writes the pushes and pull records waiting at the same moment in one transaction.
    private let writer: GroupCommitWriter

    /// Wraps a database.
    ///
    /// - Parameters:
    ///   - database: The central database.
    ///   - threads: How many threads run its transactions: one writes at a time, the others read. Four by default:
    ///     more only add waiting on SQLite's write lock on a small machine.
    public init(_ database: CentralDatabase, threads: Int = 4) {
        self.database = database
        self.threads = NIOThreadPool(numberOfThreads: max(threads, 1))
        self.threads.start()
        self.writer = GroupCommitWriter(database: database, threads: self.threads)
        self.authenticationThreads = NIOThreadPool(numberOfThreads: 2)
        self.authenticationThreads.start()
    }

    deinit {
        threads.shutdownGracefully { _ in }
        authenticationThreads.shutdownGracefully { _ in }
    }

    /// Runs one synchronous transaction on the store's threads.
    func run<T: Sendable>(_ work: @escaping @Sendable (CentralDatabase) throws -> T) async throws -> T {
        let database = self.database
        return try await threads.runIfActive { try work(database) }
    }

    /// Runs one of authentication's transactions on its own threads.
    func authenticate<T: Sendable>(_ work: @escaping @Sendable (CentralDatabase) throws -> T) async throws -> T {
        let database = self.database
        return try await authenticationThreads.runIfActive { try work(database) }
    }

    public func enrolment(of device: DeviceID) async throws -> DeviceEnrolment? {
        try await authenticate { try $0.enrolment(of: device) }
    }

    public func bind(_ device: DeviceID, actor: ActorID) async throws {
        try await authenticate { try $0.bind(device, actor: actor) }
    }

    public func opening(_ actor: ActorID) async throws -> (held: UInt64, time: HLC) {
        let held = try await authenticate { try $0.held(of: actor) }
        return (held, try database.now())
    }

    public func push(_ ops: [Operation], from account: DeviceAccount) async throws -> PushOutcome {
        let database = self.database
        let request = PushRequest(ops: ops, account: account)
        return try await writer.write { db in try database.store(request, db: db) }
    }

    /// How many write transactions (groups) were committed since the store was made, and how many pushes and pull
    /// records they held: more writes than groups means writes shared commits.
    public var writeGroups: (groups: Int, writes: Int) { writer.statistics }

    public func pull(for account: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64) async throws -> PullPlan {
        let planned = try await run { try $0.pullPlan(for: account, cursor: cursor, resync: resync, resume: resume) }
        let database = self.database
        try await writer.write { db in try database.recordPull(planned, db: db) }
        return planned.plan
    }
}

extension SQLiteCentralStore: CentralAdministration {
    public func addPrincipal(_ code: String, name: String, role: PrincipalRole) async throws {
        try await run { try $0.addPrincipal(code, name: name, role: role) }
    }

    public func addDevice(for principal: String, address: String) async throws -> EnrolmentToken {
        try await run { try $0.addDevice(for: principal, address: address) }
    }

    public func revokeDevice(_ reference: String) async throws -> DeviceID {
        try await run { try $0.revokeDevice(reference) }
    }

    public func deactivate(_ code: String, by admin: Administrator) async throws -> (devices: Int, owned: Int, wasActive: Bool) {
        try await run { try $0.deactivate(code, by: admin) }
    }

    public func assign(_ customer: String, to principal: String, by admin: Administrator) async throws -> AdminOutcome {
        try await run { try $0.assign(customer, to: principal, by: admin) }
    }

    public func assignAll(from: String, to: String, by admin: Administrator, dryRun: Bool) async throws -> [CentralCustomer] {
        try await run { try $0.assignAll(from: from, to: to, by: admin, dryRun: dryRun) }
    }

    public func cocover(_ customer: String, with principal: String, by admin: Administrator) async throws -> AdminOutcome {
        try await run { try $0.cocover(customer, with: principal, by: admin) }
    }

    public func uncover(_ customer: String, with principal: String, by admin: Administrator) async throws -> AdminOutcome {
        try await run { try $0.uncover(customer, with: principal, by: admin) }
    }

    public func checkAdministrator(_ admin: Administrator) async throws {
        try await run { try $0.checkAdministrator(admin) }
    }

    public func findCustomers(_ text: String) async throws -> [CentralCustomer] {
        try await run { try $0.findCustomers(text) }
    }

    public func customers(owner: String?, cocoverer: String?, tier: String?) async throws -> [CentralCustomer] {
        try await run { try $0.customers(owner: owner, cocoverer: cocoverer, tier: tier) }
    }

    public func status() async throws -> CentralStatus {
        try await run { try $0.status() }
    }

    public func deviceLog(_ reference: String, limit: Int?) async throws -> DeviceLog {
        try await run { try $0.deviceLog(reference, limit: limit) }
    }

    public func check() async throws -> IntegrityReport {
        try await run { try $0.check() }
    }

    public func recordTransport(_ record: TransportRecord, address: String?) async throws {
        try await run { database in
            try database.recordTransport(record)
            if let address { try database.recordAddress(address) }
        }
    }

    public func recordedTransport() async throws -> (record: TransportRecord, address: String?) {
        try await run { (try $0.recordedTransport(), try $0.recordedAddress()) }
    }

    public func today() async throws -> Day {
        database.book.today
    }
}

extension SQLiteCentralStore: CentralReports {
    public func salesReport(from: Day, to: Day) async throws -> SalesReport {
        try await run { try $0.salesReport(from: from, to: to) }
    }

    public func overlapReport(days: Int, today: Day?) async throws -> OverlapReport {
        try await run { try $0.overlapReport(days: days, today: today) }
    }

    public func coverageReport(today: Day?) async throws -> CoverageReport {
        try await run { try $0.coverageReport(today: today) }
    }
}
