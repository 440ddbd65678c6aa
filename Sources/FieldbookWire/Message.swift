// Message.swift: every message of the sync protocol, as one value type (protocol/SPEC.md §7, §8).
import FieldbookModel
import NIOCore

/// One decoded frame: a message of the catalogue, or a type this version does not know (SPEC §7).
///
/// Read one with ``NIOCore/ByteBuffer/readMessage()`` (or ``MessageDecoder``) and write one with
/// ``NIOCore/ByteBuffer/writeMessage(_:)``. A frame is `length:uvarint | type:u8 | payload` (SPEC `[W-6.1]`):
///
/// ```
/// ┌────────────────┬─────────┬───────────────────────────┐
/// │ length uvarint │ type u8 │ payload (length − 1 bytes)│   [W-6.1]
/// └────────────────┴─────────┴───────────────────────────┘
/// ```
///
/// ```swift
/// var buffer = ByteBuffer()
/// try buffer.writeMessage(.pull(.init(cursor: 42)))
/// let message = try buffer.readMessage()    // .pull(cursor: 42)
/// ```
public enum Message: Hashable, Sendable {
    /// HELLO: the device introduces itself (SPEC §8.1).
    case hello(Hello)
    /// CHALLENGE: the server's nonce (SPEC §8.2).
    case challenge(Challenge)
    /// AUTH: the device's proof of its enrolment secret (SPEC §8.3).
    case auth(Auth)
    /// WELCOME: the session is open (SPEC §8.4).
    case welcome(Welcome)
    /// OPS: a batch of operations (SPEC §8.5).
    case ops(Ops)
    /// ACK: the server now holds the device's ops up to a counter (SPEC §8.8).
    case ack(Ack)
    /// PULL: the device asks for what it has not applied (SPEC §8.9).
    case pull(Pull)
    /// PURGE: customers that left the device's scope (SPEC §8.10).
    case purge(Purge)
    /// DONE: the pull is complete (SPEC §8.11).
    case done(Done)
    /// PING: a keep-alive that asks for a PONG (SPEC §8.13).
    case ping(Ping)
    /// PONG: the answer to a PING, echoing its nonce (SPEC §8.13).
    case pong(Ping)
    /// ERROR: something went wrong (SPEC §8.12).
    case error(ErrorMessage)
    /// A type this version does not define, skipped by its length and kept (SPEC `[W-13.1]`).
    case unknown(type: MessageType, payload: [UInt8])

    /// The type byte of the message.
    public var type: MessageType {
        switch self {
        case .hello: return .hello
        case .challenge: return .challenge
        case .auth: return .auth
        case .welcome: return .welcome
        case .ops: return .ops
        case .ack: return .ack
        case .pull: return .pull
        case .purge: return .purge
        case .done: return .done
        case .ping: return .ping
        case .pong: return .pong
        case .error: return .error
        case .unknown(let type, _): return type
        }
    }
}

/// A message payload that knows its type byte and how to write and read itself.
protocol PayloadCodable {
    /// The type byte.
    static var messageType: MessageType { get }
    /// Appends the payload (not the frame header).
    func encodePayload(into buffer: inout ByteBuffer) throws(WireError)
    /// Reads the payload; the reader holds exactly the payload's bytes.
    init(payload reader: inout PayloadReader) throws(WireError)
}

/// Checks a fixed-size byte field before encoding, so an encoder never writes a frame a decoder would misread.
func requireCount(_ bytes: [UInt8], _ count: Int, _ what: String) throws(WireError) {
    guard bytes.count == count else { throw WireError(.unencodable, "\(what) must be exactly \(count) bytes") }
}

/// Checks a string's UTF-8 length before encoding.
func requireLength(_ text: String, max: Int, _ what: String) throws(WireError) {
    guard text.utf8.count <= max else { throw WireError(.stringTooLong, "\(what) is longer than \(max) bytes") }
}
