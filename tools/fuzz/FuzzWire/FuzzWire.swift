// FuzzWire.swift: the libFuzzer entry point over the FieldbookWire decoder (tools/fuzz/run).
//
// Build: swift build -c debug --sanitize=fuzzer --sanitize=address --product FuzzWire --scratch-path .build-fuzz
// Every input is read as a capture: an optional preamble, then frames. Each decoded message must re-encode and
// decode to the same value, and the annotated dump must not crash.
import FieldbookWire
import NIOCore

/// Feeds one input to the decoder; traps on a broken invariant, returns 0 otherwise.
///
/// - Parameters:
///   - data: The input bytes.
///   - size: Their count.
/// - Returns: Always 0, as libFuzzer expects.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzWireCheck.run(bytes)
    _ = WireDump.annotate(bytes)
    return 0
}

/// The invariants checked on every input.
enum FuzzWireCheck {
    static func run(_ bytes: [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        if bytes.first == Preamble.magic[0] {
            guard (try? Preamble.read(from: &buffer)) != nil else { return }
        }
        while true {
            let before = buffer.readerIndex
            let message: Message?
            do {
                message = try buffer.readMessage()
            } catch {
                precondition(buffer.readerIndex == before, "a throwing decode moved the reader index")
                return
            }
            guard let message else {
                precondition(buffer.readerIndex == before, "a nil decode moved the reader index")
                return
            }
            var out = ByteBuffer()
            do {
                try out.writeMessage(message)
            } catch {
                preconditionFailure("a decoded \(message.type) does not re-encode: \(error)")
            }
            let again = try? out.readMessage()
            precondition(again == message, "a decoded \(message.type) does not survive a round trip")
        }
    }
}
