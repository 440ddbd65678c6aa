import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookTestSupport
import FieldbookWire
import CoreFoundation
import Foundation
import Logging
import NIOCore
import Testing

/// TLS with a pinned certificate between device and central node, over real loopback sockets (SECURITY.md).
@Suite("Transport: TLS, pinning and --insecure")
struct TransportTests {
    /// [W-14.9] the fb2 layout; fb1 still reads.
    @Test("a token round-trips with and without a fingerprint; an fb1 token still reads; bad flags do not")
    func tokens() throws {
        let device = try #require(DeviceID(bytes: (0..<16).map { UInt8($0) }))
        let secret = (0..<32).map { UInt8(100 + $0) }
        let pinned = EnrolmentToken(address: "10.0.0.5:7420", device: device, secret: secret, fingerprint: [UInt8](repeating: 0xAB, count: 32))
        #expect(pinned.text.hasPrefix("fb2:"))
        #expect(EnrolmentToken(text: pinned.text) == pinned)
        #expect(EnrolmentToken(text: "  " + pinned.text + "\n") == pinned)
        let plain = EnrolmentToken(address: "[::1]:7420", device: device, secret: secret)
        #expect(EnrolmentToken(text: plain.text) == plain)
        #expect(EnrolmentToken(text: plain.text)?.fingerprint == nil)
        // The layout before issue 9: device | secret | address, prefix fb1.
        let legacyText = "fb1:" + Base32.encode(device.bytes + secret + Array("10.0.0.5:7420".utf8))
        let legacy = try #require(EnrolmentToken(text: legacyText))
        #expect(legacy.isLegacy && legacy.fingerprint == nil)
        #expect(legacy.address == "10.0.0.5:7420" && legacy.device == device && legacy.secret == secret)
        // A reserved flag bit, a truncated fingerprint, a damaged prefix: not a token.
        #expect(EnrolmentToken(text: "fb2:" + Base32.encode(device.bytes + secret + [2] + Array("h:1".utf8))) == nil)
        #expect(EnrolmentToken(text: "fb2:" + Base32.encode(device.bytes + secret + [1] + [UInt8](repeating: 1, count: 10))) == nil)
        #expect(EnrolmentToken(text: "fb3:" + pinned.text.dropFirst(4)) == nil)
        #expect(EnrolmentToken(text: String(pinned.text.prefix(60))) == nil)
    }

    @Test("a self-signed identity is made once, 0600, and reused; a damaged one is refused, not replaced")
    func identityFile() throws {
        let directory = TemporaryDirectory()
        let path = ServerIdentity.defaultPath(beside: directory.file("central.sqlite"))
        let made = try ServerIdentity.loadOrCreate(at: path)
        let again = try ServerIdentity.loadOrCreate(at: path)
        #expect(made.fingerprint == again.fingerprint && made.fingerprint.count == 32)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(try ServerIdentity.ephemeral().fingerprint != made.fingerprint)
        let damaged = directory.file("damaged.pem")
        let garbage = Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8)
        _ = FileManager.default.createFile(atPath: damaged, contents: garbage)
        #expect(throws: CentralError.self) { try ServerIdentity.loadOrCreate(at: damaged) }
        #expect(FileManager.default.contents(atPath: damaged) == garbage, "never overwritten")
        #expect(throws: CentralError.self) { try ServerIdentity.load(certificate: directory.file("none.pem"), key: path) }
        // An operator's certificate and key in separate files (serve --tls-cert/--tls-key) give the same identity.
        let text = try #require(FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) })
        let split = try #require(text.range(of: "-----BEGIN CERTIFICATE-----"))
        _ = FileManager.default.createFile(atPath: directory.file("key.pem"), contents: Data(text[..<split.lowerBound].utf8))
        _ = FileManager.default.createFile(atPath: directory.file("cert.pem"), contents: Data(text[split.lowerBound...].utf8))
        let operator_ = try ServerIdentity.load(certificate: directory.file("cert.pem"), key: directory.file("key.pem"))
        #expect(operator_.fingerprint == made.fingerprint)
        // A key that does not belong to the certificate is refused at load, not at the first handshake.
        _ = try ServerIdentity.loadOrCreate(at: directory.file("other.pem"))
        let strangerText = String(decoding: try #require(FileManager.default.contents(atPath: directory.file("other.pem"))), as: UTF8.self)
        let strangerKey = String(strangerText[..<strangerText.range(of: "-----BEGIN CERTIFICATE-----")!.lowerBound])
        _ = FileManager.default.createFile(atPath: directory.file("stranger.pem"), contents: Data(strangerKey.utf8))
        #expect(throws: CentralError.self) {
            try ServerIdentity.load(certificate: directory.file("cert.pem"), key: directory.file("stranger.pem"))
        }
    }

    /// A central node with manager M001, served on a loopback port with `transport` and `limits` while `body` runs.
    ///
    /// The default limits have a long authentication deadline: an in-process server shares the test process's
    /// threads with suites that block them while child processes run, so a handshake can take longer here than
    /// `serve`'s 10 s allow.
    static func serving(
        _ transport: SyncServer.Transport, limits: ConnectionLimits = ConnectionLimits(authDeadline: .seconds(120)),
        seed: UInt64 = 70, admission: AdmissionGate = AdmissionGate(capacity: SyncServer.defaultActiveSessions),
        keepalive: TimeAmount = .seconds(5), _ body: (CentralDatabase, Int) async throws -> Void
    ) async throws {
        let central = try CentralDatabase.inMemory(options: .fixed(milliseconds: 1_795_395_600_000, seed: seed))
        try central.addPrincipal("M001", name: "张经理", role: .manager)
        let server = SyncServer(
            store: SQLiteCentralStore(central), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            transport: transport, limits: limits, admission: admission, keepalive: keepalive)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let running = Task { try await server.run(host: "127.0.0.1", port: 0) { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        do {
            try await body(central, port)
        } catch {
            server.shutdown()
            throw error
        }
        server.shutdown()
        try await running.value
    }

    /// A new in-memory book for M001, enrolled with `token`.
    static func device(_ token: EnrolmentToken, seed: UInt64) throws -> Book {
        let book = try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_000 + seed, seed: seed))
        try SyncClient.enrol(book, token: token)
        _ = try book.write { tx in try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("王芳"))]) }
        return book
    }

    /// [W-14.7] the device pins the certificate and sends nothing to another.
    @Test("TLS pinned to the right certificate syncs; any other certificate is refused before anything is sent")
    func pinning() async throws {
        let identity = try ServerIdentity.ephemeral()
        try await Self.serving(.tls(identity)) { central, port in
            var token = try central.addDevice(for: "M001", address: "127.0.0.1:\(port)")
            token.fingerprint = identity.fingerprint
            let good = try Self.device(token, seed: 1)
            let summary = try await SyncClient(book: good, timeout: 20).sync()
            #expect(summary.opsSent == 1 && summary.verified)

            var impostor = try central.addDevice(for: "M001", address: "127.0.0.1:\(port)")
            impostor.fingerprint = try ServerIdentity.ephemeral().fingerprint
            let fooled = try Self.device(impostor, seed: 2)
            do {
                _ = try await SyncClient(book: fooled, timeout: 20).sync()
                Issue.record("a wrong fingerprint must be refused")
            } catch let error as SyncError {
                #expect(error.code == .authFailed)
                #expect(error.message.contains("指纹"), "\(error.message)")
                #expect(!error.message.contains("王芳"))
            }
            // The device never got as far as HELLO: it is not bound, and its op is not at the centre.
            #expect(try central.enrolment(of: impostor.device)?.actor == nil)
            #expect(try central.book.ops(of: fooled.actor, after: 0).isEmpty)
            #expect(try fooled.status().unsyncedOps == 1)
        }
    }

    /// [W-14.8] plain TCP only when both sides say so; a TLS server answers a plain device clearly.
    @Test("a plain device against a TLS server, and a TLS device against a plain server, fail clearly")
    func mismatchedModes() async throws {
        let identity = try ServerIdentity.ephemeral()
        try await Self.serving(.tls(identity)) { central, port in
            let plain = try Self.device(try central.addDevice(for: "M001", address: "127.0.0.1:\(port)"), seed: 3)
            do {
                _ = try await SyncClient(book: plain, timeout: 20).sync()
                Issue.record("a plain device must not sync with a TLS server")
            } catch let error as SyncError {
                #expect(error.message.contains("TLS") && error.message.contains("--insecure"), "\(error.message)")
            }
            #expect(try plain.status().unsyncedOps == 1)
        }
        try await Self.serving(.plain) { central, port in
            var token = try central.addDevice(for: "M001", address: "127.0.0.1:\(port)")
            token.fingerprint = identity.fingerprint
            let pinned = try Self.device(token, seed: 4)
            do {
                _ = try await SyncClient(book: pinned, timeout: 20).sync()
                Issue.record("a TLS device must not sync in plain TCP")
            } catch let error as SyncError {
                #expect(error.message.contains("TLS") && error.message.contains("--insecure"), "\(error.message)")
            }
            #expect(try central.book.ops(of: pinned.actor, after: 0).isEmpty)
            // Plain with plain still works, for trusted networks.
            let plain = try Self.device(try central.addDevice(for: "M001", address: "127.0.0.1:\(port)"), seed: 5)
            #expect(try await SyncClient(book: plain, timeout: 20).sync().opsSent == 1)
        }
    }
}
