import Foundation

/// A fresh folder for a simulation's files, removed when the value is released. It is made in `/dev/shm` when that
/// is a writable memory file system (the centre commits with `synchronous = FULL`, and a restart needs a real file,
/// not a disk's fsync), else in the system's temporary folder.
final class ScratchDirectory {
    /// The folder.
    let path: String

    /// Creates the folder.
    init() throws {
        let shm = "/dev/shm"
        let base = FileManager.default.isWritableFile(atPath: shm) ? shm : NSTemporaryDirectory()
        path = (base as NSString).appendingPathComponent("fieldbook-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the folder.
    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
