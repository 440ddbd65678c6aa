// WireVectors.swift: loads protocol/vectors/*.json (SPEC Appendix B).
import FieldbookWire
import Foundation
import Testing

/// One case of a vector file.
struct WireVector: Sendable, CustomTestStringConvertible {
    /// The file, without `.json`.
    var file: String
    var name: String
    /// `uvarint`, `svarint`, `string`, `bytes`, `preamble`, `frame` or `stream`.
    var kind: String
    var bytes: [UInt8]
    /// The canonical JSON of the decoded value, for a positive case.
    var decoded: String?
    /// The `WireError.Code` name, for a negative case.
    var error: String?
    /// Whether the bytes are a prefix that needs more bytes.
    var needMore: Bool
    /// The `W-…` tags the case shows.
    var spec: [String]
    /// The protocol version its file is written for: OPS batches are read in its layout (SPEC §8.6).
    var version: UInt8 = Preamble.version

    var testDescription: String { "\(file)/\(name)" }
}

enum WireVectors {
    /// The repository root, found from this file's path.
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var directory: URL { root.appendingPathComponent("protocol/vectors") }

    /// Every case of one file, or of all files when `file` is `nil`.
    static func load(_ file: String? = nil) -> [WireVector] {
        let names: [String]
        if let file {
            names = [file]
        } else {
            names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
                .filter { $0 != StateHashVector.file }.sorted()  // facts and sums, not bytes to decode
        }
        var out: [WireVector] = []
        for name in names {
            let url = directory.appendingPathComponent(name + ".json")
            guard let data = try? Data(contentsOf: url),
                let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let cases = root["cases"] as? [[String: Any]]
            else {
                out.append(WireVector(file: name, name: "unreadable", kind: "invalid", bytes: [], decoded: nil,
                                      error: nil, needMore: false, spec: []))
                continue
            }
            for c in cases {
                out.append(
                    WireVector(
                        file: name, name: c["name"] as? String ?? "?", kind: c["kind"] as? String ?? "?",
                        bytes: Hex.decode(c["hex"] as? String ?? "zz") ?? [],
                        decoded: c["decoded"].map { WireJSON.canonical($0) },
                        error: c["error"] as? String, needMore: c["needMore"] as? Bool ?? false,
                        spec: c["spec"] as? [String] ?? [], version: UInt8(root["version"] as? Int ?? Int(Preamble.version))))
            }
        }
        return out
    }
}
