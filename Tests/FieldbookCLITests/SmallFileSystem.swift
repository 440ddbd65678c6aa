import FieldbookTestSupport
import Foundation

/// A small tmpfs mounted for one test, for a real full disk and a real read-only file system (root ignores file
/// modes, so `chmod` cannot make a book read-only for these tests). `nil` where mounting is not permitted: the tests
/// that need it are then skipped.
final class SmallFileSystem {
    let directory = TemporaryDirectory()
    var path: String { directory.path }

    init?(kilobytes: Int) {
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", directory.path]) else { return nil }
    }

    /// Remounts read-only.
    func makeReadOnly() -> Bool {
        Self.run("/bin/mount", ["-o", "remount,ro", directory.path])
    }

    deinit { _ = Self.run("/bin/umount", ["-l", directory.path]) }

    /// Whether mounting works here at all.
    static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/bin/mount") else { return false }
        return SmallFileSystem(kilobytes: 64) != nil
    }()

    private static func run(_ tool: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
