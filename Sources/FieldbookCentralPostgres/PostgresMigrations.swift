import PostgresNIO

/// The PostgreSQL store's schema, versioned like the SQLite store's migrations: each version runs once, in order, in
/// one transaction, and is recorded in `fieldbook_migration`. Several servers starting at once take turns on an
/// advisory lock, so a version never runs twice.
enum PostgresMigrations {
    /// A version: its number, a name, and its statements (postgres-nio sends one statement per query).
    struct Migration {
        let version: Int
        let name: String
        let statements: [String]
    }

    /// The advisory lock key that serializes migrations across servers ("FB17").
    static let lockKey: Int64 = 0x4642_3137

    /// Every version, oldest first. Never edit a released version: add one.
    static let all: [Migration] = [
        Migration(version: 1, name: "the centre's records", statements: [
            // People and devices (as in the SQLite store's central migrations).
            """
            CREATE TABLE principal (
                code text PRIMARY KEY, name text NOT NULL, role text NOT NULL, created bigint NOT NULL, deactivated bigint)
            """,
            """
            CREATE TABLE device (
                id bytea PRIMARY KEY, principal text NOT NULL REFERENCES principal (code), secret bytea NOT NULL,
                actor bytea UNIQUE, revoked boolean NOT NULL DEFAULT false, created bigint NOT NULL, last_sync bigint)
            """,
            // Small settings: the centre's own actor, the transport record, the address devices reach.
            "CREATE TABLE setting (key text PRIMARY KEY, value text NOT NULL)",
            // The centre's own actor (hex), made once here: the actor of the ops administrators write, which no
            // device may bind (`bind`).
            "INSERT INTO setting (key, value) VALUES ('actor', encode(uuid_send(gen_random_uuid()), 'hex'))",
            // The highest contiguous counter held of each actor (devices' and the centre's own).
            "CREATE TABLE held (actor bytea PRIMARY KEY, held bigint NOT NULL)",
            // The LSN head: one row, moved last in every transaction that stores ops, so LSNs become visible in
            // order with no gap (SPEC [W-9.10], docs/DECISIONS.md "LSN order on PostgreSQL").
            "CREATE TABLE lsn_head (one boolean PRIMARY KEY DEFAULT true CHECK (one), lsn bigint NOT NULL)",
            "INSERT INTO lsn_head (one, lsn) VALUES (true, 0)",
            // The op log, in LSN order; `body` is the body's canonical encoding (Operation+Coding), `schema` the op's
            // schema version, `device` the device that pushed it (NULL for the centre's own ops), `at` when (Unix ms).
            """
            CREATE TABLE op (
                lsn bigint PRIMARY KEY, actor bytea NOT NULL, counter bigint NOT NULL, hlc bigint NOT NULL,
                scope text NOT NULL, principal text NOT NULL, schema smallint NOT NULL, entity bytea NOT NULL,
                body bytea NOT NULL, device bytea, at bigint NOT NULL, UNIQUE (actor, counter))
            """,
            "CREATE INDEX op_scope ON op (scope, lsn)",
            "CREATE INDEX op_entity ON op (entity)",
            // Projections, always derivable from `op` (the same shape as the book's: entity, registers, sets).
            """
            CREATE TABLE entity (
                id bytea PRIMARY KEY, kind smallint, scope text NOT NULL, created_hlc bigint, author text)
            """,
            "CREATE INDEX entity_scope ON entity (scope)",
            """
            CREATE TABLE reg_value (
                entity bytea NOT NULL, field integer NOT NULL, actor bytea NOT NULL, counter bigint NOT NULL,
                hlc bigint NOT NULL, value bytea NOT NULL, PRIMARY KEY (entity, field, actor, counter))
            """,
            """
            CREATE TABLE reg_superseded (
                entity bytea NOT NULL, field integer NOT NULL, actor bytea NOT NULL, counter bigint NOT NULL,
                PRIMARY KEY (entity, field, actor, counter))
            """,
            """
            CREATE TABLE set_add (
                entity bytea NOT NULL, field integer NOT NULL, element text NOT NULL, actor bytea NOT NULL,
                counter bigint NOT NULL, PRIMARY KEY (entity, field, element, actor, counter))
            """,
            """
            CREATE TABLE set_removed (
                entity bytea NOT NULL, field integer NOT NULL, actor bytea NOT NULL, counter bigint NOT NULL,
                PRIMARY KEY (entity, field, actor, counter))
            """,
            // Who covers each created customer (one row each), from its owner register's winner and its co-coverer
            // set: what pulls and reports read. Kept by the projector in the transaction that changes either field or
            // creates the customer (the push's scope policy reads the registers themselves, under the scope's lock).
            """
            CREATE TABLE coverage (
                customer bytea PRIMARY KEY, owner text, cocoverers text[] NOT NULL DEFAULT '{}')
            """,
            "CREATE INDEX coverage_owner ON coverage (owner)",
            "CREATE INDEX coverage_cocoverers ON coverage USING gin (cocoverers)",
            // Every principal that ever owned a customer (a purge tells a former owner "reassigned").
            "CREATE TABLE former_owner (customer bytea NOT NULL, principal text NOT NULL, PRIMARY KEY (customer, principal))",
            // Each scope's incremental state hash (SPEC §9.3): the sum of its facts' digests modulo 2^256, as a number,
            // and how many created entities live in the scope (its hash counts only while that is above 0).
            "CREATE TABLE scope_sum (scope text PRIMARY KEY, sum numeric NOT NULL, entities integer NOT NULL)",
            // Per device: the scope keys it held at each cursor it was given (SPEC [W-9.8]).
            """
            CREATE TABLE scope_snapshot (
                device bytea NOT NULL, cursor bigint NOT NULL, scopes text[] NOT NULL, PRIMARY KEY (device, cursor))
            """,
            // Refused ops: field names and reasons, never values (admin device log).
            """
            CREATE TABLE refused (
                actor bytea NOT NULL, counter bigint NOT NULL, code integer NOT NULL, at bigint NOT NULL,
                reason integer, customer text, change text, PRIMARY KEY (actor, counter))
            """,
        ]),
    ]

    /// Applies every version the database lacks.
    static func migrate(_ store: PostgresCentralStore) async throws {
        try await store.transaction(.readCommitted) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: store.logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS fieldbook_migration (
                    version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())
                """, logger: store.logger)
            var applied: Set<Int> = []
            for try await version in try await connection.query("SELECT version FROM fieldbook_migration", logger: store.logger)
                .decode(Int.self)
            {
                applied.insert(version)
            }
            for migration in all where !applied.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: store.logger)
                }
                try await connection.query(
                    "INSERT INTO fieldbook_migration (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: store.logger)
            }
        }
    }
}

extension PostgresCentralStore {
    /// Every schema version this build knows, in order.
    package static var schemaVersions: [Int] { PostgresMigrations.all.map(\.version) }

    /// The versions recorded as applied, in order.
    package func appliedMigrations() async throws -> [Int] {
        try await transaction(.repeatableRead, readOnly: true) { connection in
            var versions: [Int] = []
            for try await version in try await connection.query(
                "SELECT version FROM fieldbook_migration ORDER BY version", logger: logger
            ).decode(Int.self) {
                versions.append(version)
            }
            return versions
        }
    }
}
