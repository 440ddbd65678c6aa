import FieldbookModel

extension BookTransaction {
    /// The most UTF-8 bytes one text value or set element may hold (``Operation/maxTextBytes``: 16 KiB, about 5,000
    /// Chinese characters).
    public static let maxTextBytes = Operation.maxTextBytes

    /// Refuses an op whose values break the rules every replica applies (``Operation/valueProblem``): text over
    /// ``maxTextBytes``, control characters (a NUL cuts the text short for C libraries, an escape sequence rewrites
    /// the user's terminal when the value is shown), or a value of the wrong type. The central node and receiving
    /// devices apply the same rules, so what the shell accepts always syncs. The message names the field, never the
    /// text.
    static func checkValues(_ op: Op) throws {
        if let problem = op.valueProblem { throw StoreError(.invalid, "\(problem)，这次修改没有保存") }
    }
}
