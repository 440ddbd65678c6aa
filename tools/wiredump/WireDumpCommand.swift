// WireDumpCommand.swift: `wiredump`, an annotated dump of wire bytes in the notation of protocol/SPEC.md §3.3.
//
// Usage:  wiredump [--version N] [--columns] HEX…    bytes as hex digits (spaces allowed)
//         wiredump [--version N] [--columns] -f FILE  a binary capture
//         wiredump [--version N] [--columns]          hex on standard input
//
// --version N reads OPS batches in version N's layout (default: the capture's preamble, else the current version);
// --columns prints, instead of the dump, the bytes of each table and column of the OPS batches (raw, and
// zlib-compressed alone).
import FieldbookWire
import Foundation

/// The `wiredump` command.
@main
enum WireDumpCommand {
    /// Reads the input, prints the dump, and exits 1 for unreadable input.
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        let bytes: [UInt8]
        if arguments.first == "-h" || arguments.first == "--help" {
            print("usage: wiredump [--version N] [--columns] (HEX… | -f FILE | < hex)")
            return
        }
        var version: UInt8?
        var columns = false
        while let first = arguments.first, first.hasPrefix("--") {
            arguments.removeFirst()
            if first == "--columns" {
                columns = true
            } else if first == "--version", let next = arguments.first, let number = UInt8(next), number >= 2 {
                arguments.removeFirst()
                version = number
            } else {
                FileHandle.standardError.write(Data("wiredump: unknown option \(first) (--version N, --columns)\n".utf8))
                exit(1)
            }
        }
        if arguments.first == "-f" {
            guard arguments.count == 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
                FileHandle.standardError.write(Data("wiredump: cannot read the file\n".utf8))
                exit(1)
            }
            bytes = Array(data)
        } else {
            if arguments.isEmpty {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                arguments = [String(decoding: data, as: UTF8.self)]
            }
            guard let parsed = Hex.decode(arguments.joined(separator: " ")) else {
                FileHandle.standardError.write(Data("wiredump: the input is not hex digits\n".utf8))
                exit(1)
            }
            bytes = parsed
        }
        guard columns else {
            print(WireDump.annotate(bytes, version: version))
            return
        }
        guard let parts = WireDump.breakdown(bytes, version: version) else {
            FileHandle.standardError.write(Data("wiredump: the capture does not decode (run without --columns to see where)\n".utf8))
            exit(1)
        }
        let total = parts.reduce(0) { $0 + $1.raw }
        print("part                      raw bytes   share   zlib alone")
        for part in parts {
            let name = part.name.padding(toLength: 24, withPad: " ", startingAt: 0)
            let share = total == 0 ? 0 : Double(part.raw) * 100 / Double(total)
            print("\(name)  \(String(format: "%9d  %5.1f %%  %10d", part.raw, share, part.compressedAlone))")
        }
        print("total                     \(String(format: "%9d", total))")
    }
}
