import Foundation

/// Creates directories only their owner may enter (0700), whatever the umask: `FIELDBOOK_HOME`, a book's folder, the
/// central database's folder. Directories that already exist are left as they are (the user chose them).
public enum PrivateDirectory {
    /// Creates `path` and any missing parent, each with mode 0700.
    public static func create(_ path: String) {
        var missing: [String] = []
        var current = (path as NSString).standardizingPath
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            mkdir(directory, 0o700)
            // mkdir's mode passes through the umask, which may only clear bits: chmod sets exactly 0700.
            chmod(directory, 0o700)
        }
    }
}
