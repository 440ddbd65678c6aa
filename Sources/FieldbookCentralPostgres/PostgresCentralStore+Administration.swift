import FieldbookCentral
import FieldbookModel
import FieldbookSync
import FieldbookWire
import Foundation
import PostgresNIO

/// The administration half of the seam on PostgreSQL: what `fieldbook admin --db postgres://…` does. The rules and
/// their messages are ``AdministrationRules`` (FieldbookCentral), which the SQLite store applies too; this file reads
/// what they decide from and writes what they allow.
///
/// Every method is one transaction. Changes take row locks in a fixed order, so that administrators working on
/// several servers at once cannot interleave badly: a principal's row (`FOR UPDATE` to deactivate it, `FOR SHARE` to
/// enrol a device for it), then its devices. Coverage changes go through ``PostgresCentralWriter``, the centre's own
/// write path. Messages never carry customer data: a customer is named by its short ID.
extension PostgresCentralStore: CentralAdministration {
    public func addPrincipal(_ code: String, name: String, role: PrincipalRole) async throws {
        try AdministrationRules.checkNewCode(code)
        let now = Int64(Self.nowMilliseconds())
        try await administer(.readCommitted) { connection, logger in
            // ON CONFLICT: two administrators adding one code at once both get an answer, one of them "已存在".
            let rows = try await connection.query(
                """
                INSERT INTO principal (code, name, role, created) VALUES (\(code), \(name), \(role.rawValue), \(now))
                ON CONFLICT (code) DO NOTHING RETURNING code
                """, logger: logger)
            var inserted = false
            for try await _ in rows.decode(String.self) { inserted = true }
            guard inserted else { throw CentralError("员工 \(code) 已存在") }
        }
    }

    public func addDevice(for principal: String, address: String) async throws -> EnrolmentToken {
        var generator = SystemRandomNumberGenerator()
        let device = DeviceID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })!
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let sealed = try seal.seal(secret)
        let now = Int64(Self.nowMilliseconds())
        try await administer(.readCommitted) { connection, logger in
            // FOR SHARE: a deactivation of the same principal waits for this enrolment, then revokes it too.
            try AdministrationRules.checkEnrolment(
                for: principal,
                record: await Self.principalRecord(principal, lock: "FOR SHARE", connection: connection, logger: logger))
            try await connection.query(
                "INSERT INTO device (id, principal, secret, created) VALUES (\(Data(device.bytes)), \(principal), \(sealed), \(now))",
                logger: logger)
        }
        return EnrolmentToken(address: address, device: device, secret: secret, principal: principal)
    }

    public func revokeDevice(_ reference: String) async throws -> DeviceID {
        try await administer(.readCommitted) { connection, logger in
            let device = try await Self.resolveDevice(reference, connection: connection, logger: logger)
            // The secret goes with the enrolment: nothing the centre keeps can authenticate the device again.
            try await connection.query(
                "UPDATE device SET revoked = true, secret = '\\x'::bytea WHERE id = \(Data(device.bytes))", logger: logger)
            return device
        }
    }

    public func deactivate(_ code: String, by admin: Administrator) async throws -> (devices: Int, owned: Int, wasActive: Bool) {
        let now = Int64(Self.nowMilliseconds())
        return try await administer(.readCommitted) { connection, logger in
            try await Self.check(admin, connection: connection, logger: logger)
            // FOR UPDATE first: an enrolment for this principal running now finishes before the devices are revoked
            // (and is revoked with them), or starts after and sees the principal deactivated.
            let record = try AdministrationRules.checkDeactivation(
                of: code, record: await Self.principalRecord(code, lock: "FOR UPDATE", connection: connection, logger: logger),
                by: admin)
            var owned = 0
            for try await count in try await connection.query(
                "SELECT count(*) FROM coverage WHERE owner = \(code)", logger: logger
            ).decode(Int64.self) {
                owned = Int(count)
            }
            var devices = 0
            for try await _ in try await connection.query(
                """
                UPDATE device SET revoked = true, secret = '\\x'::bytea WHERE principal = \(code) AND NOT revoked RETURNING id
                """, logger: logger
            ).decode(Data.self) {
                devices += 1
            }
            if !record.deactivated {
                try await connection.query("UPDATE principal SET deactivated = \(now) WHERE code = \(code)", logger: logger)
            }
            return (devices, owned, !record.deactivated)
        }
    }

    public func assign(_ customer: String, to principal: String, by admin: Administrator) async throws -> AdminOutcome {
        try await adminChange(customer, by: admin) { writer, id, connection, logger in
            try AdministrationRules.checkOwner(
                principal, record: await Self.principalRecord(principal, connection: connection, logger: logger))
            return try await writer.set(id, Schema.F.owner, .text(principal)) != nil
        }
    }

    public func assignAll(from: String, to: String, by admin: Administrator, dryRun: Bool) async throws -> [CentralCustomer] {
        try AdministrationRules.checkMove(from: from, to: to)
        return try await administer(.readCommitted) { connection, logger in
            try await Self.check(admin, connection: connection, logger: logger)
            try AdministrationRules.requireRegistered(
                from, record: await Self.principalRecord(from, connection: connection, logger: logger))
            try AdministrationRules.checkOwner(to, record: await Self.principalRecord(to, connection: connection, logger: logger))
            // The centre's own counter first (the first lock of every writer of its ops), then what it moves.
            var writer = try await PostgresCentralWriter.start(author: admin.code, connection: connection, logger: logger)
            let moved = try await PostgresMasterFile.customers(owner: from, cocoverer: nil, tier: nil, connection: connection, logger: logger)
            if dryRun || moved.isEmpty { return moved }
            var after: [CentralCustomer] = []
            for customer in moved {
                try await writer.set(customer.id, Schema.F.owner, .text(to))
                var customer = customer
                customer.owner = to
                after.append(customer)
            }
            try await writer.finish()
            return after
        }
    }

    public func cocover(_ customer: String, with principal: String, by admin: Administrator) async throws -> AdminOutcome {
        try await adminChange(customer, by: admin) { writer, id, connection, logger in
            try AdministrationRules.checkCocoverer(
                principal, record: await Self.principalRecord(principal, connection: connection, logger: logger))
            try AdministrationRules.checkCocoverable(
                id, tier: await PostgresMasterFile.customer(id, connection: connection, logger: logger)?.tier)
            return try await writer.add(id, Schema.F.cocoverers, principal) != nil
        }
    }

    public func uncover(_ customer: String, with principal: String, by admin: Administrator) async throws -> AdminOutcome {
        try await adminChange(customer, by: admin) { writer, id, _, _ in
            guard try await writer.remove(id, Schema.F.cocoverers, principal) != nil else {
                throw AdministrationRules.notCocovering(principal, customer: id)
            }
            return true
        }
    }

    public func checkAdministrator(_ admin: Administrator) async throws {
        try await administer(.readCommitted, readOnly: true) { connection, logger in
            try await Self.check(admin, connection: connection, logger: logger)
        }
    }

    public func findCustomers(_ text: String) async throws -> [CentralCustomer] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw CentralError("要查找的内容不能为空") }
        return try await administer(.repeatableRead, readOnly: true) { connection, logger in
            try await PostgresMasterFile.find(trimmed, connection: connection, logger: logger)
        }
    }

    public func customers(owner: String?, cocoverer: String?, tier: String?) async throws -> [CentralCustomer] {
        try await administer(.repeatableRead, readOnly: true) { connection, logger in
            for code in [owner, cocoverer].compactMap({ $0 }) {
                try AdministrationRules.requireRegistered(
                    code, record: await Self.principalRecord(code, connection: connection, logger: logger))
            }
            return try await PostgresMasterFile.customers(
                owner: owner, cocoverer: cocoverer, tier: tier, connection: connection, logger: logger)
        }
    }

    public func status() async throws -> CentralStatus {
        try await administer(.repeatableRead, readOnly: true) { connection, logger in
            var principals: [CentralStatus.Principal] = []
            for try await (code, name, role, deactivated) in try await connection.query(
                "SELECT code, name, role, deactivated FROM principal ORDER BY code", logger: logger
            ).decode((String, String, String, Int64?).self) {
                principals.append(CentralStatus.Principal(code: code, name: name, role: role, deactivated: deactivated != nil))
            }
            var devices: [CentralStatus.Device] = []
            for try await (id, principal, revoked, lastSync, enrolled) in try await connection.query(
                "SELECT id, principal, revoked, last_sync, actor IS NOT NULL FROM device ORDER BY principal, created",
                logger: logger
            ).decode((Data, String, Bool, Int64?, Bool).self) {
                guard let device = DeviceID(bytes: Array(id)) else { continue }
                devices.append(
                    CentralStatus.Device(
                        id: device.hex, principal: principal, revoked: revoked, lastSync: lastSync.map { UInt64($0) },
                        enrolled: enrolled))
            }
            var counts: (customers: Int64, ops: Int64, head: Int64) = (0, 0, 0)
            for try await row in try await connection.query(
                """
                SELECT (SELECT count(*) FROM entity WHERE kind = \(Int16(EntityKind.customer.rawValue))),
                    (SELECT count(*) FROM op), (SELECT lsn FROM lsn_head)
                """, logger: logger
            ).decode((Int64, Int64, Int64).self) {
                counts = row
            }
            return CentralStatus(
                principals: principals, devices: devices, customers: Int(counts.customers), ops: Int(counts.ops),
                lastLSN: UInt64(max(counts.head, 0)))
        }
    }

    public func recordTransport(_ record: TransportRecord, address: String?) async throws {
        var settings: [(String, String)] = []
        switch record {
        case .unknown: break
        case .plain: settings.append((TransportKey.transport, "plain"))
        case .tls(let fingerprint):
            settings += [(TransportKey.transport, "tls"), (TransportKey.fingerprint, fingerprint)]
        }
        if let address { settings.append((TransportKey.address, address)) }
        guard !settings.isEmpty else { return }
        try await administer(.readCommitted) { connection, logger in
            _ = try await connection.query(
                """
                INSERT INTO setting (key, value) SELECT * FROM unnest(\(settings.map(\.0)), \(settings.map(\.1)))
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, logger: logger)
        }
    }

    public func recordedTransport() async throws -> (record: TransportRecord, address: String?) {
        let settings = try await administer(.readCommitted, readOnly: true) { connection, logger in
            var settings: [String: String] = [:]
            for try await (key, value) in try await connection.query(
                """
                SELECT key, value FROM setting
                WHERE key IN (\(TransportKey.transport), \(TransportKey.fingerprint), \(TransportKey.address))
                """, logger: logger
            ).decode((String, String).self) {
                settings[key] = value
            }
            return settings
        }
        let record: TransportRecord
        switch settings[TransportKey.transport] {
        case "plain": record = .plain
        case "tls": record = settings[TransportKey.fingerprint].map { .tls(fingerprint: $0) } ?? .unknown
        default: record = .unknown
        }
        return (record, settings[TransportKey.address])
    }

    public func today() async throws -> Day {
        Day(milliseconds: Self.nowMilliseconds(), offsetSeconds: Self.utcOffsetSeconds)
    }

    // MARK: - Transactions and errors

    /// The centre's time zone, for days: the server's, as the SQLite store's `BookOptions.system` takes it. Every
    /// server of one centre should run in the same one.
    static var utcOffsetSeconds: Int { TimeZone.current.secondsFromGMT() }

    /// The `setting` keys of ``TransportRecord`` and of the address devices reach (as the SQLite store's meta keys).
    enum TransportKey {
        /// `tls` or `plain`.
        static let transport = "transport"
        /// The hex SHA-256 of the certificate `serve` presents.
        static let fingerprint = "tls_fingerprint"
        /// The HOST:PORT `serve` last listened on, as devices should reach it.
        static let address = "address"
    }

    /// One administrative transaction: a database failure becomes a ``PostgresStoreError`` in words (its SQLSTATE,
    /// never a row's values); the rules' own ``CentralError``s pass unchanged.
    func administer<T: Sendable>(
        _ isolation: Isolation, readOnly: Bool = false, _ body: (PostgresConnection, Logger) async throws -> T
    ) async throws -> T {
        let logger = self.logger
        do {
            return try await transaction(isolation, readOnly: readOnly) { connection in try await body(connection, logger) }
        } catch let error as PSQLError {
            throw PostgresStoreError("中心数据库操作失败：\(PostgresStoreError.words(for: error))")
        }
    }

    /// One coverage change on one customer, with its rules, in one transaction; its op carries `admin` as principal.
    private func adminChange(
        _ reference: String, by admin: Administrator,
        _ change: (inout PostgresCentralWriter, EntityID, PostgresConnection, Logger) async throws -> Bool
    ) async throws -> AdminOutcome {
        try await administer(.readCommitted) { connection, logger in
            try await Self.check(admin, connection: connection, logger: logger)
            // The centre's counter first: every writer of the centre's ops takes turns here, so what is read below
            // (the owner and co-coverers, which nobody else writes) cannot change before the op is stored.
            var writer = try await PostgresCentralWriter.start(author: admin.code, connection: connection, logger: logger)
            let id = try await PostgresMasterFile.resolve(reference, connection: connection, logger: logger)
            guard var customer = try await PostgresMasterFile.customer(id, connection: connection, logger: logger) else {
                throw CentralError("找不到这个客户")
            }
            let before = customer.owner
            let changed = try await change(&writer, id, connection, logger)
            // The customer as it stands after the change, without reading again after the op is stored (the LSN head
            // is held from there to COMMIT): only the centre writes these two fields.
            for op in writer.appended {
                switch op.body {
                case .set(_, Schema.F.owner, .text(let owner), _): customer.owner = owner
                case .add(_, Schema.F.cocoverers, let code):
                    customer.cocoverers = Array(Set(customer.cocoverers + [code])).sorted()
                case .remove(_, Schema.F.cocoverers, let code, _): customer.cocoverers.removeAll { $0 == code }
                default: break
                }
            }
            try await writer.finish()
            return AdminOutcome(customer: customer, changed: changed, previousOwner: before)
        }
    }

    // MARK: - Principals, administrators, devices

    /// A principal's record, optionally locking its row (`FOR SHARE`, `FOR UPDATE`).
    static func principalRecord(
        _ code: String, lock: String = "", connection: PostgresConnection, logger: Logger
    ) async throws -> PrincipalRecord? {
        for try await (name, role, deactivated) in try await connection.query(
            "SELECT name, role, deactivated FROM principal WHERE code = \(code) \(unescaped: lock)", logger: logger
        ).decode((String, String, Int64?).self) {
            return PrincipalRecord(code: code, name: name, role: PrincipalRole(rawValue: role), deactivated: deactivated != nil)
        }
        return nil
    }

    /// Checks who is acting (``AdministrationRules/checkAdministrator(_:record:)``).
    static func check(_ admin: Administrator, connection: PostgresConnection, logger: Logger) async throws {
        try AdministrationRules.checkAdministrator(
            admin, record: await principalRecord(admin.code, connection: connection, logger: logger))
    }

    /// The enrolled devices whose ID (or, with `actors`, whose bound actor) starts with `reference` in hex (4+
    /// characters): what `admin device revoke` and `admin device log` name a device by.
    static func devices(
        matching reference: String, actors: Bool, connection: PostgresConnection, logger: Logger
    ) async throws -> [DeviceID] {
        let prefix = reference.lowercased()
        guard prefix.count >= 4, prefix.allSatisfy(\.isHexDigit) else { throw CentralError("设备 ID 至少写 4 位十六进制") }
        var matches: [DeviceID] = []
        for try await (id, actor) in try await connection.query("SELECT id, actor FROM device", logger: logger)
            .decode((Data, Data?).self)
        {
            guard let device = DeviceID(bytes: Array(id)) else { continue }
            // `history` on a device shows the op's actor: that names the device too (device log only).
            if device.hex.hasPrefix(prefix)
                || (actors && actor.flatMap { ActorID(bytes: Array($0)) }?.hex.hasPrefix(prefix) == true)
            {
                matches.append(device)
            }
        }
        return matches
    }

    /// The one device a reference names.
    static func resolveDevice(_ reference: String, connection: PostgresConnection, logger: Logger) async throws -> DeviceID {
        let matches = try await devices(matching: reference, actors: false, connection: connection, logger: logger)
        guard matches.count == 1 else {
            throw CentralError(matches.isEmpty ? "找不到设备 \(reference)" : "设备 ID \(reference) 不唯一，请多写几位")
        }
        return matches[0]
    }
}
