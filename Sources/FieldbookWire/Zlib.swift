// Zlib.swift: bounded zlib (RFC 1950) deflate and inflate over the system library (protocol/SPEC.md §8.5).
import CZlib

/// zlib compression of op batches, with inflation bounded by a declared size (SPEC `[W-8.5.6]`, `[W-8.5.7]`).
enum Zlib {
    /// Compresses bytes as one zlib stream at the best compression level.
    ///
    /// - Parameter input: The raw bytes.
    /// - Returns: The zlib stream.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var outputLength = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(outputLength))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                compress2(destination.baseAddress, &outputLength, source.baseAddress, uLong(source.count), 9)
            }
        }
        precondition(status == Z_OK, "compress2 failed with a buffer of compressBound size")
        output.removeLast(output.count - Int(outputLength))
        return output
    }

    /// Compresses bytes as one zlib stream at the best compression level, ending a deflate block at each of the given
    /// offsets (`Z_BLOCK`), so that each part of a batch gets Huffman codes of its own: a batch's UTF-8 text and its
    /// small-integer columns coded with one table cost about 4 % more (SPEC §8.5 [W-8.5.8]). Any inflater reads the
    /// stream; the boundaries are the encoder's choice.
    ///
    /// - Parameters:
    ///   - input: The raw bytes.
    ///   - blocks: Offsets into `input`, ascending, where a new deflate block starts.
    /// - Returns: The zlib stream.
    static func deflate(_ input: [UInt8], blocks: [Int]) -> [UInt8] {
        guard !blocks.isEmpty, !input.isEmpty else { return deflate(input) }
        var stream = z_stream()
        let initStatus = deflateInit_(&stream, 9, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(initStatus == Z_OK, "deflateInit failed")
        defer { deflateEnd(&stream) }
        // Each Z_BLOCK adds a few bytes at most; compressBound plus 16 per boundary is room enough.
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16 * (blocks.count + 1))
        let ends = blocks.filter { $0 > 0 && $0 < input.count } + [input.count]
        let finished = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination -> Bool in
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                var start = 0
                for end in ends {
                    stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress! + start)
                    stream.avail_in = uInt(end - start)
                    let status = CZlib.deflate(&stream, end == input.count ? Z_FINISH : Z_BLOCK)
                    guard status == (end == input.count ? Z_STREAM_END : Z_OK), stream.avail_in == 0 else { return false }
                    start = end
                }
                return true
            }
        }
        // Out of room (the margin above is generous, so this is not expected): the stream without blocks.
        guard finished else { return deflate(input) }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }

    /// Inflates one zlib stream that must produce exactly `size` bytes and use every input byte.
    ///
    /// Inflation writes into a buffer of exactly `size` bytes and stops there, so a stream that would inflate
    /// further (a decompression bomb) fails without using more memory than the declared size, which the caller has
    /// already checked against ``WireLimits/maxBatchRawSize``.
    ///
    /// - Parameters:
    ///   - input: The zlib stream.
    ///   - size: The declared raw size.
    /// - Returns: Exactly `size` bytes.
    /// - Throws: ``WireError`` `.badCompression` for a corrupt stream, a size mismatch, or bytes after the stream.
    static func inflate(_ input: [UInt8], size: Int) throws(WireError) -> [UInt8] {
        // One spare byte, so the destination is never empty (`uncompress2` needs a real pointer).
        var output = [UInt8](repeating: 0, count: size + 1)
        var outputLength = uLong(size)
        var inputLength = uLong(input.count)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                uncompress2(destination.baseAddress, &outputLength, source.baseAddress, &inputLength)
            }
        }
        guard status == Z_OK else {
            throw WireError(.badCompression, "zlib stream is corrupt or inflates past its declared size")
        }
        guard Int(outputLength) == size else {
            throw WireError(.badCompression, "zlib stream inflates to less than its declared size")
        }
        guard Int(inputLength) == input.count else {
            throw WireError(.badCompression, "bytes follow the end of the zlib stream")
        }
        output.removeLast()
        return output
    }
}
