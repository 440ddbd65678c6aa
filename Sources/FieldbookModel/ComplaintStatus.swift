/// The status of a complaint (状态), stored as an English code (field 70, `status`) and shown in Chinese.
///
/// ```swift
/// ComplaintStatus(complaint.value(Schema.F.status)) == .closed
/// ```
public enum ComplaintStatus: String, Vocabulary {
    /// Being handled (处理中).
    case open
    /// Resolved (已解决).
    case closed

    /// The other spellings accepted when typed (see ``Vocabulary/aliases``).
    public var aliases: [String] {
        switch self {
        case .open: ["处理中"]
        case .closed: ["已解决"]
        }
    }
}
