/// A customer's tier (层级), stored as its Chinese name (field 12, `tier`).
///
/// ```swift
/// Tier.parse("gold")?.rawValue   // "金葵花"
/// ```
public enum Tier: String, Vocabulary {
    /// 普通 (`standard`).
    case standard = "普通"
    /// 金葵花 (`gold`).
    case gold = "金葵花"
    /// 钻石 (`diamond`): a VIP tier.
    case diamond = "钻石"
    /// 私人银行 (`private`): a VIP tier.
    case privateBanking = "私人银行"

    /// The tiers a wealth-center advisor may co-cover.
    public static let vip: Set<Tier> = [.diamond, .privateBanking]

    /// Whether the tier is a VIP tier (钻石, 私人银行).
    public var isVIP: Bool { Self.vip.contains(self) }

    /// The other spellings accepted when typed (see ``Vocabulary/aliases``).
    public var aliases: [String] {
        switch self {
        case .standard: ["standard"]
        case .gold: ["gold"]
        case .diamond: ["diamond"]
        case .privateBanking: ["private"]
        }
    }
}
