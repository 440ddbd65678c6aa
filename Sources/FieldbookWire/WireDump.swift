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
    /// - Parameter bytes: The captured bytes.
    /// - Returns: The dump, one annotated byte range a line.
    public static func annotate(_ bytes: [UInt8]) -> String {
        var out: [String] = []
        var buffer = ByteBuffer(bytes: bytes)
        if bytes.first == Preamble.magic[0] {
            let start = buffer.readerIndex
            do {
                if let preamble = try Preamble.read(from: &buffer) {
                    out.append(line(start, Array(bytes[0..<4]), 0, "magic \"FBKW\""))
                    out.append(line(4, [preamble.maxVersion], 0, "max version = \(preamble.maxVersion)"))
                    out.append(line(5, [preamble.minVersion], 0, "min version = \(preamble.minVersion)"))
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
                guard let (_, length) = try buffer.getMessage(at: start, trace: trace, base: start) else {
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
