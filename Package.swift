// swift-tools-version: 6.1
// Fieldbook: an offline-first customer book for bank relationship managers.
// Module layout and dependency direction: ../shared/ARCHITECTURE.md §2 and docs/DECISIONS.md.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Fieldbook",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fieldbook", targets: ["fieldbook"]),
        .library(name: "FieldbookModel", targets: ["FieldbookModel"]),
        .library(name: "FieldbookStore", targets: ["FieldbookStore"]),
        .library(name: "FieldbookWire", targets: ["FieldbookWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        // TLS between device and central node (issue 9): nio-ssl for the channel, certificates to mint the
        // self-signed server identity.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // Allocation counts in the benchmarks (issue 8). No target links it, so SwiftPM warns that it is unused:
        // tools/bench/run builds its MallocInterposerSwift product and preloads it into one untimed process, since a
        // linked interposer would replace malloc in every timed workload too.
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", exact: "1.6.1"),
        // The centre on PostgreSQL (issue 17): a connection pool per `serve` process.
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
    ],
    targets: [
        // System zlib, for compressed op batches on the wire.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // System libedit, for the interactive shell's line editing; used only by the executable.
        .systemLibrary(
            name: "CEditLine", path: "Sources/CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),

        // Pure values and CRDT rules. Crypto is used for SHA-256 of the state hash only (docs/DECISIONS.md).
        .target(
            name: "FieldbookModel",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The durable book: insert-only op log and projections on GRDB (system SQLite).
        .target(
            name: "FieldbookStore",
            // GRDBSQLite (GRDB's module of the system SQLite) for the C calls GRDB does not wrap: the WAL hook of the
            // checkpoint policy and the projector's direct binding.
            dependencies: [
                "FieldbookModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // Byte-level codec of the sync protocol (protocol/SPEC.md). No sockets.
        .target(
            name: "FieldbookWire",
            dependencies: ["FieldbookModel", "CZlib", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // Transport-free sync sessions: client and server state machines over Wire messages (ARCHITECTURE §5).
        .target(
            name: "FieldbookSync",
            dependencies: [
                "FieldbookModel", "FieldbookWire", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The central node's storage seam (async protocols: sync, administration, reports) and the values it speaks
        // in; no storage engine here (ARCHITECTURE §6, docs/DECISIONS.md "The centre's storage seam").
        .target(
            name: "FieldbookCentral",
            dependencies: [
                "FieldbookSync", "FieldbookWire", "FieldbookModel", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The centre's store on SQLite (GRDB): the consolidated book plus principals, devices, the log sequence and
        // per-device sync state. The only module besides FieldbookStore that may import GRDB (ModuleBoundaryTests).
        .target(
            name: "FieldbookCentralSQLite",
            dependencies: [
                "FieldbookCentral", "FieldbookSync", "FieldbookStore", "FieldbookWire", "FieldbookModel",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The centre's store on PostgreSQL (postgres-nio): the same seam for several stateless `serve` processes sharing
        // one database. No GRDB and no FieldbookStore here: the projection is written in SQL over its own tables.
        .target(
            name: "FieldbookCentralPostgres",
            dependencies: [
                "FieldbookCentral", "FieldbookSync", "FieldbookWire", "FieldbookModel",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // The central node's transport: NIO listener, TLS, connection limits, admission, the session driver.
        .target(
            name: "FieldbookServer",
            dependencies: [
                "FieldbookCentral", "FieldbookSync", "FieldbookWire", "FieldbookModel",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),
        // The device side of sync: runs a client session over a NIO connection against the local Book.
        .target(
            name: "FieldbookClient",
            dependencies: [
                "FieldbookSync", "FieldbookStore", "FieldbookWire", "FieldbookModel",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Command parsing, execution and rendering over a Book; a library so tests need no TTY.
        .target(
            name: "FieldbookShell",
            dependencies: [
                "FieldbookModel", "FieldbookStore", "FieldbookClient", "FieldbookSync", "FieldbookWire",
                .product(name: "CSV", package: "CSV.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The thin executable.
        .executableTarget(
            name: "fieldbook",
            dependencies: [
                "FieldbookShell", "FieldbookStore", "FieldbookModel", "CEditLine", "FieldbookServer", "FieldbookClient",
                "FieldbookCentral", "FieldbookCentralSQLite", "FieldbookCentralPostgres",
                "FieldbookSync", "FieldbookWire",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Issue 21's seeded scenario (a centre, devices, faulty sessions, coverage changes) and its invariants, as a
        // library: the simulated-network tests and tools/simulate (fieldbook-simulate) run the same code.
        .target(
            name: "FieldbookSimulation",
            dependencies: [
                "FieldbookModel", "FieldbookStore", "FieldbookSync", "FieldbookServer", "FieldbookClient", "FieldbookWire",
                "FieldbookCentral", "FieldbookCentralSQLite",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Helpers shared by the test targets: temporary books, random histories.
        .target(
            name: "FieldbookTestSupport",
            dependencies: ["FieldbookModel", "FieldbookStore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),

        // Timing and the `RESULT {json}` lines of the benchmarks and the load generator.
        .target(name: "BenchSupport", path: "tools/bench/Support", swiftSettings: swiftSettings),
        // Benchmarks (issue 8): Fieldbook's own workloads; tools/bench/run drives them.
        .executableTarget(
            name: "fieldbook-bench",
            dependencies: [
                "BenchSupport", "FieldbookClient", "FieldbookServer", "FieldbookCentral", "FieldbookCentralSQLite", "FieldbookStore", "FieldbookSync", "FieldbookModel", "FieldbookWire",
                .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "tools/bench/FieldbookBench",
            swiftSettings: swiftSettings
        ),
        // Central load generator (issue 8): N devices syncing against a real `fieldbook serve`.
        .executableTarget(
            name: "fieldbook-loadgen",
            dependencies: [
                "BenchSupport", "FieldbookClient", "FieldbookServer", "FieldbookCentral", "FieldbookCentralSQLite", "FieldbookCentralPostgres",
                "FieldbookStore", "FieldbookSync", "FieldbookModel", "FieldbookWire", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "tools/loadgen",
            swiftSettings: swiftSettings
        ),
        // Simulated-network seeds in parallel, release-built by tools/simulate (issue 21).
        .executableTarget(
            name: "fieldbook-simulate",
            dependencies: ["FieldbookSimulation"],
            path: "tools/simulator",
            swiftSettings: swiftSettings
        ),
        // Wire tools (issue 4)
        .executableTarget(name: "wiredump", dependencies: ["FieldbookWire"], path: "tools/wiredump", swiftSettings: swiftSettings),
        .executableTarget(
            name: "FuzzWire",
            dependencies: ["FieldbookWire", "FieldbookModel", .product(name: "NIOCore", package: "swift-nio")],
            path: "tools/fuzz/FuzzWire",
            swiftSettings: swiftSettings
        ),
        // Session fuzzer (issue 9): scripts of valid and invalid messages against a ServerSession (tools/fuzz/run).
        .executableTarget(
            name: "FuzzSession",
            dependencies: [
                "FieldbookSync", "FieldbookWire", "FieldbookModel", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "tools/fuzz/FuzzSession",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "FieldbookModelTests",
            dependencies: [
                "FieldbookModel", "FieldbookTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldbookStoreTests",
            dependencies: [
                "FieldbookStore", "FieldbookModel", "FieldbookTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldbookWireTests",
            dependencies: ["FieldbookWire", "FieldbookModel", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldbookShellTests",
            dependencies: ["FieldbookShell", "FieldbookStore", "FieldbookModel", "FieldbookTestSupport"],
            resources: [.copy("Transcripts")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FieldbookSyncTests",
            dependencies: [
                "FieldbookSync", "FieldbookServer", "FieldbookCentral", "FieldbookCentralSQLite", "FieldbookClient", "FieldbookStore", "FieldbookWire",
                "FieldbookModel", "FieldbookTestSupport", "FieldbookSimulation", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The centre's store contract (issue 17): one suite run against the SQLite store and the PostgreSQL store (a
        // throwaway cluster that tools/test starts; FIELDBOOK_TEST_POSTGRES names it).
        .testTarget(
            name: "FieldbookCentralContractTests",
            dependencies: [
                "FieldbookCentral", "FieldbookCentralSQLite", "FieldbookCentralPostgres", "FieldbookSync", "FieldbookWire",
                "FieldbookModel", "FieldbookTestSupport", "FieldbookStore",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the real executable: the done-when scenario, exit codes, and SIGKILL crash consistency.
        .testTarget(
            name: "FieldbookCLITests",
            dependencies: [
                "fieldbook", "FieldbookStore", "FieldbookModel", "FieldbookTestSupport", "FieldbookServer", "FieldbookCentral", "FieldbookCentralSQLite", "FieldbookWire",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
