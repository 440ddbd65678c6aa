import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookSync
import FieldbookWire
import NIOCore

/// Sync sessions in memory: every message is encoded to bytes and decoded again on the way.
extension SimulatedWorld {
    /// How a message may be mistreated on the way.
    enum Fault { case none, drop, duplicate, reorder }

    /// How a fault-free session ended.
    enum QuietOutcome {
        case finished(SyncSummary)
        case dropped
        case failed(any Error)
    }

    /// 32 random bytes for a session.
    func nonce() -> [UInt8] { (0..<32).map { _ in UInt8.random(in: 0...255, using: &nonces) } }

    /// A message as the other side reads it: encoded, then decoded.
    static func roundTrip(_ message: Message) throws -> Message {
        var buffer = ByteBuffer()
        _ = try buffer.writeMessage(message)
        guard let decoded = try buffer.readMessage(), buffer.readableBytes == 0 else {
            throw SyncError(.protocolViolation, "message did not round-trip")
        }
        return decoded
    }

    /// One session with faults: messages pass through a queue that may drop (the connection breaks), duplicate or
    /// swap them.
    ///
    /// - Returns: The summary when the session completed, `nil` when it broke.
    func chaoticSync(_ device: SimulatedDevice) throws -> SyncSummary? {
        let faultPercent = simulation.faultPercent
        var client = ClientSessionDriver(device: device.token.device, secret: device.token.secret, replica: device.replica, nonce: nonce())
        var server = ServerSessionDriver(replica: central, nonce: nonce())
        var toServer: [Message] = []
        var toClient: [Message] = []
        for case .send(let m) in client.start() { toServer.append(m) }
        for _ in 0..<10_000 {
            let fault: Fault = chance(faultPercent) ? pick([.drop, .duplicate, .reorder]) : .none
            if !toServer.isEmpty {
                guard let message = try deliverNext(&toServer, fault: fault, arrow: "→") else { return nil }
                let deliveries = fault == .duplicate ? 2 : 1
                for _ in 0..<deliveries {
                    for action in server.receive(message) {
                        if case .send(let reply) = action { toClient.append(reply) }
                    }
                }
                if server.isClosed, toClient.isEmpty {
                    log("  the server closed the session")
                    return nil
                }
                continue
            }
            if !toClient.isEmpty {
                guard let message = try deliverNext(&toClient, fault: fault, arrow: "←") else { return nil }
                let deliveries = fault == .duplicate ? 2 : 1
                for _ in 0..<deliveries {
                    let actions: [ClientSessionDriver.Action]
                    do {
                        actions = try client.receive(message)
                    } catch {
                        log("  the device ended the session: \(error)")
                        return nil
                    }
                    for action in actions {
                        switch action {
                        case .send(let reply): toServer.append(reply)
                        case .finished(let summary):
                            log("  finished: verified \(summary.verified), resynced \(summary.resynced)")
                            return summary
                        }
                    }
                }
                continue
            }
            log("  both sides went quiet")
            return nil
        }
        return nil
    }

    /// One session without faults, until the client finishes, the server closes, or both go quiet.
    func quietSync(_ device: SimulatedDevice) throws -> QuietOutcome {
        var client = ClientSessionDriver(device: device.token.device, secret: device.token.secret, replica: device.replica, nonce: nonce())
        var server = ServerSessionDriver(replica: central, nonce: nonce())
        var toServer: [Message] = []
        var toClient: [Message] = []
        for case .send(let message) in client.start() { toServer.append(message) }
        while true {
            if !toServer.isEmpty {
                let message = try Self.roundTrip(toServer.removeFirst())
                log("  → \(Self.summary(message))")
                for action in server.receive(message) {
                    if case .send(let reply) = action { toClient.append(reply) }
                }
                continue
            }
            if !toClient.isEmpty {
                let message = try Self.roundTrip(toClient.removeFirst())
                log("  ← \(Self.summary(message))")
                do {
                    for action in try client.receive(message) {
                        switch action {
                        case .send(let reply): toServer.append(reply)
                        case .finished(let summary):
                            log("  finished: verified \(summary.verified), resynced \(summary.resynced)")
                            return .finished(summary)
                        }
                    }
                } catch {
                    log("  the device ended the session: \(error)")
                    return .failed(error)
                }
                continue
            }
            return server.isClosed ? .dropped : .failed(SyncError(.protocolViolation, "both sides went quiet"))
        }
    }

    /// Takes the next message off one direction's queue as the fault says: `reorder` first swaps the two oldest,
    /// `drop` breaks the connection (`nil`); the message is encoded and decoded on the way, and logged.
    private func deliverNext(_ queue: inout [Message], fault: Fault, arrow: String) throws -> Message? {
        if fault == .reorder, queue.count > 1 {
            queue.swapAt(0, 1)
            log("  (reordered: \(Self.summary(queue[0])) overtakes \(Self.summary(queue[1])))")
        }
        if fault == .drop {
            log("  dropped before \(arrow) \(Self.summary(queue[0]))")
            return nil
        }
        let message = try Self.roundTrip(queue.removeFirst())
        log("  \(arrow) \(Self.summary(message))\(fault == .duplicate ? " (twice)" : "")")
        return message
    }
}
