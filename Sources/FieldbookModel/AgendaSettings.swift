import FieldbookModel

/// The per-book settings of the manager's day: contact cadence per tier, the daily call target, and the price move
/// that makes a holding worth a call.
///
/// They are preferences of this book, kept in its `meta` table under `setting.*` keys (not replicated: each device's
/// owner sets them). The shell's `settings` command reads and changes them.
///
/// ```swift
/// var settings = AgendaSettings()
/// settings.cadence(tier: "钻石", familiarity: "C")   // 15
/// ```
public struct AgendaSettings: Sendable, Hashable {
    /// The tiers, from the most valuable down.
    public static let tiers = Tier.allCases.reversed().map(\.rawValue)

    /// Days between contacts per tier (domain.md "The manager's day": a diamond customer unheard-of for a month is a
    /// problem).
    public var cadenceDays: [String: Int] = [
        Tier.privateBanking.rawValue: 30, Tier.diamond.rawValue: 30, Tier.gold.rawValue: 60, Tier.standard.rawValue: 90,
    ]
    /// Calls a day (每天至少20个电话).
    public var callTarget = 20
    /// A holding whose price moved at least this much (basis points) since the customer was last contacted is
    /// worth a call.
    public var moveBasisPoints: Int64 = 500
    /// The offline lease: an enrolled book that has not reached the central node for this many days locks until it
    /// syncs (issue 15; SECURITY.md, "Lost or stolen device"). 1–90.
    public var leaseDays = 30
    /// The two-channel window: `contact` and `show` say when another principal contacted the customer in this many
    /// days (issue 18; seeds 002/003, 避免多层次营销). 1–90.
    public var overlapDays = 7

    /// The defaults.
    public init() {}

    /// The cadence of a customer: the tier's (an unset tier counts as 普通), tightened one step for familiarity C.
    ///
    /// "One step" is the next shorter cadence among the tiers' values; below the shortest, half of it. With the
    /// defaults: 普通 90 → 60, 金葵花 60 → 30, 钻石 and 私人银行 30 → 15.
    public func cadence(tier: String?, familiarity: String?) -> Int {
        let base = cadenceDays[tier ?? Tier.standard.rawValue] ?? cadenceDays[Tier.standard.rawValue] ?? 90
        guard familiarity == "C" else { return base }
        let shorter = Set(cadenceDays.values).filter { $0 < base }.max()
        return shorter ?? max(1, base / 2)
    }

    /// Whether a customer is due for contact: `daysSince` days since the last contact (`nil`: never contacted)
    /// reached the cadence. A 30-day cadence is due on day 30, so the call is made before the customer has gone a
    /// full cadence without one.
    ///
    /// The one rule for the agenda's overdue contacts and the centre's coverage report.
    public static func isDue(daysSince: Int?, cadence: Int) -> Bool {
        daysSince.map { $0 >= cadence } ?? true
    }

    /// The `meta` keys and their current values, in display order.
    public var entries: [(key: String, value: String)] {
        Self.tiers.map { ("cadence.\($0)", String(cadenceDays[$0] ?? 0)) }
            + [
                ("calls", String(callTarget)), ("move", Percent.format(moveBasisPoints)), ("lease", String(leaseDays)),
                ("overlap", String(overlapDays)),
            ]
    }

    /// Applies one `key=value` setting.
    ///
    /// - Throws: ``ModelError`` naming the key and the expected form.
    public mutating func apply(key: String, value: String) throws(ModelError) {
        let lower = key.lowercased()
        if lower.hasPrefix("cadence.") || key.hasPrefix("周期.") {
            let tierText = String(key.split(separator: ".", maxSplits: 1).last ?? "")
            let tierField = Schema.fields(for: .customer).first { $0.id == Schema.F.tier }!
            guard case .text(let tier)? = try? tierField.parse(tierText, today: Day(number: 0)) else {
                throw ModelError(.badValue, "cadence.层级 的层级应为：普通 金葵花 钻石 私人银行")
            }
            guard let days = Int(value), (1...3650).contains(days) else {
                throw ModelError(.badValue, "联系周期应为 1–3650 天，例如 cadence.钻石=30")
            }
            cadenceDays[tier] = days
        } else if lower == "calls" || key == "电话" {
            guard let n = Int(value), (0...500).contains(n) else {
                throw ModelError(.badValue, "calls 应为每天的电话目标，0–500，例如 calls=20")
            }
            callTarget = n
        } else if lower == "move" || key == "波动" {
            let bp = try Percent.parse(value)
            guard bp > 0, bp <= 100_00 else { throw ModelError(.badValue, "move 应为 0% 以上、100% 以内，例如 move=5%") }
            moveBasisPoints = bp
        } else if lower == "lease" || key == "离线期限" {
            guard let days = Int(value), (1...90).contains(days) else {
                throw ModelError(.badValue, "lease 应为离线期限的天数，1–90，例如 lease=30")
            }
            leaseDays = days
        } else if lower == "overlap" || key == "重叠" {
            guard let days = Int(value), (1...90).contains(days) else {
                throw ModelError(.badValue, "overlap 应为天数，1–90，例如 overlap=7")
            }
            overlapDays = days
        } else {
            throw ModelError(.unknownField, "未知设置 \"\(key)\"：可设置 cadence.普通 cadence.金葵花 cadence.钻石 cadence.私人银行 calls move lease overlap")
        }
    }
}
