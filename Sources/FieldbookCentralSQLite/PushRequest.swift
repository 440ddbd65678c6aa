import FieldbookModel
import FieldbookSync

/// One device's pushed batch waiting to be stored with others in one transaction
/// (``CentralDatabase/push(_:)-([PushRequest])``).
public struct PushRequest: Sendable {
    /// The ops as the device sent them.
    public var ops: [Op]
    /// Who sent them, as the session authenticated it.
    public var account: DeviceAccount

    /// A request to store `ops` from `account`.
    public init(ops: [Op], account: DeviceAccount) {
        self.ops = ops
        self.account = account
    }
}
