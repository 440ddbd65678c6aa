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

    /// The reasons this version knows, as a closed enum, plus ``Kind/unknown(_:)`` for a newer server's byte.
    ///
    /// Switch on ``kind`` (not on the reason) to word a reason: the switch is exhaustive, so a reason added here is
    /// a compile error wherever it is not yet worded.
    ///
    /// ```swift
    /// switch entry.reason.kind {
    /// case .reassigned: "已改由他人管户"
    /// case .coverageEnded: "不再由你协同覆盖"
    /// case .accessRevoked: "访问权限被收回"
    /// case .erased: "已在中心节点删除"
    /// case .unknown: "不再由你覆盖"
    /// }
    /// ```
    public enum Kind: Hashable, Sendable {
        /// ``PurgeReason/reassigned``.
        case reassigned
        /// ``PurgeReason/coverageEnded``.
        case coverageEnded
        /// ``PurgeReason/accessRevoked``.
        case accessRevoked
        /// ``PurgeReason/erased``.
        case erased
        /// A byte this version does not know (a newer server's reason); shown as coverage ended.
        case unknown(UInt8)
    }

    /// The reason as a ``Kind``, for exhaustive switches.
    public var kind: Kind {
        switch self {
        case .reassigned: .reassigned
        case .coverageEnded: .coverageEnded
        case .accessRevoked: .accessRevoked
        case .erased: .erased
        default: .unknown(rawValue)
        }
    }

    /// The name used in the spec and the vectors (`reassigned`), or `reason<n>`.
    public var description: String {
        switch kind {
        case .reassigned: "reassigned"
        case .coverageEnded: "coverageEnded"
        case .accessRevoked: "accessRevoked"
        case .erased: "erased"
        case .unknown(let byte): "reason\(byte)"
        }
    }
}
