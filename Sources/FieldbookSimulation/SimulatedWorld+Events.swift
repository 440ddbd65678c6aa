import FieldbookCentral
import FieldbookCentralSQLite
import FieldbookModel
import FieldbookServer
import FieldbookStore
import FieldbookSync
import FieldbookWire

/// The extensions' events that change the world itself.
extension SimulatedWorld {
    /// Closes the centre's database and opens it again from its file, as a restarted server would. Nothing is kept
    /// in memory across it but the clock.
    func restartCentre() throws {
        guard let scratch else { return }
        statistics.centreRestarts += 1
        centreStorage = nil  // the last reference: the database closes here
        centreStorage = try CentralDatabase.open(at: scratch.file("central.sqlite"), options: centreOptions)
    }

    /// Replaces a random device with a fresh book enrolled with a new token for the same principal, and revokes the
    /// old enrolment. Half the time the old device first syncs without faults. Its work the centre had received
    /// (stored or refused: counters up to the centre's `held`) must still be stored; the rest is lost with the book.
    func reenrol() throws {
        let index = Int(random.next() % UInt64(devices.count))
        let old = devices[index]
        log("  replacing \(old.label)\(old.authored.isEmpty ? "" : ", which authored up to \(old.authored.last!)")")
        if chance(50) {
            log("  its last sync, without faults")
            _ = try quietSync(old)
        }
        let held = try central.held(of: old.book.actor)
        for op in old.authored {
            if op.counter <= held {
                inheritedWork.append((old.label, op))
            } else {
                statistics.opsDroppedWithDevice += 1
            }
        }
        try central.revokeDevice(old.token.device.hex)
        generation += 1
        statistics.reenrolments += 1
        devices[index] = try enrol(index: index, principal: old.principal)
    }
}
