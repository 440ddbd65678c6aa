// Preamble.swift: the six bytes each side sends first (protocol/SPEC.md §5).
import NIOCore

/// The connection preamble: magic bytes and the range of protocol versions the sender speaks (SPEC §5).
///
/// ```
/// ┌───────────────────────┬────────────┬────────────┐
/// │ magic 46 42 4b 57     │ max u8     │ min u8     │   [W-5.1]   "FBKW"
/// └───────────────────────┴────────────┴────────────┘
/// ```
///
/// Each side sends its preamble first (the device at once, the server when it has read the device's), and both
/// then speak `min(device.max, server.max)`, which must be at least `max(device.min, server.min)` (SPEC `[W-5.3]`).
///
/// ```swift
/// guard let theirs = try Preamble.read(from: &buffer) else { return }   // need more bytes
/// let version = try Preamble.device.negotiate(with: theirs)   // 4, or unsupportedVersion
/// ```
public struct Preamble: Hashable, Sendable {
    /// The magic bytes, ASCII `FBKW`.
    public static let magic: [UInt8] = [0x46, 0x42, 0x4B, 0x57]
    /// The preamble's size in bytes.
    public static let size = 6
    /// The protocol version this implementation writes: 4 (SPEC §1, CHANGES.md). HELLO carries it.
    public static let version: UInt8 = 4
    /// The versions whose sessions the server runs: 2, 3 and 4 (SPEC `[W-5.6]`, `[W-5.7]`). They differ only in the
    /// OPS batch (SPEC §8.6, §8.7: the entities table from 3, the clock column's unit from 4), which
    /// ``Message/Ops/version`` selects.
    public static let sessionVersions: ClosedRange<UInt8> = 2...4
    /// What a device sends and accepts: version 4 only. A device writes its HELLO, which names its version, right
    /// behind its preamble, before the server's has arrived, so it could not fall back; a server of an earlier
    /// version and this device have no version in common and the device tells its user so (SPEC `[W-5.7]`).
    public static let device = Preamble(maxVersion: 4, minVersion: 4)
    /// What the server sends: versions 1 to 4. It runs sessions of versions 2 to 4; 1 is spoken only to refuse a
    /// version-1 HELLO with a fatal ERROR ``updateMessage`` that a version-1 device shows its user (SPEC `[W-5.6]`).
    public static let server = Preamble(maxVersion: 4, minVersion: 1)
    /// What this implementation speaks, as a device: ``device``.
    public static var current: Preamble { device }
    /// The message of the fatal ERROR `unsupportedVersion` that refuses a HELLO of another version: a device of
    /// version 1 prints it after "中心节点终止了同步", so it says what the user must do.
    public static let updateMessage = "这台设备的 Fieldbook 版本过旧（同步协议第 1 版），中心节点需要第 2 版或更新的版本：请更新 Fieldbook 后再同步"

    /// The highest version the sender speaks.
    public var maxVersion: UInt8
    /// The lowest version the sender speaks.
    public var minVersion: UInt8

    /// Makes a preamble.
    ///
    /// - Parameters:
    ///   - maxVersion: The highest version spoken.
    ///   - minVersion: The lowest version spoken.
    public init(maxVersion: UInt8, minVersion: UInt8) {
        self.maxVersion = maxVersion
        self.minVersion = minVersion
    }

    /// Reads a preamble and moves the reader index past it, or returns `nil` (index unmoved) until 6 bytes are
    /// readable. The magic is checked byte by byte as bytes arrive, so a peer speaking something else is refused
    /// at its first wrong byte (SPEC `[W-5.2]`).
    ///
    /// - Parameter buffer: The received bytes.
    /// - Returns: The preamble, or `nil` when more bytes are needed.
    /// - Throws: ``WireError`` `.badMagic`, or `.unsupportedVersion` when `min` is 0 or greater than `max`.
    public static func read(from buffer: inout ByteBuffer) throws(WireError) -> Preamble? {
        let available = min(buffer.readableBytes, 4)
        for i in 0..<available where buffer.getInteger(at: buffer.readerIndex + i, as: UInt8.self) != magic[i] {
            throw WireError(.badMagic, "the stream does not begin with the FBKW magic")
        }
        guard buffer.readableBytes >= size else { return nil }
        let maxVersion = buffer.getInteger(at: buffer.readerIndex + 4, as: UInt8.self)!
        let minVersion = buffer.getInteger(at: buffer.readerIndex + 5, as: UInt8.self)!
        guard minVersion >= 1, minVersion <= maxVersion else {
            throw WireError(.unsupportedVersion, "preamble version range is empty or starts at 0")
        }
        buffer.moveReaderIndex(forwardBy: size)
        return Preamble(maxVersion: maxVersion, minVersion: minVersion)
    }

    /// Appends the six bytes.
    ///
    /// - Parameter buffer: Where to write.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeBytes(Self.magic)
        buffer.writeInteger(self.maxVersion)
        buffer.writeInteger(self.minVersion)
    }

    /// The version both sides speak (SPEC `[W-5.3]`).
    ///
    /// - Parameter other: The peer's preamble.
    /// - Returns: `min(self.max, other.max)`.
    /// - Throws: ``WireError`` `.unsupportedVersion` when the ranges do not overlap (SPEC `[W-5.4]`).
    public func negotiate(with other: Preamble) throws(WireError) -> UInt8 {
        let version = min(self.maxVersion, other.maxVersion)
        guard version >= max(self.minVersion, other.minVersion) else {
            throw WireError(.unsupportedVersion, "the peers have no protocol version in common")
        }
        return version
    }
}
