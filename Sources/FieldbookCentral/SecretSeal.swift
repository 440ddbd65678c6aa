import Crypto
import Foundation

/// Seals device secrets for storage in the central database (AES-GCM under a key kept in a separate 0600 file),
/// so that a copy of the database alone cannot impersonate a device.
package struct SecretSeal: Sendable {
    private let key: SymmetricKey

    /// Loads the key file beside the database, creating it (mode 0600) on first use.
    package init(keyFile path: String) throws {
        if let data = FileManager.default.contents(atPath: path), data.count == 32 {
            key = SymmetricKey(data: data)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        let data = fresh.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CentralError("无法创建中心节点密钥文件")
        }
        key = fresh
    }

    /// A key that lives only in memory, for tests.
    package init(key: SymmetricKey) { self.key = key }

    /// A fingerprint of the key that does not reveal it (HMAC-SHA-256 of a fixed label, hex): a store shared by several
    /// servers records it, so that a server given another key file is refused at start instead of failing every
    /// device's authentication.
    package var fingerprint: String {
        HMAC<SHA256>.authenticationCode(for: Data("fieldbook sealing key".utf8), using: key)
            .map { String(format: "%02x", $0) }.joined()
    }

    package func seal(_ secret: [UInt8]) throws -> Data {
        guard let combined = try AES.GCM.seal(secret, using: key).combined else {
            throw CentralError("无法加密设备密钥")
        }
        return combined
    }

    package func open(_ sealed: Data) throws -> [UInt8] {
        Array(try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key))
    }
}
