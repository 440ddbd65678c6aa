// AdmissionTests.swift: first come, first served admission of sessions to the centre's store (issue 16, SPEC [W-12.8]).

import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookClient
import FieldbookModel
@testable import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire
import Foundation
import NIOCore
import Synchronization
import Testing

@Suite("Admission of sessions to the store")
struct AdmissionTests {
    @Test("sessions are admitted in arrival order up to the capacity; leaving admits the next; places count down")
    func firstComeFirstServed() async throws {
        let gate = AdmissionGate(capacity: 2)
        let first = gate.enter(), second = gate.enter(), third = gate.enter(), fourth = gate.enter()
        #expect(gate.isAdmitted(first) && gate.isAdmitted(second))
        #expect(!gate.isAdmitted(third) && !gate.isAdmitted(fourth))
        #expect(gate.place(of: third) == 1 && gate.place(of: fourth) == 2)
        #expect(gate.active == 2 && gate.waiting == 2)
        await gate.wait(for: first)  // admitted: returns at once

        let order = Recorded<Int>()
        let waiters = [(3, third), (4, fourth)].map { number, ticket in
            Task {
                await gate.wait(for: ticket)
                order.append(number)
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        #expect(order.items.isEmpty, "no one is admitted while both slots are held")
        gate.leave(first)
        await waiters[0].value
        #expect(order.items == [3])
        #expect(gate.place(of: fourth) == 1)
        gate.leave(second)
        await waiters[1].value
        #expect(order.items == [3, 4])
        gate.leave(third)
        gate.leave(fourth)
        #expect(gate.active == 0 && gate.waiting == 0)
        // A newcomer to an empty gate goes straight in.
        let fifth = gate.enter()
        #expect(gate.isAdmitted(fifth))
    }

    @Test("a waiting session that leaves (its connection ended) gives up its place and is resumed")
    func leavingTheLine() async throws {
        let gate = AdmissionGate(capacity: 1)
        let holder = gate.enter(), quitter = gate.enter(), patient = gate.enter()
        let waiting = Task { await gate.wait(for: quitter) }
        try await Task.sleep(for: .milliseconds(20))
        gate.leave(quitter)
        await waiting.value  // resumed, not stuck
        #expect(gate.place(of: patient) == 1)
        gate.leave(holder)
        #expect(gate.isAdmitted(patient), "the quitter's place went to the one behind it")
        gate.leave(patient)
    }

    /// A device whose push reaches the server while another session holds the only slot waits: it is kept alive and
    /// told its place, and syncs as soon as the slot is free.
    @Test("a device waiting for admission hears its place, stays connected, and syncs once the slot frees")
    func waitingDevice() async throws {
        try await TransportTests.serving(
            .plain, admission: AdmissionGate(capacity: 1), keepalive: .milliseconds(100)
        ) { central, port in
            // A session that pushes and then sits, holding the only slot.
            let holder = try LoopbackPeer(port: port)
            let holding = try central.addDevice(for: "M001", address: "127.0.0.1:\(port)")
            guard case .welcome = try await holder.authenticate(holding) else {
                Issue.record("the holder did not authenticate")
                return
            }
            try holder.send(.ops(Message.Ops(seq: 1, operations: [])))
            guard case .ack = try await holder.next(within: 20) else {
                Issue.record("the holder's push was not acknowledged")
                return
            }

            // Next in line, a raw device: its push is not answered, but it hears PING and its place every 100 ms.
            let waiter = try LoopbackPeer(port: port)
            guard case .welcome = try await waiter.authenticate(try central.addDevice(for: "M001", address: "127.0.0.1:\(port)"))
            else {
                Issue.record("the waiting device did not authenticate")
                return
            }
            try waiter.send(.ops(Message.Ops(seq: 1, operations: [])))
            var pings = 0
            var notices: [String] = []
            while pings < 3, let message = try await waiter.next(within: 20) {
                switch message {
                case .ping: pings += 1
                case .error(let error) where error.code == .queued && !error.fatal: notices.append(error.message)
                default: Issue.record("a waiting device is told nothing but PING and its place, got \(message.type)")
                }
            }
            #expect(pings == 3 && notices.first == "前面还有 0 个同步", "\(notices)")

            // Third in line, a real device: it shows its place while it waits.
            let token = try central.addDevice(for: "M001", address: "127.0.0.1:\(port)")
            let book = try TransportTests.device(token, seed: 5)
            let lines = Recorded<String>()
            let syncing = Task { try await SyncClient(book: book, timeout: 20).sync { lines.append($0) } }
            for _ in 0..<200 where !lines.items.contains(where: { $0.contains("排队") }) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(lines.items.contains { $0.contains("正在排队：前面还有 1 个同步") }, "\(lines.items)")
            #expect(try book.unsyncedOpCount() == 1, "nothing was stored while waiting")

            // The slot passes on in order: the raw device's push is answered, then the real device syncs.
            holder.disconnect()
            var acknowledged = false
            while !acknowledged, let message = try await waiter.next(within: 20) {
                if case .ack = message { acknowledged = true }
            }
            #expect(acknowledged, "the next in line is admitted when the holder leaves")
            waiter.disconnect()
            let summary = try await syncing.value
            #expect(summary.verified && summary.opsSent == 1)
        }
    }
}

/// What concurrent tasks recorded, in order.
final class Recorded<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    /// Records one more.
    func append(_ element: Element) { storage.withLock { $0.append(element) } }

    /// Everything recorded so far.
    var items: [Element] { storage.withLock { $0 } }
}
