/// Errors of reading metrics for a plot.
public enum PlotError: Error, Equatable, CustomStringConvertible {
    /// The file or folder cannot be read.
    case unreadable(path: String, reason: String)
    /// A line of the CSV file is not what ``CSVLogger`` writes.
    case malformed(path: String, line: Int, reason: String)
    /// The CSV file has no `step` column.
    case noStepColumn(path: String, columns: [String])
    /// No column holds something to draw.
    case nothingToPlot(path: String, columns: [String])

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .malformed(path, line, reason): "\(path), line \(line): \(reason)"
        case let .noStepColumn(path, columns): "\(path) has no step column (columns: \(columns.joined(separator: ", ")))"
        case let .nothingToPlot(path, columns):
            "\(path) has no loss or learning-rate column with a value (columns: \(columns.joined(separator: ", ")))"
        }
    }
}
