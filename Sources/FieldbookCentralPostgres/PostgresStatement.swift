import PostgresNIO

/// A statement assembled from parts, some of which a batch may leave out: each bound value gets the next `$n`,
/// which ``bind(_:)`` returns for the SQL text. What postgres-nio's string interpolation does for one literal, for a
/// statement built in steps (the projector's one write of a batch, its one prefetch).
///
/// ```swift
/// var statement = PostgresStatement()
/// let ids = statement.bind(ids)                       // "$1"
/// statement.sql = "SELECT id FROM entity WHERE id = ANY(\(ids))"
/// try await connection.query(statement.query, logger: logger)
/// ```
struct PostgresStatement {
    /// The SQL text, naming the bound values as `$1`, `$2`, …
    var sql = ""
    private var binds = PostgresBindings()

    /// Binds a value and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// The query to send.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
