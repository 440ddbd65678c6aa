/// A bad command line of `fieldbook-simulate`: what was wrong, or `nil` when help was asked for.
struct UsageError: Error {
    var message: String?
}
