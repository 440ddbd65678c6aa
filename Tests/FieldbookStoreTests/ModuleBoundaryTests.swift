import Foundation
import Testing

/// The centre's storage seam, checked on the source tree (docs/DECISIONS.md, "The centre's storage seam"): only the
/// storage modules import GRDB, and the SQLite centre runs SQL only on its own tables, asking the book's named
/// queries (`Book+Central*.swift`) about everything else. The suite fails as soon as either leaks.
@Suite("Module boundaries")
struct ModuleBoundaryTests {
    /// The package's root: this file is `Tests/FieldbookStoreTests/ModuleBoundaryTests.swift`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The modules under `Sources/` that may import GRDB: the book, the centre's SQLite store, and test helpers.
    static let storageModules: Set<String> = ["FieldbookStore", "FieldbookCentralSQLite", "FieldbookTestSupport"]

    // MARK: - The checks

    @Test("only FieldbookStore, FieldbookCentralSQLite and FieldbookTestSupport import GRDB")
    func onlyStoresImportGRDB() throws {
        let modules = try Self.modules()
        // Renaming a module must not make the check pass by looking at nothing.
        #expect(storageModulesExist(in: modules))
        #expect(modules.isSuperset(of: ["FieldbookCentral", "FieldbookServer", "FieldbookSync", "FieldbookShell"]))
        var leaks: [String] = []
        for module in modules.sorted() where !Self.storageModules.contains(module) {
            for (path, text) in try Self.swiftFiles(in: "Sources/\(module)") {
                leaks += Self.grdbImports(in: text).map { "\(path):\($0)" }
            }
        }
        #expect(leaks.isEmpty, "GRDB imported outside the storage modules: \(leaks)")
    }

    @Test("Package.swift links GRDB only to the storage modules among the targets in Sources/")
    func onlyStoresLinkGRDB() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let linked = Self.targetsLinkingGRDB(manifest)
        #expect(linked.contains("FieldbookStore"), "the manifest parse found the book's GRDB dependency")
        #expect(linked.subtracting(Self.storageModules).isEmpty, "GRDB linked by \(linked.subtracting(Self.storageModules).sorted())")
    }

    @Test("the SQLite centre's SQL names only the centre's own tables, never the book's")
    func centreRunsSQLOnItsOwnTables() throws {
        let bookTables = try Self.tablesCreated(in: "Sources/FieldbookStore")
        #expect(bookTables.isSuperset(of: ["op", "entity", "reg_value", "reg_superseded", "set_add", "customer", "meta"]))
        let centreTables = try Self.tablesCreated(in: "Sources/FieldbookCentralSQLite")
        #expect(centreTables == ["principal", "device", "lsn", "held", "refused", "scope_snapshot"])
        #expect(bookTables.isDisjoint(with: centreTables))
        var leaks: [String] = []
        let files = try Self.swiftFiles(in: "Sources/FieldbookCentralSQLite")
        #expect(files.count >= 5)
        for (path, text) in files {
            leaks += Self.tableReferences(in: text, to: bookTables).map { "\(path): \($0)" }
        }
        #expect(leaks.isEmpty, "SQL on the book's tables in the centre; add a named query to Book+Central*.swift: \(leaks)")
    }

    @Test("the detectors find imports, links and SQL on a book table, and pass the centre's own SQL")
    func detectorsFindLeaks() {
        #expect(Self.grdbImports(in: "import Foundation\nimport GRDB\n") == [2])
        #expect(Self.grdbImports(in: "@preconcurrency import GRDB") == [1])
        #expect(Self.grdbImports(in: "import struct GRDB.Row") == [1])
        #expect(Self.grdbImports(in: "import GRDB  // the database") == [1])
        #expect(Self.grdbImports(in: "import GRDBQuery\n// import GRDB\nlet s = \"import GRDB\"").isEmpty)

        let manifest = """
            .target(name: "A", dependencies: ["B", .product(name: "GRDB", package: "GRDB.swift")]),
            .target(
                name: "C",
                dependencies: ["D"]),
            .executableTarget(name: "tool", dependencies: [.product(name: "GRDB", package: "GRDB.swift")], path: "tools/x"),
            .testTarget(name: "T", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
            """
        #expect(Self.targetsLinkingGRDB(manifest) == ["A"])

        let book: Set<String> = ["op", "entity", "reg_value", "set_add", "customer"]
        let leaking = [
            #"try Int.fetchOne(db, sql: "SELECT count(*) FROM op")"#,
            #"sql: "SELECT e.id FROM entity e LEFT JOIN reg_value r ON r.entity = e.id""#,
            #"sql: "SELECT 1 FROM lsn, set_add WHERE lsn.actor = set_add.actor""#,
            #"sql: "SELECT 1 FROM lsn l, customer c""#,
            #"sql: "UPDATE customer SET tier = ?""#,
            #"sql: "INSERT OR REPLACE INTO entity (id) VALUES (?)""#,
            #"sql: "CREATE INDEX x ON set_add (field, element)""#,
            #"sql: "SELECT * FROM lsn WHERE NOT EXISTS (SELECT 1 FROM op WHERE op.actor = lsn.actor)""#,
            #"try db.columns(in: "customer")"#,
            #"let rows = try Row.fetchAll(db, Table("reg_value"))"#,
        ]
        for line in leaking { #expect(!Self.tableReferences(in: line, to: book).isEmpty, "\(line)") }
        let clean = [
            #"sql: "INSERT INTO refused (actor, counter, code, at, reason, customer, change) VALUES (?, ?, ?, ?, ?, ?, ?)""#,
            #"sql: "INSERT INTO held (actor, held) VALUES (?, ?) ON CONFLICT(actor) DO UPDATE SET held = excluded.held""#,
            #"sql: "SELECT lsn, actor, counter, scope FROM lsn WHERE scope = ? AND lsn > ?""#,
            #"let op = try Book.op(id, db: db); let customer = refused["customer"]"#,
            "// a comment about rows FROM op",
        ]
        for line in clean { #expect(Self.tableReferences(in: line, to: book).isEmpty, "\(line)") }
    }

    private func storageModulesExist(in modules: Set<String>) -> Bool { modules.isSuperset(of: Self.storageModules) }

    // MARK: - Reading the tree

    /// The module directories under `Sources/`.
    static func modules() throws -> Set<String> {
        let sources = root.appendingPathComponent("Sources")
        return Set(
            try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { name in
                var directory: ObjCBool = false
                return FileManager.default.fileExists(atPath: sources.appendingPathComponent(name).path, isDirectory: &directory)
                    && directory.boolValue
            })
    }

    /// Every Swift file under a directory of the package, with its path relative to the root, sorted by path.
    static func swiftFiles(in directory: String) throws -> [(path: String, text: String)] {
        let base = root.appendingPathComponent(directory)
        guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
        var files: [(path: String, text: String)] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let text = try String(contentsOf: base.appendingPathComponent(relative), encoding: .utf8)
            files.append(("\(directory)/\(relative)", text))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// The tables that the SQL in a directory's sources creates (`CREATE [VIRTUAL] TABLE [IF NOT EXISTS] name`).
    static func tablesCreated(in directory: String) throws -> Set<String> {
        var tables: Set<String> = []
        for (_, text) in try swiftFiles(in: directory) {
            let tokens = sqlTokens(text)
            for index in tokens.indices where tokens[index] == "CREATE" {
                var next = index + 1
                if next < tokens.count, tokens[next] == "VIRTUAL" { next += 1 }
                guard next < tokens.count, tokens[next] == "TABLE" else { continue }
                next += 1
                if next + 2 < tokens.count, tokens[next] == "IF", tokens[next + 1] == "NOT", tokens[next + 2] == "EXISTS" {
                    next += 3
                }
                if next < tokens.count, isIdentifier(tokens[next]) { tables.insert(tokens[next]) }
            }
        }
        return tables
    }

    // MARK: - Detectors

    /// The line numbers (from 1) of the lines that import GRDB, in any form (`@preconcurrency import GRDB`,
    /// `import struct GRDB.Row`).
    static func grdbImports(in text: String) -> [Int] {
        var lines: [Int] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            // `import struct GRDB.Row` names the module after the kind of declaration.
            let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "let", "var"]
            let named = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            let module = named.split(separator: ".").first.map(String.init)
            if module == "GRDB" { lines.append(number + 1) }
        }
        return lines
    }

    /// The names of the targets declared in a manifest without a `path:` (so their sources are in `Sources/`) whose
    /// declaration names the GRDB package.
    static func targetsLinkingGRDB(_ manifest: String) -> Set<String> {
        var linked: Set<String> = []
        for opener in [".target(", ".executableTarget("] {
            var rest = manifest[...]
            while let start = rest.range(of: opener) {
                // The declaration runs to the parenthesis that closes the opener.
                var depth = 0
                var end = start.lowerBound
                for index in rest[start.lowerBound...].indices {
                    let character = rest[index]
                    if character == "(" { depth += 1 }
                    if character == ")" {
                        depth -= 1
                        if depth == 0 {
                            end = index
                            break
                        }
                    }
                }
                let declaration = rest[start.lowerBound..<end]
                rest = rest[rest.index(after: end)...]
                guard declaration.contains("\"GRDB.swift\""), !declaration.contains("path:"),
                    let nameStart = declaration.range(of: "name: \""),
                    let nameEnd = declaration[nameStart.upperBound...].firstIndex(of: "\"")
                else { continue }
                linked.insert(String(declaration[nameStart.upperBound..<nameEnd]))
            }
        }
        return linked
    }

    /// Where a source's SQL names one of `tables`: after `FROM` (and each table of a comma list), `JOIN`, `INTO`,
    /// `UPDATE`, `TABLE` or `ON`, in the upper case the project writes SQL in; or GRDB's query interface naming it
    /// (`Table("op")`, `columns(in: "op")`). Full-line comments are skipped.
    static func tableReferences(in text: String, to tables: Set<String>) -> [String] {
        var found: [String] = []
        let tokens = sqlTokens(text)
        let clauseEnds: Set<String> = [
            "WHERE", "ORDER", "GROUP", "LIMIT", "LEFT", "INNER", "CROSS", "NATURAL", "JOIN", "ON", "USING", "UNION",
            "HAVING", "EXCEPT", "INTERSECT", "WINDOW", "SET", "VALUES",
        ]
        for index in tokens.indices where ["FROM", "JOIN", "INTO", "UPDATE", "TABLE", "ON"].contains(tokens[index]) {
            var next = index + 1
            while next < tokens.count, isIdentifier(tokens[next]) {
                if tables.contains(tokens[next]) { found.append("\(tokens[index]) \(tokens[next])") }
                guard tokens[index] == "FROM" else { break }
                // `FROM a x, b y`: skip the alias (`AS x` or `x`), then follow a comma to the next table.
                next += 1
                if next < tokens.count, tokens[next] == "AS" { next += 1 }
                if next < tokens.count, isIdentifier(tokens[next]), !clauseEnds.contains(tokens[next]) { next += 1 }
                guard next < tokens.count, tokens[next] == "," else { break }
                next += 1
            }
        }
        for line in codeLines(text) {
            for table in tables {
                for form in ["Table(\"\(table)\")", "in: \"\(table)\"", "table: \"\(table)\"", "tableName: \"\(table)\""]
                where line.contains(form) {
                    found.append(form)
                }
            }
        }
        return found
    }

    /// A source's lines without its full-line comments.
    private static func codeLines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("//")
        }
    }

    /// A source as words (`[A-Za-z_][A-Za-z0-9_]*`) and single punctuation characters, full-line comments left out.
    private static func sqlTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        for line in codeLines(text) {
            var word = ""
            for character in line {
                if character.isASCII, character.isLetter || character.isNumber || character == "_" {
                    word.append(character)
                    continue
                }
                if !word.isEmpty {
                    tokens.append(word)
                    word = ""
                }
                if !character.isWhitespace { tokens.append(String(character)) }
            }
            if !word.isEmpty { tokens.append(word) }
        }
        return tokens
    }

    private static func isIdentifier(_ token: String) -> Bool {
        guard let first = token.first else { return false }
        return first.isASCII && (first.isLetter || first == "_")
    }
}
