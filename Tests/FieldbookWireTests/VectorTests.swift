// VectorTests.swift: every case of protocol/vectors/*.json: decode, compare, re-encode, drip-feed (SPEC App. B).
import FieldbookModel
import Foundation
import NIOCore
import Testing

@testable import FieldbookWire

/// What decoding some bytes gave.
enum Outcome: Equatable, CustomStringConvertible {
    case value(String)
    case needMore
    case error(String)

    var description: String {
        switch self {
        case .value(let json): return "value \(json)"
        case .needMore: return "need more bytes"
        case .error(let code): return "error \(code)"
        }
    }
}

/// Incremental decoding of one vector kind, kept across chunks for the drip-feed.
struct VectorDecoder {
    let kind: String
    /// The protocol version the vector's file is written for.
    let version: UInt8
    var preamble: Preamble?
    var messages: [Message] = []
    var sawPreamble = false

    init(kind: String, version: UInt8 = Preamble.version) {
        self.kind = kind
        self.version = version
    }

    /// Decodes as much as the buffer allows; `nil` means "call again with more bytes".
    mutating func step(_ buffer: inout ByteBuffer, final: Bool) -> Outcome? {
        let before = buffer.readerIndex
        do {
            switch kind {
            case "uvarint":
                guard let v = try buffer.readUVarint() else { return nil }
                return .value(WireJSON.canonical(String(v)))
            case "svarint":
                guard let v = try buffer.readUVarint() else { return nil }
                return .value(WireJSON.canonical(String(ZigZag.decode(v))))
            case "string":
                guard final else { return nil }
                var r = PayloadReader(buffer)
                let s = try r.string("string", maxLength: WireLimits.maxStringLength)
                try r.expectEnd("string")
                return .value(WireJSON.canonical(s))
            case "preamble":
                guard let p = try Preamble.read(from: &buffer) else {
                    #expect(buffer.readerIndex == before, "need more moved the reader index")
                    return nil
                }
                return .value(WireJSON.canonical(["max": Int(p.maxVersion), "min": Int(p.minVersion)]))
            case "frame":
                guard let m = try buffer.readMessage(version: version) else {
                    #expect(buffer.readerIndex == before, "need more moved the reader index")
                    return nil
                }
                return .value(WireJSON.canonical(WireJSON.message(m)))
            case "stream":
                if !sawPreamble {
                    guard buffer.readableBytes >= 1 else { return nil }
                    if buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) == Preamble.magic[0] {
                        guard let p = try Preamble.read(from: &buffer) else { return nil }
                        preamble = p
                    }
                    sawPreamble = true
                }
                while let m = try buffer.readMessage(version: version) { messages.append(m) }
                guard final, buffer.readableBytes == 0 else { return nil }
                let p: Any = preamble.map { ["max": Int($0.maxVersion), "min": Int($0.minVersion)] as Any } ?? NSNull()
                return .value(WireJSON.canonical(["preamble": p, "messages": messages.map(WireJSON.message)]))
            default:
                return .error("unknown vector kind \(kind)")
            }
        } catch let error as WireError {
            #expect(buffer.readerIndex == before || kind == "stream", "a throwing decode moved the reader index")
            return .error(error.code.description)
        } catch {
            return .error("\(error)")
        }
    }

    /// The bytes the encoder writes for the value decoded from `bytes`.
    static func reencode(kind: String, version: UInt8 = Preamble.version, _ bytes: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: bytes)
        var out = ByteBuffer()
        switch kind {
        case "uvarint": out.writeUVarint(try input.readUVarint()!)
        case "svarint": out.writeSVarint(ZigZag.decode(try input.readUVarint()!))
        case "string":
            var r = PayloadReader(input)
            out.writeLengthPrefixedString(try r.string("string", maxLength: WireLimits.maxStringLength))
        case "preamble": try Preamble.read(from: &input)!.write(to: &out)
        case "frame": try out.writeMessage(try input.readMessage(version: version)!)
        case "stream":
            if bytes.first == Preamble.magic[0] { try Preamble.read(from: &input)!.write(to: &out) }
            while let m = try input.readMessage(version: version) { try out.writeMessage(m) }
        default: break
        }
        return out.readBytes(length: out.readableBytes)!
    }
}

/// The expected outcome of a vector.
func expected(_ v: WireVector) -> Outcome {
    if let d = v.decoded { return .value(d) }
    if let e = v.error { return .error(e) }
    return .needMore
}

/// Decodes bytes fed in chunks of the given sizes; returns the first outcome that is not "need more".
func feed(_ v: WireVector, chunks: [Int]) -> Outcome {
    var decoder = VectorDecoder(kind: v.kind, version: v.version)
    var buffer = ByteBuffer()
    var offset = 0
    var chunkIndex = 0
    while offset < v.bytes.count {
        let size = max(1, chunks[chunkIndex % chunks.count])
        chunkIndex += 1
        let end = min(v.bytes.count, offset + size)
        buffer.writeBytes(v.bytes[offset..<end])
        offset = end
        if let outcome = decoder.step(&buffer, final: offset == v.bytes.count) {
            if case .value = outcome, offset < v.bytes.count {
                return .error("decoded before the last byte arrived")
            }
            return outcome
        }
    }
    return .needMore
}

@Suite("Vectors")
struct VectorTests {
    @Test("every vector file loads and has cases", arguments: ["primitives", "preamble", "frames", "messages", "ops", "ops-v2", "errors", "session"])
    func fileLoads(_ file: String) {
        let cases = WireVectors.load(file)
        #expect(!cases.isEmpty)
        for c in cases {
            #expect(c.kind != "invalid", "\(file).json is unreadable")
            #expect(!c.spec.isEmpty, "\(c.name) cites no spec tag")
            #expect([c.decoded != nil, c.error != nil, c.needMore].filter { $0 }.count == 1,
                    "\(c.name) must have exactly one of decoded, error, needMore")
        }
    }

    @Test("decoding all at once gives the vector's value or error", arguments: WireVectors.load())
    func decodeAtOnce(_ v: WireVector) {
        let got = feed(v, chunks: [max(1, v.bytes.count)])
        #expect(got == expected(v), "hex \(Hex.encode(v.bytes))")
    }

    @Test("re-encoding a decoded value gives the vector's bytes", arguments: WireVectors.load().filter { $0.decoded != nil })
    func encode(_ v: WireVector) throws {
        let bytes = try VectorDecoder.reencode(kind: v.kind, version: v.version, v.bytes)
        #expect(Hex.encode(bytes) == Hex.encode(v.bytes))
    }

    @Test("drip-feeding byte by byte gives the same outcome", arguments: WireVectors.load().filter { $0.kind != "string" && $0.kind != "svarint" })
    func dripByteByByte(_ v: WireVector) {
        #expect(feed(v, chunks: [1]) == expected(v))
    }

    @Test("drip-feeding in chunks gives the same outcome", arguments: [2, 3, 7, 64])
    func dripChunks(_ size: Int) {
        for v in WireVectors.load() where v.kind != "string" && v.kind != "svarint" {
            #expect(feed(v, chunks: [size]) == expected(v), "\(v.testDescription)")
        }
    }

    @Test("drip-feeding in random chunk sizes gives the same outcome", arguments: [1, 2, 3, 4, 5])
    func dripRandom(_ seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for v in WireVectors.load() where v.kind != "string" && v.kind != "svarint" {
            let chunks = (0..<32).map { _ in Int(rng.next() % 9) + 1 }
            #expect(feed(v, chunks: chunks) == expected(v), "\(v.testDescription) chunks \(chunks)")
        }
    }

    @Test("the error of every negative vector is a known WireError code")
    func errorCodesAreKnown() {
        for v in WireVectors.load() {
            if let e = v.error { #expect(WireError.Code(name: e) != nil, "\(v.testDescription): \(e)") }
        }
    }

    @Test("every decoder error code has a negative vector")
    func everyCodeHasVector() {
        let used = Set(WireVectors.load().compactMap(\.error))
        for code in WireError.Code.all where code != .unencodable {
            #expect(used.contains(code.description), "no vector for \(code)")
        }
    }
}

/// A small seeded generator, so failures repeat.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
