import Crypto
import FieldbookCentral
import FieldbookWire
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The central node's TLS identity: its certificate chain, private key, and the SHA-256 fingerprint of the leaf
/// certificate that enrolment tokens carry and devices pin (SECURITY.md, protocol/SPEC.md §14).
///
/// With no `--tls-cert`/`--tls-key`, `serve` uses a self-signed identity kept beside its database in one file,
/// `central.sqlite.tls.pem` (key and certificate, mode 0600), made on first start and reused after, the way
/// Syncthing does. Devices do not check names or expiry: the pin is the whole check, so the certificate's subject,
/// host names and validity dates do not matter and changing the certificate means handing out new tokens.
///
/// ```swift
/// let identity = try ServerIdentity.loadOrCreate(at: ServerIdentity.defaultPath(beside: "central.sqlite"))
/// print(identity.fingerprintHex)   // what `admin device add` puts in the token
/// ```
public struct ServerIdentity: Sendable {
    /// The certificate chain, leaf first.
    public let certificateChain: [NIOSSLCertificate]
    /// The private key of the leaf.
    public let privateKey: NIOSSLPrivateKey
    /// SHA-256 of the leaf certificate's DER form.
    public let fingerprint: [UInt8]

    /// The fingerprint in lowercase hex (64 characters), for logs and the operator.
    public var fingerprintHex: String { Hex.encode(fingerprint) }

    /// Makes an identity from a chain and key, computing the leaf's fingerprint.
    ///
    /// - Throws: ``CentralError`` if the chain is empty or the leaf cannot be serialized.
    public init(certificateChain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey) throws {
        guard let leaf = certificateChain.first else { throw CentralError("TLS 证书文件里没有证书") }
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.fingerprint = try Self.fingerprint(of: leaf)
    }

    /// The SHA-256 of a certificate's DER form: what a device pins.
    public static func fingerprint(of certificate: NIOSSLCertificate) throws -> [UInt8] {
        Array(SHA256.hash(data: try certificate.toDERBytes()))
    }

    /// Where `serve` keeps its self-signed identity for a central database: `PATH.tls.pem`.
    public static func defaultPath(beside database: String) -> String { database + ".tls.pem" }

    /// Loads an operator's certificate chain and key (PEM files), e.g. from the bank's own CA.
    ///
    /// - Throws: ``CentralError`` naming which file could not be read; never the file's content.
    public static func load(certificate certificatePath: String, key keyPath: String) throws -> ServerIdentity {
        guard let certificateText = FileManager.default.contents(atPath: certificatePath) else {
            throw CentralError("无法读取 TLS 证书文件 \(certificatePath)")
        }
        guard let keyText = FileManager.default.contents(atPath: keyPath) else {
            throw CentralError("无法读取 TLS 私钥文件 \(keyPath)")
        }
        return try parse(certificatePEM: String(decoding: certificateText, as: UTF8.self), keyPEM: String(decoding: keyText, as: UTF8.self))
    }

    /// Loads the self-signed identity at `path`, or makes one there if there is none yet.
    ///
    /// Creation is atomic and never replaces a file: the key and certificate are written to a private temporary
    /// file (mode 0600, synced) that is then hard-linked into place, so a crash leaves either no identity or a
    /// whole one, and when two processes race (`serve` and `admin device add`) both end up with the one that won.
    ///
    /// - Throws: ``CentralError`` if the file exists but cannot be read or parsed (it is never overwritten), or
    ///   cannot be created.
    public static func loadOrCreate(at path: String) throws -> ServerIdentity {
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self)
            return try parse(certificatePEM: text, keyPEM: text, describing: path)
        }
        let pem = try makeSelfSignedPEM()
        let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CentralError("无法创建 TLS 身份文件 \(path)（\(String(cString: strerror(errno)))）") }
        let bytes = Array(pem.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        defer { unlink(temporary) }
        guard written == bytes.count, synced else { throw CentralError("无法写入 TLS 身份文件 \(path)") }
        if link(temporary, path) != 0, errno != EEXIST {
            throw CentralError("无法创建 TLS 身份文件 \(path)（\(String(cString: strerror(errno)))）")
        }
        // Whoever won the race, read back what is in place now.
        guard let data = FileManager.default.contents(atPath: path) else { throw CentralError("无法读取 TLS 身份文件 \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        return try parse(certificatePEM: text, keyPEM: text, describing: path)
    }

    /// A fresh self-signed identity that lives only in memory, for tests.
    public static func ephemeral() throws -> ServerIdentity {
        let pem = try makeSelfSignedPEM()
        return try parse(certificatePEM: pem, keyPEM: pem)
    }

    /// A new P-256 key and a self-signed certificate for it, as one PEM text (key first).
    static func makeSelfSignedPEM(now: Date = Date()) throws -> String {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("Fieldbook")
            CommonName("Fieldbook central node")
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),  // random, 20 bytes
            publicKey: Certificate.PublicKey(key.publicKey),
            notValidBefore: now.addingTimeInterval(-86_400),
            // Devices pin the certificate itself and do not check dates; a long validity only keeps other tools quiet.
            notValidAfter: now.addingTimeInterval(30 * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: Certificate.PrivateKey(key))
        return key.pemRepresentation + "\n" + (try certificate.serializeAsPEM().pemString) + "\n"
    }

    /// Parses PEM text: every CERTIFICATE block of `certificatePEM` (leaf first) and the PRIVATE KEY block of
    /// `keyPEM`. Error messages name the file, never its content.
    private static func parse(certificatePEM: String, keyPEM: String, describing path: String? = nil) throws -> ServerIdentity {
        let source = path.map { " \($0)" } ?? ""
        let certificates = blocks(in: certificatePEM).filter { $0.label == "CERTIFICATE" }
        guard let keyBlock = blocks(in: keyPEM).first(where: { $0.label.hasSuffix("PRIVATE KEY") }) else {
            throw CentralError("TLS 身份文件\(source)里没有私钥（PEM 格式）")
        }
        guard !certificates.isEmpty else { throw CentralError("TLS 证书文件\(source)里没有证书（PEM 格式）") }
        do {
            let chain = try certificates.map { try NIOSSLCertificate(bytes: Array($0.text.utf8), format: .pem) }
            let key = try NIOSSLPrivateKey(bytes: Array(keyBlock.text.utf8), format: .pem)
            let identity = try ServerIdentity(certificateChain: chain, privateKey: key)
            // A key that does not match the certificate would only fail at the first handshake; fail now.
            _ = try NIOSSLContext(configuration: identity.serverConfiguration)
            return identity
        } catch let error as CentralError {
            throw error
        } catch {
            throw CentralError("TLS 证书或私钥\(source)无法使用：格式不对，或私钥与证书不配")
        }
    }

    /// The PEM blocks of a text: label and the whole block, markers included.
    private static func blocks(in text: String) -> [(label: String, text: String)] {
        var result: [(label: String, text: String)] = []
        var current: (label: String, lines: [Substring])?
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("-----BEGIN "), trimmed.hasSuffix("-----") {
                current = (String(trimmed.dropFirst(11).dropLast(5)), [Substring(trimmed)])
            } else if let open = current {
                current!.lines.append(Substring(trimmed))
                if trimmed == "-----END \(open.label)-----" {
                    result.append((open.label, current!.lines.joined(separator: "\n") + "\n"))
                    current = nil
                }
            }
        }
        return result
    }

    /// The server side TLS configuration: this chain and key, TLS 1.2 or later, no client certificates (devices
    /// authenticate inside the session with their enrolment secret).
    public var serverConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
