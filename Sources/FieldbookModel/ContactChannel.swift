/// How a contact was made (方式), stored as an English code (field 50, `channel`) and shown in Chinese.
///
/// ```swift
/// ContactChannel.parse("上门")   // .home
/// ContactChannel.home.label      // "上门"
/// ```
public enum ContactChannel: String, Vocabulary {
    /// A phone call (电话).
    case call
    /// A meeting at the branch (到店, 面谈).
    case visit
    /// A home visit (上门).
    case home
    /// A text or WeChat message (短信, 微信).
    case message
    /// An event such as a salon (活动).
    case event

    /// The other spellings accepted when typed (see ``Vocabulary/aliases``).
    public var aliases: [String] {
        switch self {
        case .call: ["电话"]
        case .visit: ["到店", "面谈"]
        case .home: ["上门"]
        case .message: ["短信", "微信"]
        case .event: ["活动"]
        }
    }
}
