import FieldbookModel

/// The numbers of the scopes and actors a transaction has bound so far (`scope_key`, `actor_key`, book migrations v11
/// and v12). A number, once given, is never changed (a purge, which may free a scope's, runs in a transaction of its
/// own), so a caller that runs several projectors in one transaction hands them on
/// (``Projector/append(_:db:numbers:)``), and a `BookTransaction` seeds them from reads it does anyway.
///
/// A command binds one scope and one or two actors: those are kept in place, and only more go to a dictionary, whose
/// storage would otherwise be most of what looking them up costs a `set` (tools/bench/NOTES.md, "Allocations",
/// session 7).
package struct KeyNumbers {
    private var scope: (key: String, number: Int64)?
    private var actor: (id: ActorID, number: Int64)?
    private var secondActor: (id: ActorID, number: Int64)?
    private var scopes: [String: Int64] = [:]
    private var actors: [ActorID: Int64] = [:]

    /// None known yet.
    package init() {}

    /// The number of a scope, by its key, if known.
    func number(ofScope key: String) -> Int64? {
        if let scope, scope.key == key { return scope.number }
        return scopes.isEmpty ? nil : scopes[key]
    }

    /// Remembers a scope's number.
    mutating func remember(scope key: String, _ number: Int64) {
        if scope == nil || scope!.key == key { scope = (key, number) } else { scopes[key] = number }
    }

    /// The number of an actor, if known.
    func number(of id: ActorID) -> Int64? {
        if let actor, actor.id == id { return actor.number }
        if let secondActor, secondActor.id == id { return secondActor.number }
        return actors.isEmpty ? nil : actors[id]
    }

    /// Remembers an actor's number.
    mutating func remember(actor id: ActorID, _ number: Int64) {
        if actor == nil || actor!.id == id {
            actor = (id, number)
        } else if secondActor == nil || secondActor!.id == id {
            secondActor = (id, number)
        } else {
            actors[id] = number
        }
    }
}
