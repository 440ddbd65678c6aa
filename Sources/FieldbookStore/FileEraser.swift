import Foundation

/// Deletes a file after overwriting its bytes with zeros and flushing them, so what it held is not left in the
/// blocks the file system frees (on a disk that writes in place; flash with wear levelling may keep old blocks,
/// which only encryption at rest answers: SECURITY.md).
public enum FileEraser {
    /// Overwrites and deletes one file. A missing file is not an error.
    public static func erase(_ path: String) {
        let descriptor = open(path, O_WRONLY)
        guard descriptor >= 0 else {
            unlink(path)
            return
        }
        var remaining = lseek(descriptor, 0, SEEK_END)
        lseek(descriptor, 0, SEEK_SET)
        let zeros = [UInt8](repeating: 0, count: 65_536)
        while remaining > 0 {
            let written = zeros.withUnsafeBytes { write(descriptor, $0.baseAddress, Int(min(remaining, 65_536))) }
            if written <= 0 { break }
            remaining -= off_t(written)
        }
        fsync(descriptor)
        close(descriptor)
        unlink(path)
    }
}
