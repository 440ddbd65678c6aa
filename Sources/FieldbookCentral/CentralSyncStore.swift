import FieldbookModel
import FieldbookSync
import FieldbookWire

/// The sync part of the centre's storage seam: what the server's sessions need from the centre's records.
///
/// Every method is one transaction and may be called from any task; an implementation never blocks a Swift
/// concurrency thread (the SQLite store runs its work on its own threads, a PostgreSQL store awaits its
/// connection). The server drives each pure ``ServerSession`` with ``answer(_:)``.
///
/// An implementation must keep the **LSN invariant** (SPEC [W-9.10]): the log sequence numbers of stored ops become
/// visible to ``pull(for:cursor:resync:resume:)`` in increasing order with no gap, so that a pull's cursor (the highest LSN
/// it saw) is never passed by an op that commits later with a lower LSN. One writer (SQLite) keeps it by
/// construction; concurrent writers must assign LSNs at commit, in commit order.
public protocol CentralSyncStore: Sendable {
    /// The enrolment of a device; `nil` for an unknown device.
    func enrolment(of device: DeviceID) async throws -> DeviceEnrolment?
    /// Binds a device to the actor of its first authenticated session.
    ///
    /// - Throws: ``SyncError`` with code `authFailed` when the actor belongs to another replica.
    func bind(_ device: DeviceID, actor: ActorID) async throws
    /// The highest contiguous counter held of an actor, and the centre's clock: what WELCOME carries.
    func opening(_ actor: ActorID) async throws -> (held: UInt64, time: HLC)
    /// Validates (authority from the centre's own records, contiguity) and stores a pushed batch in one transaction.
    func push(_ ops: [Operation], from account: DeviceAccount) async throws -> PushOutcome
    /// What to send for a pull, from one consistent snapshot, recording the scope snapshot of its cursor. With a
    /// known cursor, no resync and `cursor < resume ≤` the highest LSN, the delta starts after `resume`: the device
    /// applied the rest in a pull that was cut (SPEC [W-9.12]).
    func pull(for account: DeviceAccount, cursor: UInt64, resync: Bool, resume: UInt64) async throws -> PullPlan
}

extension CentralSyncStore {
    /// Carries out a session's request. Never throws: a failure becomes ``ServerSession/Response/failed(_:)``, whose
    /// text the session never puts on the wire.
    public func answer(_ request: ServerSession.Request) async -> ServerSession.Response {
        do {
            switch request {
            case .enrolment(let device):
                return .enrolment(try await enrolment(of: device))
            case .bind(let device, let actor):
                try await bind(device, actor: actor)
                return .bound
            case .opening(let actor):
                let opening = try await opening(actor)
                return .opening(held: opening.held, time: opening.time)
            case .push(let ops, let account):
                return .pushed(try await push(ops, from: account))
            case .pull(let account, let cursor, let resync, let resume):
                return .pulled(try await pull(for: account, cursor: cursor, resync: resync, resume: resume))
            }
        } catch let error as SyncError {
            return .failed(error)
        } catch {
            return .failed(nil)
        }
    }
}
