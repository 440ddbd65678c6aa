import FieldbookStore
import FieldbookSync
import FieldbookWire

extension SyncClient {
    /// What a failure inside an open session means to the user.
    ///
    /// The session's own ``SyncError``s and the book's ``StoreError``s pass through unchanged. Anything else comes
    /// from the connection (reset by the peer, closed while writing, a frame the decoder refused): it is a network
    /// failure (exit code 3), and the next sync simply continues, since everything received was saved batch by batch.
    /// (Found by `tools/soak`: a reset mid-session used to surface as exit 1 "意外错误：IOError".)
    static func sessionFailure(_ error: any Error) -> any Error {
        switch error {
        case is SyncError, is StoreError:
            return error
        case let error as WireError where error.code == .unsupportedVersion:
            // The server's preamble names no version this device speaks (SPEC [W-5.6]): one side is out of date.
            return SyncError(
                .protocolViolation, "中心节点的同步协议版本与本机的 Fieldbook 不兼容：请更新 Fieldbook（本机使用第 \(Preamble.version) 版），或请管理员更新中心节点")
        case let error as WireError:
            return SyncError(.protocolViolation, "中心节点发来的数据无法解析（\(error.code)）：连接已关闭，稍后再同步")
        default:
            return SyncError(.unreachable, "与中心节点的连接中断：已收到的内容都已保存，再同步一次即可继续")
        }
    }
}
