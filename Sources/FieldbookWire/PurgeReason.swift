// PurgeReason.swift: why a customer left a device's scope (protocol/SPEC.md §8.10).

/// Why a customer left a device's scope, as PURGE carries it (SPEC `[W-8.10.2]`).
///
/// A struct over its byte, so a reason added by a newer server still decodes; a device shows an unknown reason as
/// "coverage ended".
///
/// ```swift
/// switch entry.reason {
/// case .reassigned: print("已移交给 \(entry.newOwner ?? "其他客户经理")")
/// default: print("管户关系已结束")
/// }
/// ```
public struct PurgeReason: Hashable, Sendable, CustomStringConvertible {
    /// The byte on the wire.
    public var rawValue: UInt8

    /// Wraps a byte.
    ///
    /// - Parameter rawValue: The reason byte.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// `1`: the customer was given to another owner (who may be named).
    public static let reassigned = PurgeReason(rawValue: 1)
    /// `2`: the principal no longer covers the customer (owner or co-coverer removed).
    public static let coverageEnded = PurgeReason(rawValue: 2)
    /// `3`: the device's principal lost access altogether (left the branch, role changed).
    public static let accessRevoked = PurgeReason(rawValue: 3)
    /// `4`: the customer's data was erased centrally (a deletion request).
    public static let erased = PurgeReason(rawValue: 4)

    /// The name used in the spec and the vectors (`reassigned`), or `reason<n>`.
    public var description: String {
        switch self {
        case .reassigned: return "reassigned"
        case .coverageEnded: return "coverageEnded"
        case .accessRevoked: return "accessRevoked"
        case .erased: return "erased"
        default: return "reason\(rawValue)"
        }
    }
}
