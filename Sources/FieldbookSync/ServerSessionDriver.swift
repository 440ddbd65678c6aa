import FieldbookModel
import FieldbookWire

/// Drives a pure ``ServerSession`` in process against a synchronous ``CentralReplica``: carries out each store
/// request as it comes, so the caller sees only messages to send and closes. Tests, the simulator and the session
/// fuzzer use it; the server uses its own async driver over the NIO connection.
///
/// ```swift
/// var server = ServerSessionDriver(replica: central, nonce: nonce())
/// for action in server.receive(message) { … }   // .send or .close
/// ```
public struct ServerSessionDriver {
    private let replica: any CentralReplica
    /// The pure session.
    public private(set) var session: ServerSession

    /// Makes a driver for a new session.
    public init(replica: any CentralReplica, nonce: [UInt8]) {
        self.replica = replica
        self.session = ServerSession(nonce: nonce)
    }

    /// What the caller does next, in order.
    public enum Action: Sendable {
        /// Send a message.
        case send(Message)
        /// Close the connection (after sending what came before).
        case close
    }

    /// The authenticated device, once AUTH has succeeded.
    public var account: DeviceAccount? { session.account }
    /// Counts for the server's log.
    public var stats: ServerSession.Stats { session.stats }
    /// Whether the session is over.
    public var isClosed: Bool { session.isClosed }

    /// Handles one message and every store request it leads to.
    public mutating func receive(_ message: Message) -> [Action] {
        var done: [ServerSession.Action] = []
        var next = session.receive(message)
        while case .perform(let request) = next.last {
            done += next.dropLast()
            next = session.complete(Self.answer(request, from: replica))
        }
        return (done + next).compactMap {
            switch $0 {
            case .send(let message): .send(message)
            case .close: .close
            case .perform: nil
            }
        }
    }

    /// Carries out one request against a synchronous replica.
    public static func answer(_ request: ServerSession.Request, from replica: any CentralReplica) -> ServerSession.Response {
        do {
            switch request {
            case .enrolment(let device):
                return .enrolment(try replica.enrolment(of: device))
            case .bind(let device, let actor):
                try replica.bind(device, actor: actor)
                return .bound
            case .opening(let actor):
                return .opening(held: try replica.held(of: actor), time: try replica.now())
            case .push(let ops, let account):
                return .pushed(try replica.push(ops, from: account))
            case .pull(let account, let cursor, let resync, let resume):
                return .pulled(try replica.pull(for: account, cursor: cursor, resync: resync, resume: resume))
            }
        } catch let error as SyncError {
            return .failed(error)
        } catch {
            return .failed(nil)
        }
    }
}
