import FieldbookTestSupport
import Foundation
import Testing

/// Every folder Fieldbook creates is 0700 whatever the umask (issue 15): `FIELDBOOK_HOME`, a book's folder, the
/// central database's folder (which also holds its key and TLS files). Folders that exist are left alone.
@Suite("Private folders under umask 000")
struct PrivateFolderTests {
    let root = TemporaryDirectory()

    /// Runs `fieldbook ARGUMENTS` under `umask 000`.
    @discardableResult
    func runUnderOpenUmask(_ arguments: [String], environment: [String: String] = [:]) throws -> Executable.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"umask 000; exec "$0" "$@""#, Executable.path] + arguments
        process.environment = Executable.environment(environment)
        let output = Pipe()
        let error = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Executable.Result(
            code: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            error: String(decoding: err, as: UTF8.self))
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    /// Every folder and file under `folder`, with its mode.
    func modes(under folder: String) throws -> [(String, Int, Bool)] {
        var found: [(String, Int, Bool)] = []
        for name in try FileManager.default.subpathsOfDirectory(atPath: folder) {
            let path = (folder as NSString).appendingPathComponent(name)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
            found.append((name, try mode(path), isFolder.boolValue))
        }
        return found
    }

    @Test("init, the shell, admin, serve and demo-data create 0700 folders and 0600 files under umask 000")
    func everyCreator() throws {
        // init with FIELDBOOK_HOME two levels below an existing folder; then the shell writes its history.
        let home = root.file("home/fieldbook")
        let created = try runUnderOpenUmask(["init", "--principal", "M001"], environment: ["FIELDBOOK_HOME": home])
        #expect(created.code == 0, "\(created.error)")
        #expect(try runUnderOpenUmask(["-c", "add 王芳"], environment: ["FIELDBOOK_HOME": home]).code == 0)
        // init with --book in folders that do not exist yet.
        #expect(try runUnderOpenUmask(["init", "--principal", "M001", "--book", root.file("books/a/b/book.sqlite")]).code == 0)
        // The central database, its key, and the TLS certificate serve makes beside it.
        let central = root.file("central/home")
        #expect(try runUnderOpenUmask(
            ["admin", "principal", "add", "M001", "--name", "张经理", "--role", "manager"],
            environment: ["FIELDBOOK_HOME": central]).code == 0)
        let served = root.file("served/home")
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/bin/sh")
        server.arguments = ["-c", #"umask 000; exec "$0" serve --host 127.0.0.1 --port 0"#, Executable.path]
        server.environment = Executable.environment(["FIELDBOOK_HOME": served])
        let listening = Pipe()
        server.standardOutput = listening
        server.standardError = FileHandle.nullDevice
        try server.run()
        let line = Executable.firstLine(of: listening)
        #expect(line.hasPrefix("listening on"), "\(line)")
        server.terminate()
        server.waitUntilExit()
        // A demo book.
        let demo = try runUnderOpenUmask(["demo-data", "--book", root.file("demo/x/book.sqlite"), "--customers", "3"])
        #expect(demo.code == 0, "\(demo.error)")

        for top in ["home", "books", "central", "served", "demo"] {
            #expect(try mode(root.file(top)) == 0o700, "\(top)")
            for (name, mode, isFolder) in try modes(under: root.file(top)) {
                #expect(mode == (isFolder ? 0o700 : 0o600), "\(top)/\(name): \(String(mode, radix: 8))")
            }
        }
        #expect(FileManager.default.fileExists(atPath: root.file("served/home/central.sqlite.tls.pem")))
        #expect(FileManager.default.fileExists(atPath: root.file("central/home/central.sqlite.key")))
    }

    @Test("a folder that already exists keeps its mode: it is the user's")
    func existingFolder() throws {
        let folder = root.file("shared")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        #expect(chmod(folder, 0o755) == 0)
        #expect(try runUnderOpenUmask(["init", "--principal", "M001"], environment: ["FIELDBOOK_HOME": folder]).code == 0)
        #expect(try mode(folder) == 0o755)
        #expect(try mode((folder as NSString).appendingPathComponent("book.sqlite")) == 0o600)
    }
}
