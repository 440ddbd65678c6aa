/// A customer's group (客群), stored as its Chinese name (field 14, `group`).
///
/// ```swift
/// CustomerGroup.parse("retired")   // .retiree
/// ```
public enum CustomerGroup: String, Vocabulary {
    /// 企业老板 (`owner`, `business`).
    case owner = "企业老板"
    /// 退休 (`retiree`, `retired`).
    case retiree = "退休"
    /// 家庭主妇 (`homemaker`).
    case homemaker = "家庭主妇"
    /// 港澳台 (`hmt`).
    case hongKongMacauTaiwan = "港澳台"
    /// 企业员工 (`employee`).
    case employee = "企业员工"
    /// 炒股 (`trader`, `专业炒股型`).
    case trader = "炒股"

    /// The other spellings accepted when typed (see ``Vocabulary/aliases``).
    public var aliases: [String] {
        switch self {
        case .owner: ["owner", "business"]
        case .retiree: ["retiree", "retired"]
        case .homemaker: ["homemaker"]
        case .hongKongMacauTaiwan: ["hmt"]
        case .employee: ["employee"]
        case .trader: ["trader", "专业炒股型"]
        }
    }
}
