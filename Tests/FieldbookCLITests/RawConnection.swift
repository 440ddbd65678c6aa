import FieldbookTestSupport
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plain TCP connection to a loopback port, for tests that play a misbehaving client byte by byte.
final class RawConnection {
    private let socket: Int32

    /// Connects to 127.0.0.1:`port`, from the loopback address `source` if given (any 127.x.y.z on Linux), so that a
    /// test can play clients at several addresses.
    init(port: Int, from source: String? = nil) throws {
        socket = try LoopbackSocket.connect(port: port, from: source)
        // Reads wait at most 200 ms, so a test can poll.
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { LoopbackSocket.close(socket) }

    /// Sends bytes; `false` once the peer has closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        LoopbackSocket.send(socket, bytes) == bytes.count
    }

    /// Reads what is there: `nil` at end of stream, `[]` when nothing came within 200 ms.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count == 0 { return nil }
        if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? [] : nil }
        return Array(buffer.prefix(count))
    }

    /// Reads what is there without waiting: `nil` at end of stream (or a reset), `[]` when nothing is there.
    func receiveNow() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count == 0 { return nil }
        if count < 0 { return errno == EAGAIN || errno == EWOULDBLOCK ? [] : nil }
        return Array(buffer.prefix(count))
    }

    /// Everything received until the peer closes or `seconds` pass; whether it closed.
    func drain(for seconds: Double) -> (bytes: [UInt8], closed: Bool) {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let chunk = receive() else { return (bytes, true) }
            bytes += chunk
        }
        return (bytes, false)
    }
}
