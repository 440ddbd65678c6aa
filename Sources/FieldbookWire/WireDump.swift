// WireDump.swift: annotated dumps of captured bytes in the spec's notation (protocol/SPEC.md §3.3).
import NIOCore

/// Prints bytes as the spec writes them: offset, hex, and what each byte range means (SPEC §3.3).
///
/// The dump runs the real decoder with a trace attached, so it shows exactly what a peer would accept, and stops
/// with the decoder's error at the first malformed byte.
///
/// ```swift
/// print(WireDump.annotate(Hex.decode("0322 05 00")!))
/// // 0000  03            length = 3
/// // 0001  22            type = 34        DONE
/// // …
/// ```
public enum WireDump {
    /// Annotates a capture: an optional preamble, then frames until the bytes end.
    ///
    /// - Parameters:
    ///   - bytes: The captured bytes.
    ///   - version: The session's protocol version, which fixes the OPS batch's layout (SPEC §8.6); by default
    ///     the highest version of the capture's preamble, if it starts with one, else ``Preamble/version``.
    /// - Returns: The dump, one annotated byte range a line.
    public static func annotate(_ bytes: [UInt8], version: UInt8? = nil) -> String {
        var out: [String] = []
        var buffer = ByteBuffer(bytes: bytes)
        var version = version ?? Preamble.version
        if bytes.first == Preamble.magic[0] {
            let start = buffer.readerIndex
            do {
                if let preamble = try Preamble.read(from: &buffer) {
                    out.append(line(start, Array(bytes[0..<4]), 0, "magic \"FBKW\""))
                    out.append(line(4, [preamble.maxVersion], 0, "max version = \(preamble.maxVersion)"))
                    out.append(line(5, [preamble.minVersion], 0, "min version = \(preamble.minVersion)"))
                    version = min(preamble.maxVersion, Preamble.version)
                } else {
                    out.append("\(offset(start))  incomplete preamble: need more bytes")
                    return out.joined(separator: "\n")
                }
            } catch {
                out.append("\(offset(start))  error \(error)")
                return out.joined(separator: "\n")
            }
        }
        var frame = 0
        while buffer.readableBytes > 0 {
            let start = buffer.readerIndex
            let trace = WireTrace()
            out.append("")
            out.append("# frame \(frame) at \(start)")
            do {
                guard let (_, length) = try buffer.getMessage(at: start, trace: trace, base: start, version: version) else {
                    out.append("\(offset(start))  incomplete frame: need more bytes (\(buffer.readableBytes) readable)")
                    break
                }
                render(trace, bytes, &out)
                buffer.moveReaderIndex(forwardBy: length)
            } catch {
                render(trace, bytes, &out)
                out.append("error \(error)")
                break
            }
            frame += 1
        }
        return out.joined(separator: "\n")
    }

    /// The bytes of one part of an OPS batch (a table or a column), for ``breakdown(_:version:)``.
    public struct Part: Sendable, Hashable {
        /// The part's name as the dump heads it: `strings table`, `derived entities`, `hlc column`, ….
        public var name: String
        /// Its bytes in the raw (inflated) batch, count prefixes and column lengths included.
        public var raw: Int
        /// The size of its bytes alone, zlib-compressed: a rough share of the compressed batch (parts compress
        /// together better than apart).
        public var compressedAlone: Int
    }

    /// Where the bytes of the OPS batches in a capture go: each table and column of every batch, summed by name, in
    /// the order they first appear.
    ///
    /// - Parameters:
    ///   - bytes: A capture, as for ``annotate(_:version:)``.
    ///   - version: The session's protocol version (as for ``annotate(_:version:)``).
    /// - Returns: The parts, or `nil` when the capture does not decode.
    public static func breakdown(_ bytes: [UInt8], version: UInt8? = nil) -> [Part]? {
        var buffer = ByteBuffer(bytes: bytes)
        var version = version ?? Preamble.version
        if bytes.first == Preamble.magic[0] {
            guard let preamble = try? Preamble.read(from: &buffer) else { return nil }
            version = min(preamble.maxVersion, Preamble.version)
        }
        var order: [String] = []
        var sections: [String: [UInt8]] = [:]
        func collect(_ trace: WireTrace, _ input: [UInt8]) {
            let data = trace.bytes ?? input
            let headings = trace.entries.filter { $0.length == 0 && ($0.text.hasSuffix(" table") || $0.text.hasSuffix(" column") || $0.text == "derived entities") }
            for (i, heading) in headings.enumerated() {
                let end = i + 1 < headings.count ? headings[i + 1].start : data.count
                // A column's heading follows its length varint, which so counts in the part before it.
                guard heading.start <= end, end <= data.count else { continue }
                if sections[heading.text] == nil { order.append(heading.text) }
                sections[heading.text, default: []] += data[heading.start..<end]
            }
            for child in trace.children { collect(child, input) }
        }
        while buffer.readableBytes > 0 {
            let start = buffer.readerIndex
            let trace = WireTrace()
            guard let (message, length) = try? buffer.getMessage(at: start, trace: trace, base: start, version: version) else {
                return nil
            }
            if case .ops(let ops) = message, !ops.compressed {
                // Offsets are into the capture: cut the batch's parts out of it.
                collect(trace, Array(bytes[0..<(start + length)]))
            } else if case .ops = message {
                collect(trace, bytes)
            }
            buffer.moveReaderIndex(forwardBy: length)
        }
        return order.map { Part(name: $0, raw: sections[$0]!.count, compressedAlone: Zlib.deflate(sections[$0]!).count) }
    }

    private static func render(_ trace: WireTrace, _ input: [UInt8], _ out: inout [String]) {
        let bytes = trace.bytes ?? input
        let entries = trace.entries.enumerated().sorted { a, b in
            (a.element.start, a.offset) < (b.element.start, b.offset)
        }
        for (_, e) in entries {
            let end = min(e.start + e.length, bytes.count)
            let slice = e.start < end ? Array(bytes[e.start..<end]) : []
            out.append(line(e.start, slice, e.depth, e.text))
        }
        for child in trace.children {
            out.append("  # inflated batch (\(child.bytes?.count ?? 0) bytes; offsets are into it)")
            render(child, input, &out)
        }
    }

    private static func offset(_ value: Int) -> String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private static func line(_ start: Int, _ bytes: [UInt8], _ depth: Int, _ text: String) -> String {
        let indent = String(repeating: "  ", count: depth)
        var shown = Hex.encode(bytes.prefix(12), separator: " ")
        if bytes.count > 12 { shown += " …" }
        let column = indent + shown
        let pad = String(repeating: " ", count: max(1, 42 - column.count))
        return "\(offset(start))  \(column)\(pad)\(text)"
    }
}
