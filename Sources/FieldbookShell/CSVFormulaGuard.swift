/// Keeps exported cells from running as spreadsheet formulas, and takes the guard off again on import (issue 15).
///
/// Excel and WPS run a cell that begins with `=`, `+`, `-` or `@` as a formula (and LibreOffice also after a leading
/// tab or CR): a customer named `=HYPERLINK("http://x","y")` would become a link, and worse payloads can run
/// commands. OWASP's advice ("CSV Injection") is to begin such a cell with an apostrophe, which the spreadsheet shows
/// as text. The rule, exactly:
///
/// ```
/// needsGuard(v) = v is not a plain number
///                 and (v begins with = + - @ tab or CR
///                      or (v begins with ' and needsGuard(v without its first character)))
/// plain number  = [-+]?[0-9][0-9.,]*%?       (-5, +8613800138000, 1,200.50, -5%)
/// export(v)     = needsGuard(v) ? "'" + v : v
/// import(c)     = c begins with ' and needsGuard(c without it) ? c without it : c
/// ```
///
/// A plain number is left alone: it holds no function call, so a spreadsheet can only compute the number (a phone
/// stored as `+8613800138000` stays summable text to us and a number to Excel, as before). The second clause guards a
/// value that itself begins with an apostrophe before a formula character (`'=x` is written `''=x`), so that import,
/// which takes one apostrophe off only where export put one, gives back every value exactly: `import(export(v)) == v`
/// for every string. A value like `'abc` is written as it is and read back as it is.
///
/// ```swift
/// CSVFormulaGuard.export("=SUM(A1)")   // "'=SUM(A1)"
/// CSVFormulaGuard.export("-5")         // "-5"
/// CSVFormulaGuard.import("'=SUM(A1)")  // "=SUM(A1)"
/// ```
enum CSVFormulaGuard {
    /// The characters that make a spreadsheet read a cell as a formula.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// Whether `value` is written with an apostrophe in front.
    static func needsGuard(_ value: Substring.UnicodeScalarView) -> Bool {
        guard let first = value.first, !isPlainNumber(value) else { return false }
        if formulaStarts.contains(first) { return true }
        return first == "'" && needsGuard(value.dropFirst())
    }

    /// Whether `value` matches `[-+]?[0-9][0-9.,]*%?`.
    static func isPlainNumber(_ value: Substring.UnicodeScalarView) -> Bool {
        var rest = value[...]
        if let sign = rest.first, sign == "-" || sign == "+" { rest = rest.dropFirst() }
        guard let first = rest.first, isDigit(first) else { return false }
        rest = rest.dropFirst()
        if rest.last == "%" { rest = rest.dropLast() }
        return rest.allSatisfy { isDigit($0) || $0 == "." || $0 == "," }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    /// The cell written for a value.
    static func export(_ value: String) -> String {
        needsGuard(Substring(value).unicodeScalars) ? "'" + value : value
    }

    /// The value read from a cell: one leading apostrophe removed where ``export(_:)`` would have put it.
    static func `import`(_ cell: String) -> String {
        let scalars = Substring(cell).unicodeScalars
        guard scalars.first == "'", needsGuard(scalars.dropFirst()) else { return cell }
        return String(String.UnicodeScalarView(scalars.dropFirst()))
    }
}
