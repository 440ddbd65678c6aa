// DeviceID.swift: the 16-byte identity an enrolment gives a device (protocol/SPEC.md §4.4).
import FieldbookModel

/// The identity of an enrolled device: 16 bytes issued by `fieldbook admin` at enrolment (SPEC §4.4).
///
/// A device is enrolled for exactly one principal and holds one enrolment secret; the device ID names which secret
/// the server checks AUTH against. It is distinct from the device's ``FieldbookModel/ActorID``: a re-installed
/// device keeps its enrolment but makes a new actor.
///
/// ```swift
/// let device = DeviceID(bytes: Array(repeating: 0xd1, count: 16))!
/// device.hex    // "d1d1…"
/// ```
public struct DeviceID: Hashable, Sendable, CustomStringConvertible {
    /// The 16 bytes.
    public let bytes: [UInt8]

    /// Wraps exactly 16 bytes.
    ///
    /// - Parameter bytes: The bytes.
    /// - Returns: `nil` unless there are exactly 16.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.bytes = Array(bytes)
    }

    /// 32 lowercase hex digits.
    public var hex: String { Hex.encode(self.bytes) }

    /// The hex form.
    public var description: String { self.hex }
}
