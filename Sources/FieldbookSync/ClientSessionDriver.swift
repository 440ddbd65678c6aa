import FieldbookModel
import FieldbookWire

/// Drives a pure ``ClientSession`` against a ``DeviceReplica``: carries out each book request as it comes, so the
/// caller sees only messages to send and the end. The device's NIO client, the tests and the simulator use it.
///
/// ```swift
/// var client = ClientSessionDriver(device: id, secret: secret, replica: book, nonce: nonce())
/// for action in client.start() { … }                       // .send or .finished
/// for action in try client.receive(message) { … }
/// ```
public struct ClientSessionDriver {
    private let replica: any DeviceReplica
    /// The pure session.
    public private(set) var session: ClientSession

    /// What the caller does next, in order.
    public enum Action: Sendable {
        /// Send a message.
        case send(Message)
        /// The session is complete; close the connection.
        case finished(SyncSummary)
    }

    /// Makes a driver for a new session of the device's book.
    ///
    /// - Parameter version: The protocol version the session speaks (``Preamble/version`` by default).
    public init(device: DeviceID, secret: [UInt8], replica: any DeviceReplica, nonce: [UInt8], version: UInt8 = Preamble.version) {
        self.replica = replica
        self.session = ClientSession(
            device: device, secret: secret, actor: replica.actor, principal: replica.principal, nonce: nonce, version: version)
    }

    /// What the session did so far.
    public var summary: SyncSummary { session.summary }
    /// Whether the session has completed (or failed).
    public var isFinished: Bool { session.isFinished }

    /// Opens the session: the HELLO.
    public mutating func start() -> [Action] {
        Self.visible(session.start())
    }

    /// Handles one message from the server and every book request it leads to.
    ///
    /// - Throws: ``SyncError``: the session's, or ``SyncError/Code/local`` when the book fails.
    public mutating func receive(_ message: Message) throws(SyncError) -> [Action] {
        var done: [ClientSession.Action] = []
        var next = try session.receive(message)
        while case .perform(let request) = next.last {
            done += next.dropLast()
            let response: ClientSession.Response
            do {
                response = try Self.answer(request, from: replica)
            } catch {
                throw session.fail(error)
            }
            next = try session.complete(response)
        }
        return Self.visible(done + next)
    }

    /// The actions a caller carries out (the book requests are done here).
    private static func visible(_ actions: [ClientSession.Action]) -> [Action] {
        actions.compactMap {
            switch $0 {
            case .send(let message): .send(message)
            case .finished(let summary): .finished(summary)
            case .perform: nil
            }
        }
    }

    /// Carries out one request against the book.
    public static func answer(_ request: ClientSession.Request, from replica: any DeviceReplica) throws -> ClientSession.Response {
        switch request {
        case .clock:
            return .clock(try replica.clock())
        case .observe(let time, let held):
            try replica.observe(time)
            try replica.markPushed(held)
            return .done
        case .ownOps(let counter, let limit):
            return .ownOps(try replica.ownOps(after: counter, limit: limit))
        case .markPushed(let held):
            try replica.markPushed(held)
            return .done
        case .pullPosition:
            let position = try replica.pullPosition()
            return .pullPosition(cursor: position.cursor, resync: position.resync, resume: position.resume)
        case .purge(let entries):
            return .purged(try replica.purge(entries))
        case .apply(let ops, let backfill, let seq):
            return .applied(try replica.apply(ops, backfill: backfill, seq: seq))
        case .stateHash:
            return .stateHash(try replica.stateHash())
        case .setCursor(let cursor, let clean):
            try replica.setCursor(cursor, clean: clean)
            return .done
        }
    }
}
