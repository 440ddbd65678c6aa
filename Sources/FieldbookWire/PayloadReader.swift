// PayloadReader.swift: a cursor over one complete payload, column or table; running out is malformed here.
import NIOCore

/// Reads primitives out of a byte range whose length is already known (a frame payload, a batch, a column).
///
/// Unlike the frame layer, where too few bytes means "wait" (SPEC `[W-6.4]`), a payload is complete, so a value
/// that runs past its end is malformed and throws `.truncated` (SPEC `[W-6.5]`). When a ``WireTrace`` is attached,
/// every read records its byte range and a label; `wiredump` prints those records.
struct PayloadReader {
    private(set) var buffer: ByteBuffer
    private let start: Int
    /// The absolute offset of the first byte of `buffer` in the traced input.
    let base: Int
    /// Where annotations go, or `nil` when nobody is watching.
    let trace: WireTrace?
    /// The nesting depth used to indent annotations.
    let depth: Int
    /// The session's protocol version, for the layouts that depend on it (the entities table, SPEC §8.6).
    let version: UInt8

    /// Wraps a buffer whose readable bytes are the whole range.
    init(_ buffer: ByteBuffer, base: Int = 0, trace: WireTrace? = nil, depth: Int = 0, version: UInt8 = Preamble.version) {
        self.buffer = buffer
        self.start = buffer.readerIndex
        self.base = base
        self.trace = trace
        self.depth = depth
        self.version = version
    }

    /// The absolute offset of the next unread byte.
    var offset: Int { self.base + self.buffer.readerIndex - self.start }

    /// Whether every byte has been read.
    var isAtEnd: Bool { self.buffer.readableBytes == 0 }

    /// The bytes not yet read.
    var remaining: Int { self.buffer.readableBytes }

    /// Records an annotation for the bytes from `from` to the current offset.
    func note(from: Int, _ text: @autoclosure () -> String) {
        guard let trace = self.trace else { return }
        trace.add(start: from, length: self.offset - from, depth: self.depth, text: text())
    }

    /// Records an annotation that covers no bytes (a heading).
    func heading(_ text: @autoclosure () -> String) {
        guard let trace = self.trace else { return }
        trace.add(start: self.offset, length: 0, depth: self.depth, text: text())
    }

    /// Throws `.trailingBytes` unless every byte has been read (SPEC `[W-6.6]`).
    func expectEnd(_ what: @autoclosure () -> String) throws(WireError) {
        guard self.isAtEnd else { throw WireError(.trailingBytes, "\(what()) has bytes after its last field") }
    }

    private static func truncated(_ what: String) -> WireError {
        WireError(.truncated, "\(what) ends before its value is complete")
    }

    /// Reads a strict uvarint.
    mutating func uvarint(_ label: @autoclosure () -> String) throws(WireError) -> UInt64 {
        let from = self.offset
        guard let value = try self.buffer.readUVarint() else { throw Self.truncated(label()) }
        self.note(from: from, "\(label()) = \(value)")
        return value
    }

    /// Reads a uvarint that must not exceed `limit`, as an `Int`.
    mutating func count(_ label: @autoclosure () -> String, limit: Int, code: WireError.Code = .listTooLong)
        throws(WireError) -> Int
    {
        let from = self.offset
        guard let value = try self.buffer.readUVarint() else { throw Self.truncated(label()) }
        guard value <= UInt64(limit) else { throw WireError(code, "\(label()) is over the limit of \(limit)") }
        // Every entry takes at least one byte, so a count past the remaining bytes can never be satisfied:
        // refusing it here keeps a hostile count from reserving memory.
        guard value <= UInt64(self.buffer.readableBytes) else { throw Self.truncated(label()) }
        self.note(from: from, "\(label()) = \(value)")
        return Int(value)
    }

    /// Reads a ZigZag svarint.
    mutating func svarint(_ label: @autoclosure () -> String) throws(WireError) -> Int64 {
        let from = self.offset
        guard let raw = try self.buffer.readUVarint() else { throw Self.truncated(label()) }
        let value = ZigZag.decode(raw)
        self.note(from: from, "\(label()) = \(value)")
        return value
    }

    /// Reads one byte.
    mutating func u8(_ label: @autoclosure () -> String) throws(WireError) -> UInt8 {
        let from = self.offset
        guard let value = self.buffer.readInteger(as: UInt8.self) else { throw Self.truncated(label()) }
        self.note(from: from, "\(label()) = \(value)")
        return value
    }

    /// Reads a big-endian `UInt64`.
    mutating func u64(_ label: @autoclosure () -> String) throws(WireError) -> UInt64 {
        let from = self.offset
        guard let value = self.buffer.readInteger(endianness: .big, as: UInt64.self) else {
            throw Self.truncated(label())
        }
        self.note(from: from, "\(label()) = \(value)")
        return value
    }

    /// Reads exactly `count` bytes.
    mutating func fixed(_ count: Int, _ label: @autoclosure () -> String) throws(WireError) -> [UInt8] {
        let from = self.offset
        guard let bytes = self.buffer.readBytes(length: count) else { throw Self.truncated(label()) }
        if self.trace != nil, label() != "type" { self.note(from: from, "\(label()) (\(count) bytes)") }
        return bytes
    }

    /// Reads a big-endian `UInt64` hybrid logical clock reading (SPEC §4.5).
    mutating func hlc(_ label: @autoclosure () -> String) throws(WireError) -> UInt64 {
        let from = self.offset
        guard let value = self.buffer.readInteger(endianness: .big, as: UInt64.self) else {
            throw Self.truncated(label())
        }
        self.note(from: from, "\(label()) = \(value >> 16) ms + \(value & 0xffff)")
        return value
    }

    /// Reads a uvarint length and that many bytes (SPEC §4.3).
    mutating func bytes(_ label: @autoclosure () -> String, maxLength: Int) throws(WireError) -> [UInt8] {
        let from = self.offset
        guard let length = try self.buffer.readUVarint() else { throw Self.truncated(label()) }
        guard length <= UInt64(maxLength) else {
            throw WireError(.stringTooLong, "\(label()) is longer than \(maxLength) bytes")
        }
        guard let bytes = self.buffer.readBytes(length: Int(length)) else { throw Self.truncated(label()) }
        self.note(from: from, "\(label()) (\(length) bytes)")
        return bytes
    }

    /// Reads a uvarint length and that many bytes of UTF-8, which must be valid (SPEC `[W-4.3.2]`).
    mutating func string(_ label: @autoclosure () -> String, maxLength: Int) throws(WireError) -> String {
        let from = self.offset
        guard let length = try self.buffer.readUVarint() else { throw Self.truncated(label()) }
        guard length <= UInt64(maxLength) else {
            throw WireError(.stringTooLong, "\(label()) is longer than \(maxLength) bytes")
        }
        guard let bytes = self.buffer.readBytes(length: Int(length)) else { throw Self.truncated(label()) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw WireError(.invalidUTF8, "\(label()) is not valid UTF-8")
        }
        self.note(from: from, "\(label()) = \(Self.quoted(text))")
        return text
    }

    /// Splits off the next `length` bytes as a reader of their own (a column or a nested structure).
    mutating func sub(_ length: Int, _ label: @autoclosure () -> String) throws(WireError) -> PayloadReader {
        let from = self.offset
        guard let slice = self.buffer.readSlice(length: length) else { throw Self.truncated(label()) }
        return PayloadReader(slice, base: from, trace: self.trace, depth: self.depth + 1, version: self.version)
    }

    /// The rest of the bytes, read.
    mutating func rest() -> ByteBuffer {
        let slice = self.buffer.readSlice(length: self.buffer.readableBytes)!
        return slice
    }

    /// A string for the dump: quoted, with control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// The annotations recorded while decoding, for `wiredump` (SPEC §3.3 notation).
final class WireTrace {
    /// One annotated byte range.
    struct Entry {
        var start: Int
        var length: Int
        var depth: Int
        var text: String
    }

    private(set) var entries: [Entry] = []
    /// The bytes this trace's offsets point into, when they are not the input (an inflated batch).
    let bytes: [UInt8]?
    /// Traces of inflated batches found while decoding, in order.
    private(set) var children: [WireTrace] = []

    init(bytes: [UInt8]? = nil) {
        self.bytes = bytes
    }

    /// Starts a trace over inflated bytes, kept as a child of this one.
    func inflated(_ raw: [UInt8]) -> WireTrace {
        let child = WireTrace(bytes: raw)
        self.children.append(child)
        return child
    }

    func add(start: Int, length: Int, depth: Int, text: String) {
        self.entries.append(Entry(start: start, length: length, depth: depth, text: text))
    }
}
