import GRDB

/// The statements the projector runs for every op, taken from the connection's statement cache once per batch
/// (a cache lookup hashes the whole SQL text, which cost more than some of the statements themselves), and driven
/// through SQLite's C API (``DirectStatement``): binding GRDB's arguments cost more than some statements too.
struct ProjectorStatements {
    /// Appends an op to the log; changes nothing for a duplicate.
    let insertOp: DirectStatement
    /// The kind (NULL until created) and scope of an entity.
    let entityInfo: DirectStatement
    /// The live register values of an entity: field, actor (its bytes), counter, value.
    let entityValues: DirectStatement
    /// The elements present in an entity's sets: field, element.
    let entityElements: DirectStatement
    /// The number of live tags of one element of a set.
    let countElementTags: DirectStatement
    /// Creates or moves an entity when its create op arrives.
    let upsertEntity: DirectStatement
    /// Inserts a created entity unless it has a row (the usual create, of a new entity, then needs no read first).
    let insertCreated: DirectStatement
    /// Makes a placeholder entity for an op that arrives before its create.
    let insertEntity: DirectStatement
    /// Remembers an op ID named in a `pred`.
    let insertSuperseded: DirectStatement
    /// Drops the live value an op ID named in a `pred` wrote, returning it.
    let deleteValue: DirectStatement
    /// Stores a live register value, unless a `pred` that arrived earlier superseded it.
    let insertValue: DirectStatement
    /// Stores a set addition, unless a removal that arrived earlier observed it.
    let insertSetAdd: DirectStatement
    /// Remembers an addition tag a removal observed.
    let insertSetRemoved: DirectStatement
    /// Drops the addition a removal observed, returning its element.
    let deleteSetAdd: DirectStatement
    /// Stores a scope's state sum and count of created entities.
    let writeScopeHash: DirectStatement
    /// The number of a scope (`scope_key`), by its key.
    let findScope: DirectStatement
    /// Numbers a scope the book has not held before.
    let insertScope: DirectStatement
    /// The number of an actor (`actor_key`), by its 16 bytes.
    let findActor: DirectStatement
    /// Numbers an actor the book has not named before.
    let insertActor: DirectStatement

    init(_ db: Database) throws {
        func cached(sql: String) throws -> DirectStatement { DirectStatement(try db.cachedStatement(sql: sql), db: db) }
        insertOp = try cached(
            sql: """
                INSERT OR IGNORE INTO op (actor, counter, hlc, scope, principal, schema, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
        entityInfo = try cached(
            sql: "SELECT entity.kind, scope_key.key FROM entity JOIN scope_key ON scope_key.no = entity.scope WHERE entity.id = ?")
        entityValues = try cached(
            sql: """
                SELECT r.field, a.id, r.counter, r.value FROM reg_value r JOIN actor_key a ON a.no = r.actor
                WHERE r.entity = ?
                """)
        entityElements = try cached(sql: "SELECT DISTINCT field, element FROM set_add WHERE entity = ?")
        countElementTags = try cached(
            sql: "SELECT count(*) FROM set_add WHERE entity = ? AND field = ? AND element = ?")
        upsertEntity = try cached(
            sql: """
                INSERT INTO entity (id, kind, scope, created_hlc, author) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, scope = excluded.scope,
                    created_hlc = excluded.created_hlc, author = excluded.author
                """)
        insertCreated = try cached(
            sql: "INSERT OR IGNORE INTO entity (id, kind, scope, created_hlc, author) VALUES (?, ?, ?, ?, ?)")
        insertEntity = try cached(
            sql: "INSERT OR IGNORE INTO entity (id, kind, scope) VALUES (?, NULL, ?)")
        insertSuperseded = try cached(
            sql: "INSERT OR IGNORE INTO reg_superseded (entity, field, actor, counter) VALUES (?, ?, ?, ?)")
        deleteValue = try cached(
            sql: "DELETE FROM reg_value WHERE entity = ? AND field = ? AND actor = ? AND counter = ? RETURNING value")
        insertValue = try cached(
            sql: """
                INSERT OR IGNORE INTO reg_value (entity, field, actor, counter, hlc, value)
                SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (
                    SELECT 1 FROM reg_superseded WHERE entity = ?1 AND field = ?2 AND actor = ?3 AND counter = ?4)
                """)
        insertSetAdd = try cached(
            sql: """
                INSERT OR IGNORE INTO set_add (entity, field, element, actor, counter)
                SELECT ?1, ?2, ?3, ?4, ?5 WHERE NOT EXISTS (
                    SELECT 1 FROM set_removed WHERE entity = ?1 AND field = ?2 AND actor = ?4 AND counter = ?5)
                """)
        insertSetRemoved = try cached(
            sql: "INSERT OR IGNORE INTO set_removed (entity, field, actor, counter) VALUES (?, ?, ?, ?)")
        deleteSetAdd = try cached(
            sql: "DELETE FROM set_add WHERE entity = ? AND field = ? AND actor = ? AND counter = ? RETURNING element")
        writeScopeHash = try cached(
            sql: "INSERT OR REPLACE INTO scope_hash (scope, hash, entities) VALUES (?, ?, ?)")
        findScope = try cached(sql: "SELECT no FROM scope_key WHERE key = ?")
        insertScope = try cached(sql: "INSERT INTO scope_key (key) VALUES (?)")
        findActor = try cached(sql: "SELECT no FROM actor_key WHERE id = ?")
        insertActor = try cached(sql: "INSERT INTO actor_key (id) VALUES (?)")
    }
}
