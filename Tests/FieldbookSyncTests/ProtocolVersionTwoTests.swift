import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookTestSupport
import FieldbookWire
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Protocol version 2 (issue 16): version-1 devices are told to update, and a pull cut during its delta resumes
/// after the last batch it applied (protocol/SPEC.md §5, §9.4).
@Suite("Protocol version 2")
struct ProtocolVersionTwoTests {
    /// Runs one whole session like ``SyncHarness/sync(_:dropAfter:secret:)`` and also counts the ops the server put
    /// in OPS messages, so a test sees what was sent, not only what was new to the device.
    static func syncCounting(_ harness: inout SyncHarness, _ device: TestDevice) throws -> (summary: SyncSummary, sent: Int) {
        var client = ClientSessionDriver(device: device.token.device, secret: device.token.secret, replica: device.replica, nonce: harness.nonce())
        var server = ServerSessionDriver(replica: harness.central, nonce: harness.nonce())
        var toServer: [Message] = []
        var toClient: [Message] = []
        var sent = 0
        for case .send(let message) in client.start() { toServer.append(message) }
        while true {
            if !toServer.isEmpty {
                for case .send(let reply) in server.receive(try SyncHarness.roundTrip(toServer.removeFirst())) {
                    if case .ops(let ops) = reply { sent += ops.operations.count }
                    toClient.append(reply)
                }
            } else if !toClient.isEmpty {
                for action in try client.receive(try SyncHarness.roundTrip(toClient.removeFirst())) {
                    switch action {
                    case .send(let reply): toServer.append(reply)
                    case .finished(let summary): return (summary, sent)
                    }
                }
            } else {
                throw SyncError(.protocolViolation, "both sides went quiet")
            }
        }
    }

    /// A second device of M001 that has pulled once, and M001's phone with a day of long notes pushed since: the
    /// laptop's next delta takes several batches.
    static func dayAfterFirstPull() throws -> (harness: SyncHarness, phone: TestDevice, laptop: TestDevice, day: Int) {
        var (harness, phone, _, _) = try SessionTests.setUp()
        let id = try SessionTests.add(phone, "王芳")
        #expect(try harness.sync(phone).summary?.verified == true)
        let laptop = TestDevice(
            book: try Book.inMemory(principal: "M001", options: .fixed(milliseconds: 1_795_395_600_500, seed: 9)),
            token: try harness.central.addDevice(for: "M001", address: "x:1"))
        #expect(try harness.sync(laptop).summary?.verified == true)
        let note = String(repeating: "家里老人身体不好，需要长期护理规划。", count: 300)  // ~16 KB: a few per batch
        let day = 60
        for index in 0..<day { try phone.book.write { tx in try tx.set(id, Schema.F.note, .text(note + "\(index)")) } }
        #expect(try harness.sync(phone).summary?.opsSent == day)
        return (harness, phone, laptop, day)
    }

    @Test("a pull cut during its delta resumes after the last batch applied, and sends nothing applied again (W-9.12)")
    func cutPullResumes() throws {
        var (harness, phone, laptop, day) = try Self.dayAfterFirstPull()
        let cursor = try laptop.book.syncCursor()
        let before = try laptop.book.opCount()
        // Cut the laptop's pull ever later until it has applied a delta batch (each cut session is a real one).
        var dropAfter = 1
        while try laptop.book.resumePoint() == 0 {
            guard case .dropped = try harness.sync(laptop, dropAfter: dropAfter) else {
                Issue.record("the pull finished before any cut left a resume point")
                return
            }
            dropAfter += 1
        }
        let resume = try laptop.book.resumePoint()
        let applied = try laptop.book.opCount() - before
        #expect(resume > cursor && applied > 0 && applied < day)
        // Only DONE moves the cursor, and a delta batch does not ask for a resync.
        #expect(try laptop.book.syncCursor() == cursor)
        #expect(try !laptop.book.needsResync())

        let (summary, sent) = try Self.syncCounting(&harness, laptop)
        #expect(summary.verified && summary.resumedAfter == resume)
        #expect(sent == day - applied, "the server resent \(sent - (day - applied)) ops the laptop had applied")
        #expect(summary.opsReceived == day - applied)
        #expect(try laptop.book.resumePoint() == 0)
        #expect(try laptop.book.stateHash() == phone.book.stateHash())
    }

    @Test("a pull cut after a backfill and a delta batch asks for a resync next time, and names no resume point (W-9.8, W-9.12)")
    func cutAfterBackfillResyncs() throws {
        var (harness, phone, laptop, day) = try Self.dayAfterFirstPull()
        // M002's customer moves to M001: the laptop's next pull backfills it before the day's delta.
        let other = TestDevice(
            book: try Book.inMemory(principal: "M002", options: .fixed(milliseconds: 1_795_395_600_700, seed: 11)),
            token: try harness.central.addDevice(for: "M002", address: "x:2"))
        let moving = try SessionTests.add(other, "陈静")
        #expect(try harness.sync(other).summary?.verified == true)
        try harness.central.assign(moving.short, to: "M001")
        // One cut, right after the first delta batch: HELLO, CHALLENGE, AUTH, WELCOME, PULL, the backfill OPS, the first
        // delta OPS. (An earlier cut that applied the backfill alone would make every later pull a resync, which has
        // no delta.)
        guard case .dropped = try harness.sync(laptop, dropAfter: 7) else {
            Issue.record("the pull finished before the cut")
            return
        }
        #expect(try laptop.book.resumePoint() > 0, "the cut did not come after a delta batch")
        // The backfill came first, so the book marked itself for a resync (SPEC [W-9.8]).
        #expect(try laptop.book.needsResync())
        #expect(try laptop.book.snapshot(of: moving) != nil)
        let (summary, sent) = try Self.syncCounting(&harness, laptop)
        #expect(summary.verified && summary.resynced && summary.resumedAfter == 0)
        // A resync sends the whole scope again: the day, the old customer and the new one.
        #expect(sent >= day)
        #expect(try laptop.book.resumePoint() == 0 && !laptop.book.needsResync())
        // The phone, synced too, holds exactly what the laptop holds.
        #expect(try harness.sync(phone).summary?.verified == true)
        #expect(try laptop.book.stateHash() == phone.book.stateHash())
    }

    @Test("the centre ignores a resume point with a resync, at or below the cursor, or past its log (W-8.9.3)")
    func resumePointsIgnored() throws {
        var (harness, _, laptop, day) = try Self.dayAfterFirstPull()
        let cursor = try laptop.book.syncCursor()
        let account = DeviceAccount(device: laptop.token.device, principal: "M001", actor: laptop.book.actor)
        let whole = try harness.central.pull(for: account, cursor: cursor, resync: false, resume: 0)
        #expect(whole.delta.count == day && whole.backfill.isEmpty)
        let middle = whole.delta[day / 2].lsn
        let resumed = try harness.central.pull(for: account, cursor: cursor, resync: false, resume: middle)
        #expect(resumed.delta.map(\.lsn) == whole.delta.map(\.lsn).filter { $0 > middle })
        #expect(resumed.cursor == whole.cursor && resumed.stateHash == whole.stateHash)
        for ignored in [cursor, cursor / 2, whole.cursor + 1, UInt64.max] {
            let plan = try harness.central.pull(for: account, cursor: cursor, resync: false, resume: ignored)
            #expect(plan.delta.map(\.lsn) == whole.delta.map(\.lsn), "resume \(ignored)")
        }
        // A resync resends the whole scope, whatever the resume point.
        let resync = try harness.central.pull(for: account, cursor: cursor, resync: true, resume: middle)
        #expect(resync.backfill.count == day + 1)
        // And the device never sends one with a resync.
        let again = try #require(try harness.sync(laptop).summary)
        #expect(again.verified && again.resumedAfter == 0)
    }

    @Test("a version-1 HELLO is refused with a fatal ERROR that tells the user to update Fieldbook (W-5.6, W-8.1.2)")
    func versionOneHelloRefused() throws {
        var (harness, a, _, _) = try SessionTests.setUp()
        var server = ServerSessionDriver(replica: harness.central, nonce: harness.nonce())
        let hello = Message.Hello(version: 1, device: a.token.device, actor: a.book.actor, nonce: harness.nonce(), schema: Schema.version)
        let actions = server.receive(.hello(hello))
        guard actions.count == 2, case .send(.error(let error)) = actions[0], case .close = actions[1] else {
            Issue.record("expected a fatal ERROR and close, got \(actions)")
            return
        }
        #expect(error.code == .unsupportedVersion && error.fatal && error.message == Preamble.updateMessage)
        // A device prints a fatal ERROR's message: that is what a version-1 device's user reads.
        var client = ClientSession(device: a.token.device, secret: a.token.secret, actor: a.book.actor, principal: "M001", nonce: harness.nonce())
        _ = client.start()
        #expect {
            _ = try client.receive(.error(error))
        } throws: { failure in
            (failure as? SyncError)?.message.contains("请更新 Fieldbook") == true
        }
    }

    @Test("over TCP a version-1 device negotiates 1 with the server's preamble 02 01 and reads the refusal (W-5.6)")
    func versionOneDeviceOverTCP() async throws {
        try await TransportTests.serving(.plain) { _, port in
            let socket = try LoopbackSocket.connect(port: port)
            defer { LoopbackSocket.close(socket) }
            // What a version-1 device sends: its preamble 01 01 and a HELLO of version 1, at once.
            var out = ByteBuffer()
            Preamble(maxVersion: 1, minVersion: 1).write(to: &out)
            _ = try out.writeMessage(.hello(Message.Hello(
                version: 1, device: DeviceID(bytes: [UInt8](repeating: 7, count: 16))!, actor: ActorID.random(),
                nonce: [UInt8](repeating: 2, count: 32), schema: 1)))
            _ = LoopbackSocket.send(socket, Array(out.readableBytesView))
            // A version-1 device's reader: it speaks 1 only.
            var reader = FrameReader(speaking: Preamble(maxVersion: 1, minVersion: 1))
            var messages: [Message] = []
            let deadline = Date().addingTimeInterval(20)
            var buffer = [UInt8](repeating: 0, count: 4_096)
            while Date() < deadline {
                let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if count == 0 { break }  // closed
                if count < 0 {
                    guard errno == EAGAIN || errno == EWOULDBLOCK else { break }
                    try await Task.sleep(for: .milliseconds(10))
                    continue
                }
                messages += try reader.feed(ByteBuffer(bytes: buffer.prefix(count)))
            }
            #expect(reader.peerPreamble == Preamble.server)
            #expect(messages == [.error(Message.ErrorMessage(code: .unsupportedVersion, fatal: true, message: Preamble.updateMessage))])
        }
    }

    @Test("a version-2 device refuses a version-1 server's preamble and says one side needs updating (W-5.6)")
    func versionOneServer() throws {
        var reader = FrameReader()
        var old = ByteBuffer()
        Preamble(maxVersion: 1, minVersion: 1).write(to: &old)
        #expect(throws: WireError.self) { _ = try reader.feed(old) }
        #expect(reader.peerPreamble == Preamble(maxVersion: 1, minVersion: 1))
    }
}
