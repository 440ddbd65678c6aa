/// What a work-log entry is (条目), stored as an English code (field 91, `entry`) and shown in Chinese.
///
/// ```swift
/// FieldAssignment(Schema.F.entry, WorkLogEntryKind.plan.value)
/// ```
public enum WorkLogEntryKind: String, Vocabulary {
    /// A journal line: what the manager did (日志).
    case journal
    /// A plan entry: a customer to contact on a day (计划).
    case plan

    /// The other spellings accepted when typed (see ``Vocabulary/aliases``).
    public var aliases: [String] {
        switch self {
        case .journal: ["日志"]
        case .plan: ["计划"]
        }
    }
}
