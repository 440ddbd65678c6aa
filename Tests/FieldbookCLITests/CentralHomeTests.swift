import FieldbookTestSupport
import Foundation
import Testing

/// End-to-end tests that run `fieldbook` against a central node in one temporary home: `admin` commands, books in
/// that home run with `-c`, and devices enrolled with tokens from the centre.
protocol CentralHomeTests {
    /// The home of the central database and of the books.
    var home: TemporaryDirectory { get }
}

extension CentralHomeTests {
    /// Runs `fieldbook admin ARGUMENTS` on the home's central database.
    func admin(_ arguments: String...) throws -> Executable.Result {
        try Executable.run(["admin"] + arguments, environment: ["FIELDBOOK_HOME": home.path])
    }

    /// Runs commands on a book of the home.
    func book(_ name: String, _ commands: String) throws -> Executable.Result {
        try Executable.run(["--book", home.file(name), "-c", commands], environment: ["FIELDBOOK_HOME": home.path])
    }

    /// Creates a book for a principal, enrolled with a new token from the centre.
    func enrol(_ code: String, _ name: String, server: CentralProcess) throws {
        let token = try admin("device", "add", code, "--server", server.address)
        #expect(token.code == 0, "\(token.error)")
        let created = try Executable.run(
            ["init", "--principal", code, "--book", home.file(name), "--token", token.output.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(created.code == 0, "\(created.error)")
    }
}
