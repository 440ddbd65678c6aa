import GRDB

/// The statements the projector runs for every op, taken from the connection's statement cache once per batch
/// (a cache lookup hashes the whole SQL text, which cost more than some of the statements themselves).
struct ProjectorStatements {
    /// Appends an op to the log; changes nothing for a duplicate.
    let insertOp: Statement
    /// The kind (NULL until created) and scope of an entity.
    let entityInfo: Statement
    /// The live register values of an entity: field, actor, counter, value.
    let entityValues: Statement
    /// The elements present in an entity's sets: field, element.
    let entityElements: Statement
    /// The number of live tags of one element of a set.
    let countElementTags: Statement
    /// Creates or moves an entity when its create op arrives.
    let upsertEntity: Statement
    /// Makes a placeholder entity for an op that arrives before its create.
    let insertEntity: Statement
    /// Remembers an op ID named in a `pred`.
    let insertSuperseded: Statement
    /// Drops the live value an op ID named in a `pred` wrote, returning it.
    let deleteValue: Statement
    /// Stores a live register value, unless a `pred` that arrived earlier superseded it.
    let insertValue: Statement
    /// Stores a set addition, unless a removal that arrived earlier observed it.
    let insertSetAdd: Statement
    /// Remembers an addition tag a removal observed.
    let insertSetRemoved: Statement
    /// Drops the addition a removal observed, returning its element.
    let deleteSetAdd: Statement
    /// Stores a scope's state sum and count of created entities.
    let writeScopeHash: Statement

    init(_ db: Database) throws {
        insertOp = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO op (actor, counter, hlc, scope, principal, schema, entity, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        entityInfo = try db.cachedStatement(sql: "SELECT kind, scope FROM entity WHERE id = ?")
        entityValues = try db.cachedStatement(sql: "SELECT field, actor, counter, value FROM reg_value WHERE entity = ?")
        entityElements = try db.cachedStatement(sql: "SELECT DISTINCT field, element FROM set_add WHERE entity = ?")
        countElementTags = try db.cachedStatement(
            sql: "SELECT count(*) FROM set_add WHERE entity = ? AND field = ? AND element = ?")
        upsertEntity = try db.cachedStatement(
            sql: """
                INSERT INTO entity (id, kind, scope, created_hlc, author) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, scope = excluded.scope,
                    created_hlc = excluded.created_hlc, author = excluded.author
                """)
        insertEntity = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO entity (id, kind, scope) VALUES (?, NULL, ?)")
        insertSuperseded = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO reg_superseded (entity, field, actor, counter) VALUES (?, ?, ?, ?)")
        deleteValue = try db.cachedStatement(
            sql: "DELETE FROM reg_value WHERE entity = ? AND field = ? AND actor = ? AND counter = ? RETURNING value")
        insertValue = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO reg_value (entity, field, actor, counter, hlc, value)
                SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (
                    SELECT 1 FROM reg_superseded WHERE entity = ?1 AND field = ?2 AND actor = ?3 AND counter = ?4)
                """)
        insertSetAdd = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO set_add (entity, field, element, actor, counter)
                SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (
                    SELECT 1 FROM set_removed WHERE entity = ?1 AND field = ?2 AND actor = ?4 AND counter = ?5)
                """)
        insertSetRemoved = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO set_removed (entity, field, actor, counter) VALUES (?, ?, ?, ?)")
        deleteSetAdd = try db.cachedStatement(
            sql: "DELETE FROM set_add WHERE entity = ? AND field = ? AND actor = ? AND counter = ? RETURNING element")
        writeScopeHash = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO scope_hash (scope, hash, entities) VALUES (?, ?, ?)")
    }
}
