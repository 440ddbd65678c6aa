/// The stage of the relationship with a customer (关系阶段), stored as its Chinese name (field 15, `stage`).
///
/// ```swift
/// RelationshipStage.parse("habit")   // .habit
/// ```
public enum RelationshipStage: String, Vocabulary {
    /// 认识 (`acquaintance`).
    case acquaintance = "认识"
    /// 接受 (`acceptance`).
    case acceptance = "接受"
    /// 习惯 (`habit`).
    case habit = "习惯"
    /// 依赖 (`reliance`).
    case reliance = "依赖"
    /// 朋友 (`friend`).
    case friend = "朋友"

    /// The other spellings accepted when typed (see ``Vocabulary/aliases``).
    public var aliases: [String] {
        switch self {
        case .acquaintance: ["acquaintance"]
        case .acceptance: ["acceptance"]
        case .habit: ["habit"]
        case .reliance: ["reliance"]
        case .friend: ["friend"]
        }
    }
}
