// WireDumpCommand.swift: `wiredump`, an annotated dump of wire bytes in the notation of protocol/SPEC.md §3.3.
//
// Usage:  wiredump HEX…            bytes as hex digits (spaces allowed)
//         wiredump -f FILE         a binary capture
//         wiredump                 hex on standard input
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
            print("usage: wiredump HEX… | wiredump -f FILE | wiredump < hex")
            return
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
        print(WireDump.annotate(bytes))
    }
}
