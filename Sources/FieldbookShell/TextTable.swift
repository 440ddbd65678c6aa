/// A plain text table whose columns line up by display width, so Chinese names align in a terminal.
///
/// ```swift
/// var table = TextTable(header: ["ID", "姓名", "层级"])
/// table.append(["k3m9x2", "王芳", "钻石"])
/// print(table.render())
/// ```
public struct TextTable: Sendable {
    /// The column titles.
    public var header: [String]
    /// The rows; each as long as the header.
    public var rows: [[String]] = []

    /// Makes an empty table.
    public init(header: [String]) { self.header = header }

    /// Adds a row.
    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The lines of the table: header, then rows, columns separated by two spaces, no trailing spaces.
    public func render() -> [String] {
        var widths = header.map(DisplayWidth.of)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], DisplayWidth.of(cell))
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                if index > 0 { text += "  " }
                text += index == cells.count - 1 ? cell : DisplayWidth.pad(cell, to: widths[index])
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return [line(header)] + rows.map(line)
    }
}
