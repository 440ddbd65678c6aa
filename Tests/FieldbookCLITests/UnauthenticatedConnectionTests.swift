import FieldbookWire
import Foundation
import NIOCore
import Synchronization
import Testing

/// Issue 14: connections that have not authenticated cannot starve devices, against the real `fieldbook serve`
/// (protocol/SPEC.md §12, [W-12.4]–[W-12.7]; the malformed-input answers of §5 and §6, [W-6.7]).
///
/// The flood tests open 200 raw connections that stop short of AUTH, then run a real device's `sync` while they are
/// still open, and read what each connection was told. The server's resident memory is read from
/// `/proc/PID/status` before and after.
@Suite("Unauthenticated connections end to end", .serialized)
struct UnauthenticatedConnectionTests {
    typealias Cluster = FaultTests.Cluster

    /// How each flood connection stops short of authenticating, by its index modulo 5.
    enum Stall: Int, CaseIterable {
        /// Connects and sends nothing.
        case idle
        /// Sends part of the first header (the preamble; with TLS, the record header).
        case partialHeader
        /// Sends the preamble and part of a HELLO (with TLS: part of a 512-byte handshake record).
        case partialHello
        /// Sends the preamble and 3 900 bytes of an AUTH frame declaring 4 000, the most the gate lets a peer
        /// keep pending (with TLS: 3 900 bytes of a 16 KiB record).
        case nearlyFullFrame
        /// Sends the preamble and 100 000 bytes of a HELLO declaring 1 MiB: refused from its header, nothing kept
        /// (with TLS: an 18 KiB record, the largest TLS allows, of garbage).
        case oversizedFrame

        func bytes(tls: Bool) -> [UInt8] {
            var preamble = ByteBuffer()
            Preamble.current.write(to: &preamble)
            let fbkw = Array(preamble.readableBytesView)
            switch (self, tls) {
            case (.idle, _): return []
            case (.partialHeader, false): return Array(fbkw.prefix(3))
            case (.partialHeader, true): return [0x16, 0x03]
            case (.partialHello, false): return fbkw + [69, 0x01] + [UInt8](repeating: 1, count: 20)
            case (.partialHello, true): return [0x16, 0x03, 0x01, 0x02, 0x00] + [UInt8](repeating: 1, count: 100)
            // 4000 = a0 1f and 1 MiB = 80 80 40 as uvarints.
            case (.nearlyFullFrame, false): return fbkw + [0xa0, 0x1f, 0x03] + [UInt8](repeating: 7, count: 3_900)
            case (.nearlyFullFrame, true): return [0x16, 0x03, 0x01, 0x40, 0x00] + [UInt8](repeating: 7, count: 3_900)
            case (.oversizedFrame, false): return fbkw + [0x80, 0x80, 0x40, 0x01] + [UInt8](repeating: 9, count: 100_000)
            case (.oversizedFrame, true): return [0x16, 0x03, 0x01, 0x48, 0x00] + [UInt8](repeating: 9, count: 18_432)
            }
        }

        /// What a connection of this kind may be told when it is closed, in plain TCP: an oversized frame is refused
        /// when its header is read, unless newer connections made the server close it first.
        var refusals: [ErrorCode] { self == .oversizedFrame ? [.limitExceeded, .busy] : [.busy] }
    }

    /// What became of the flood connections by the end.
    struct Outcome {
        /// For each connection, what it received, and whether the server closed it.
        var received: [[UInt8]]
        var closed: [Bool]
        /// The server's resident memory before and after the flood (KiB).
        var residentBefore: Int
        var residentAfter: Int
        /// How long the device's sync took while the flood connections were open (seconds).
        var syncSeconds: Double

        var closedCount: Int { closed.count(where: { $0 }) }
        var openCount: Int { closed.count(where: { !$0 }) }
    }

    /// The resident memory of a process, from `/proc/PID/status` (KiB), or `nil` where there is no `/proc`.
    static func residentKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// Reads the server's log as it is written, so a flood of log lines never fills the pipe and blocks the server.
    final class LogReader: Sendable {
        private let text = Mutex("")

        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil }
                text.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
        }

        var contents: String { text.withLock { $0 } }
    }

    /// Enrols a device, syncs it once (so the server has warmed up), floods the server with `count` connections
    /// from `source(i)` that stop short of AUTH, syncs the device again while they are open, and reports.
    func flood(
        _ cluster: Cluster, tls: Bool, count: Int = 200, source: (Int) -> String?
    ) throws -> Outcome {
        try cluster.enrol("M001", "a.sqlite")
        #expect(try cluster.book("a.sqlite", "add 王芳 tier=钻石; sync").code == 0)
        let pid = cluster.server.process.processIdentifier
        usleep(300_000)
        let before = Self.residentKiB(pid) ?? 0
        var connections: [RawConnection] = []
        for index in 0..<count {
            let connection = try RawConnection(port: cluster.server.port, from: source(index))
            connection.send(Stall(rawValue: index % 5)!.bytes(tls: tls))
            connections.append(connection)
        }
        // Let the server accept and read every one of them.
        usleep(1_000_000)
        #expect(try cluster.book("a.sqlite", "add 李明").code == 0)
        let started = Date()
        let synced = try cluster.sync("a.sqlite")
        let seconds = Date().timeIntervalSince(started)
        #expect(synced.code == 0, "the device's sync went through the flood: \(synced.error)")
        #expect(synced.output.contains("发送 1 个操作"), "\(synced.output)")
        let after = Self.residentKiB(pid) ?? 0
        // What each connection received, and whether it was closed (within a few seconds: closes are immediate).
        var received = [[UInt8]](repeating: [], count: count)
        var closed = [Bool](repeating: false, count: count)
        let deadline = Date().addingTimeInterval(3)
        repeat {
            for index in 0..<count where !closed[index] {
                while let bytes = connections[index].receiveNow(), !bytes.isEmpty { received[index] += bytes }
                if connections[index].receiveNow() == nil { closed[index] = true }
            }
            usleep(100_000)
        } while Date() < deadline
        return Outcome(received: received, closed: closed, residentBefore: before, residentAfter: after, syncSeconds: seconds)
    }

    /// [W-12.6] [W-12.7] The per-address cap: 200 connections from the device's own address.
    @Test(
        "200 idle or half-sent connections from the device's own address: the oldest past the cap are told BUSY, the device syncs, memory stays flat",
        arguments: [false, true])
    func floodFromOneAddress(tls: Bool) throws {
        // A long auth deadline: only the caps can close anything during the test.
        let cluster = try Cluster(extra: ["--auth-deadline", "120"] + (tls ? [] : ["--insecure"]))
        let log = LogReader(cluster.server.log)
        let outcome = try flood(cluster, tls: tls) { _ in nil }
        let cap = 16
        // The device's own connection took a slot too, so at most cap - 1 of the flood are left.
        #expect(outcome.closedCount >= 200 - cap, "closed \(outcome.closedCount) of 200")
        #expect(outcome.openCount >= cap / 2 && outcome.openCount <= cap, "open \(outcome.openCount)")
        // The oldest went first; the ones still waiting are among the newest half. The server's two event loops
        // register connections in parallel, so under load its order of arrival differs from the order they were
        // opened by a few dozen places (seen: every odd one from 163 on left open, the even ones closed).
        let open = outcome.closed.indices.filter { !outcome.closed[$0] }
        #expect(outcome.closed[0] && open.allSatisfy { $0 >= 100 }, "still open: \(open)")
        if !tls {
            for index in outcome.closed.indices where outcome.closed[index] {
                let told = try FaultTests.messages(outcome.received[index])
                #expect(Stall(rawValue: index % 5)!.refusals.contains { $0 == told.last?.errorCode }, "connection \(index): \(told)")
            }
        }
        #expect(outcome.syncSeconds < 30, "sync took \(outcome.syncSeconds) s")
        let growth = outcome.residentAfter - outcome.residentBefore
        print("flood from one address, \(tls ? "TLS" : "plain"): resident \(outcome.residentBefore) → \(outcome.residentAfter) KiB (+\(growth)), sync \(outcome.syncSeconds) s")
        #expect(growth < (tls ? 6_144 : 4_096), "the server grew by \(growth) KiB")
        _ = log
    }

    /// [W-12.7] The total cap, over connections from 50 addresses (4 each, under the per-address cap).
    @Test("200 connections from 50 addresses past a total cap of 64: the oldest are told BUSY, the device syncs")
    func floodFromManyAddresses() throws {
        let cluster = try Cluster(extra: ["--auth-deadline", "120", "--max-unauthenticated", "64", "--insecure"])
        let log = LogReader(cluster.server.log)
        let outcome = try flood(cluster, tls: false) { "127.0.0.\(2 + $0 % 50)" }
        #expect(outcome.closedCount >= 200 - 64, "closed \(outcome.closedCount) of 200")
        #expect(outcome.openCount >= 32 && outcome.openCount <= 64, "open \(outcome.openCount)")
        for index in outcome.closed.indices where outcome.closed[index] {
            let told = try FaultTests.messages(outcome.received[index])
            if Stall(rawValue: index % 5) == .oversizedFrame {
                #expect([.limitExceeded, .busy].contains { $0 == told.last?.errorCode }, "connection \(index): \(told)")
            } else {
                #expect(told.last == .error(Message.ErrorMessage(
                    code: .busy, fatal: true, message: "server busy: too many unauthenticated connections (64), retry later")))
            }
        }
        let growth = outcome.residentAfter - outcome.residentBefore
        print("flood from 50 addresses, plain: resident \(outcome.residentBefore) → \(outcome.residentAfter) KiB (+\(growth)), sync \(outcome.syncSeconds) s")
        #expect(growth < 4_096, "the server grew by \(growth) KiB")
        #expect(outcome.syncSeconds < 30, "sync took \(outcome.syncSeconds) s")
        _ = log
    }

    /// [W-12.7] The default caps against 200 TLS connections from 100 addresses (2 each): the total cap (64) closes
    /// the oldest, and the server's memory grows by what the waiting TLS connections cost (about 40 KB each).
    @Test("200 half-open TLS connections from 100 addresses, default caps: the oldest past 64 are closed, the device syncs, the server grows a few MB at most")
    func floodFromManyAddressesWithTLS() throws {
        let extra = ProcessInfo.processInfo.environment["FIELDBOOK_TEST_FLOOD_EXTRA"].map { $0.split(separator: " ").map(String.init) } ?? []
        let cluster = try Cluster(extra: ["--auth-deadline", "120"] + extra)
        let log = LogReader(cluster.server.log)
        let outcome = try flood(cluster, tls: true) { "127.0.1.\(1 + $0 % 100)" }
        let growth = outcome.residentAfter - outcome.residentBefore
        if extra.isEmpty {
            #expect(outcome.closedCount >= 200 - 64, "closed \(outcome.closedCount) of 200")
            #expect(outcome.openCount >= 32 && outcome.openCount <= 64, "open \(outcome.openCount)")
            #expect(growth < 6_144, "the server grew by \(growth) KiB")
        }
        print("200 TLS connections from 100 addresses \(extra): resident \(outcome.residentBefore) → \(outcome.residentAfter) KiB (+\(growth)), open \(outcome.openCount), sync \(outcome.syncSeconds) s")
        #expect(outcome.syncSeconds < 30, "sync took \(outcome.syncSeconds) s")
        _ = log
    }

    /// Sends `bytes` on a new connection and returns what the server sent back before closing (or after 5 s).
    func exchange(_ port: Int, _ bytes: [UInt8]) throws -> (bytes: [UInt8], closed: Bool) {
        let connection = try RawConnection(port: port)
        connection.send(bytes)
        return connection.drain(for: 5)
    }

    /// The six bytes of a device's preamble (version 2).
    static var preamble: [UInt8] {
        var buffer = ByteBuffer()
        Preamble.current.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The six bytes of the server's preamble (versions 1 to 4: it speaks 1 only to refuse an old device, SPEC [W-5.6]).
    static var serverPreamble: [UInt8] {
        var buffer = ByteBuffer()
        Preamble.server.write(to: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// [W-12.4] [W-12.5] [W-6.7] [W-5.2] [W-5.4] What an unauthenticated peer is told for each kind of bad input.
    @Test("before AUTH: a large frame is refused with limitExceeded, OPS or PING with unexpectedMessage, malformed frames with malformed")
    func refusalsBeforeAuth() throws {
        let cluster = try Cluster(extra: ["--insecure"])
        let log = LogReader(cluster.server.log)
        let port = cluster.server.port
        func expectAnswer(_ bytes: [UInt8], _ code: ErrorCode, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let (received, closed) = try exchange(port, bytes)
            #expect(closed, "closed after the answer", sourceLocation: sourceLocation)
            #expect(Array(received.prefix(6)) == Self.serverPreamble, "the server's preamble first", sourceLocation: sourceLocation)
            let messages = try FaultTests.messages(received)
            #expect(messages == [.error(Message.ErrorMessage(code: code, fatal: true, message: text))], sourceLocation: sourceLocation)
        }
        // A HELLO header declaring 5 000 bytes: refused from the header alone (no payload is ever sent).
        try expectAnswer(Self.preamble + [0x88, 0x27, 0x01], .limitExceeded, "frame length is over 4096 bytes before authentication")
        // 4 096 is allowed: the server waits for the rest (nothing comes back, it stays open).
        let (pending, pendingClosed) = try {
            let connection = try RawConnection(port: port)
            connection.send(Self.preamble + [0x80, 0x20, 0x01] + [UInt8](repeating: 1, count: 100))
            return connection.drain(for: 1)
        }()
        #expect(!pendingClosed && Array(pending) == Self.serverPreamble)
        // A compressed OPS declaring 4 MiB raw, over a corrupt stream: refused by its type, nothing inflated (an
        // inflating server would answer malformed: badCompression).
        let compressed: [UInt8] = [0x01, 0x01, 0x80, 0x80, 0x80, 0x02] + [UInt8](repeating: 0x78, count: 40)
        try expectAnswer(Self.preamble + [UInt8(compressed.count + 1), 0x10] + compressed, .unexpectedMessage, "OPS is not allowed before authentication")
        try expectAnswer(Self.preamble + [0x02, 0x30, 0x07], .unexpectedMessage, "PING is not allowed before authentication")
        try expectAnswer(Self.preamble + [0x01, 0x55], .unexpectedMessage, "TYPE_0x55 is not allowed before authentication")
        // Malformed frames: ERROR malformed, then the close [W-6.7].
        try expectAnswer(Self.preamble + [0x00], .malformed, "malformed: emptyFrame")
        try expectAnswer(Self.preamble + [0x0a, 0x01] + [UInt8](repeating: 1, count: 9), .malformed, "malformed: truncated")
        // A preamble with no version in common: the server's preamble and unsupportedVersion [W-5.4].
        try expectAnswer(Array(Self.preamble.prefix(4)) + [5, 5], .unsupportedVersion, "没有共同的同步协议版本：中心节点使用第 2–4 版，请更新 Fieldbook")
        // Not the protocol at all: closed without a byte [W-5.2].
        let (http, httpClosed) = try exchange(port, Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(httpClosed && http.isEmpty, "\(http)")
        // After AUTH the full limits apply: a device pushes frames far over 4 KiB.
        try cluster.enrol("M001", "a.sqlite")
        let adds = (0..<300).map { "add 赵\($0) note=第\($0)号客户的备注\(String(repeating: "记", count: $0 % 40))" }
        #expect(try cluster.book("a.sqlite", adds.joined(separator: "; ")).code == 0)
        let synced = try cluster.sync("a.sqlite")
        #expect(synced.code == 0, "\(synced.error)")
        #expect(synced.output.contains("发送 300 个操作"), "\(synced.output)")
        _ = log
    }

    /// [W-12.6] The authentication deadline, however busy the connection keeps itself.
    @Test("a connection that has not authenticated within --auth-deadline is told TIMEOUT and closed, idle or trickling")
    func authDeadline() throws {
        let cluster = try Cluster(extra: ["--auth-deadline", "1", "--insecure"])
        let log = LogReader(cluster.server.log)
        let idle = try RawConnection(port: cluster.server.port)
        let trickling = try RawConnection(port: cluster.server.port)
        // A HELLO one byte every 200 ms (the idle timeout never fires): it would take 14 s to finish.
        let hello = Self.preamble + [69, 0x01] + [UInt8](repeating: 1, count: 67)
        let started = Date()
        var received: [UInt8] = []
        var closed = false
        for byte in hello where !closed {
            trickling.send([byte])
            let (bytes, ended) = trickling.drain(for: 0.2)
            received += bytes
            closed = ended
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(closed, "the trickling connection was kept")
        #expect(elapsed >= 0.8 && elapsed < 8, "closed after \(elapsed) s")
        let timeout = Message.error(Message.ErrorMessage(code: .timeout, fatal: true, message: "authentication deadline of 1 s reached"))
        #expect(try FaultTests.messages(received) == [timeout])
        let (idleBytes, idleClosed) = idle.drain(for: 5)
        #expect(idleClosed)
        #expect(Array(idleBytes.prefix(6)) == Self.serverPreamble)
        #expect(try FaultTests.messages(idleBytes) == [timeout])
        // A device authenticates well within the deadline.
        try cluster.enrol("M001", "a.sqlite")
        let synced = try cluster.book("a.sqlite", "add 王芳; sync")
        #expect(synced.code == 0, "\(synced.error)")
        _ = log
    }
}
