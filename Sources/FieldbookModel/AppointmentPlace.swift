/// Where an appointment takes place (地点), stored as an English code (field 63, `where` of a task) and shown in
/// Chinese: a home visit (上门) or a meeting at the branch (网点).
///
/// ```swift
/// AppointmentPlace.parse("上门")   // .home
/// AppointmentPlace.branch.label    // "网点"
/// ```
public enum AppointmentPlace: String, Vocabulary {
    /// At the customer's home (上门, 家里).
    case home
    /// At the branch (网点, 支行, 行里).
    case branch

    /// The other spellings accepted when typed (see ``Vocabulary/aliases``).
    public var aliases: [String] {
        switch self {
        case .home: ["上门", "家里", "家"]
        case .branch: ["网点", "支行", "行里"]
        }
    }
}
