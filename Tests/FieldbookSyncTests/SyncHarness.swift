import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import NIOCore

/// A device for in-memory sync tests: its book and its enrolment.
struct TestDevice {
    let book: Book
    let token: EnrolmentToken
    var replica: DeviceBook { DeviceBook(book: book) }
}

/// Runs client and server sessions against each other in memory, every message encoded to bytes and decoded again
/// on the way, until the client finishes, the server closes, or `dropAfter` messages have passed (a dropped
/// connection).
struct SyncHarness {
    let central: CentralDatabase
    var random = SplitMix64(seed: 99)

    enum Outcome {
        case finished(SyncSummary)
        case dropped
        case failed(SyncError)
    }

    mutating func nonce() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) } }

    /// Encodes and decodes a message; an OPS batch is read in the version it was written in (the session's).
    static func roundTrip(_ message: Message) throws -> Message {
        var buffer = ByteBuffer()
        _ = try buffer.writeMessage(message)
        var version = Preamble.version
        if case .ops(let ops) = message { version = ops.version }
        guard let decoded = try buffer.readMessage(version: version), buffer.readableBytes == 0 else {
            throw SyncError(.protocolViolation, "message did not round-trip")
        }
        return decoded
    }

    /// Runs one session; `version` is the protocol version the device speaks, `sent` sees every message on the way.
    mutating func sync(
        _ device: TestDevice, dropAfter: Int? = nil, secret: [UInt8]? = nil, version: UInt8 = Preamble.version,
        sent: (Message) -> Void = { _ in }
    ) throws -> Outcome {
        var client = ClientSessionDriver(
            device: device.token.device, secret: secret ?? device.token.secret, replica: device.replica, nonce: nonce(),
            version: version)
        var server = ServerSessionDriver(replica: central, nonce: nonce())
        var toServer: [Message] = []
        var toClient: [Message] = []
        for case .send(let message) in client.start() { toServer.append(message) }
        var passed = 0
        while true {
            if let dropAfter, passed >= dropAfter { return .dropped }
            if !toServer.isEmpty {
                let message = try Self.roundTrip(toServer.removeFirst())
                sent(message)
                passed += 1
                for action in server.receive(message) {
                    if case .send(let reply) = action { toClient.append(reply) }
                }
                continue
            }
            if !toClient.isEmpty {
                let message = try Self.roundTrip(toClient.removeFirst())
                sent(message)
                passed += 1
                do {
                    for action in try client.receive(message) {
                        switch action {
                        case .send(let reply): toServer.append(reply)
                        case .finished(let summary): return .finished(summary)
                        }
                    }
                } catch {
                    return .failed(error)
                }
                continue
            }
            return server.isClosed ? .dropped : .failed(SyncError(.protocolViolation, "both sides went quiet"))
        }
    }
}

extension SyncHarness.Outcome {
    var summary: SyncSummary? {
        if case .finished(let summary) = self { return summary }
        return nil
    }
}
