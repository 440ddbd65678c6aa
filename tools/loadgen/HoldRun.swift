import BenchSupport
import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation
import NIOCore
import NIOPosix

/// Many devices holding authenticated connections at once (idle after their sync), against a fresh
/// `fieldbook serve`: all must be served, a device that syncs meanwhile must still finish, and the server's memory
/// is reported (issue 16: "3,000 devices holding connections at once").
struct HoldRun {
    let binary: String
    let connections: Int

    func log(_ line: String) { FileHandle.standardError.write(Data("  [loadgen hold=\(connections)] \(line)\n".utf8)) }

    func run() async throws {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("fieldbook-hold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let database = (folder as NSString).appendingPathComponent("central.sqlite")
        let central = try CentralDatabase.open(at: database)
        try central.addPrincipal("M1", name: "经理", role: .manager)
        let tokens = try (0...connections).map { _ in try central.addDevice(for: "M1", address: "127.0.0.1:0") }
        let server = try ServeProcess(
            binary: binary, database: database, extraArguments: ["--max-connections", "\(connections + 64)"])
        defer { server.stop() }
        let rssBefore = server.peakRSS

        // Every connection authenticates (HELLO, AUTH, WELCOME) and then stays open, silent.
        let start = ContinuousClock.now
        var held: [NIOAsyncChannel<ByteBuffer, ByteBuffer>] = []
        var refused = 0
        try await withThrowingTaskGroup(of: NIOAsyncChannel<ByteBuffer, ByteBuffer>?.self) { group in
            var next = 0
            func add() {
                let token = tokens[next]
                next += 1
                group.addTask { try? await Self.authenticate(token, port: server.port) }
            }
            while next < min(64, connections) { add() }
            for try await channel in group {
                if let channel { held.append(channel) } else { refused += 1 }
                if next < connections { add() }
            }
        }
        let opened = Measure.seconds(ContinuousClock.now - start)
        log(String(format: "%d connections authenticated and held (%d refused) in %.1f s", held.count, refused, opened))

        // A device that syncs while they are held is served as usual.
        let book = try Book.inMemory(principal: "M1")
        try SyncClient.enrol(book, token: tokens[connections])
        _ = try book.write { tx in try tx.create(.customer, scope: nil, fields: [FieldAssignment(Schema.F.name, .text("客户"))]) }
        let begun = ContinuousClock.now
        let summary = try await SyncClient(book: book).sync(server: "127.0.0.1:\(server.port)")
        let syncMilliseconds = Measure.seconds(ContinuousClock.now - begun) * 1000
        let rss = server.peakRSS
        for channel in held { try? await channel.channel.close() }

        let extra: [String: Any] = [
            "connections": connections, "held": held.count, "refused": refused, "open_s": opened,
            "sync_verified": summary.verified, "sync_ms": syncMilliseconds, "rss_before_mib": Double(rssBefore) / 1_048_576,
        ]
        Measure.emit(
            "hold.\(connections).held", "idle sessions held at once (\(connections) asked)", unit: "connections",
            values: [Double(held.count)], extra: extra)
        Measure.emit(
            "hold.\(connections).rss", "server peak RSS with \(connections) idle sessions", unit: "MiB",
            values: [Double(rss) / 1_048_576], extra: extra)
        Measure.emit(
            "hold.\(connections).sync", "a device's sync while \(connections) sessions are held", unit: "ms",
            values: [syncMilliseconds], extra: extra)
        guard held.count == connections, summary.verified else {
            throw LoadError("only \(held.count) of \(connections) sessions were held, or the sync meanwhile failed")
        }
    }

    /// Connects, authenticates with the pure client session, and returns the open connection once WELCOME came.
    static func authenticate(_ token: EnrolmentToken, port: Int) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer>? {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        var session = ClientSession(
            device: token.device, secret: token.secret, actor: ActorID.random(), principal: token.principal ?? "M1",
            nonce: (0..<32).map { _ in UInt8.random(in: 0...255) })
        var out = ByteBuffer()
        Preamble.current.write(to: &out)
        for case .send(let message) in session.start() { _ = try out.writeMessage(message) }
        try await channel.channel.writeAndFlush(out)
        var reader = FrameReader()
        var inbound = channel.inbound.makeAsyncIterator()
        while let chunk = try await inbound.next() {
            for message in try reader.feed(chunk) {
                if case .welcome = message { return channel }
                for case .send(let reply) in try session.receive(message) {
                    var buffer = ByteBuffer()
                    _ = try buffer.writeMessage(reply)
                    try await channel.channel.writeAndFlush(buffer)
                }
            }
        }
        return nil
    }
}
