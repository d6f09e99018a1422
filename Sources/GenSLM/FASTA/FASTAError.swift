/// A FASTA file that cannot be read, with where the problem is.
public enum FASTAError: Error, Equatable, CustomStringConvertible {
    /// The file cannot be opened.
    case cannotOpen(file: String)
    /// Sequence text before the first `>` header.
    case noHeader(file: String, line: Int)
    /// A header followed by no sequence.
    case emptyRecord(file: String, id: String, line: Int)
    /// A character that is not an IUPAC nucleotide or amino-acid letter, `-`, `*` or `.`; a byte that is not
    /// printable ASCII is written `0xNN`.
    case invalidCharacter(file: String, id: String, line: Int, character: String)
    /// A gzip stream that ends early or is corrupt.
    case corruptCompression(file: String, line: Int, detail: String)
    /// The operating system failed a read (an I/O error, a file removed from a network share).
    case readFailed(file: String, line: Int, detail: String)

    public var description: String {
        switch self {
        case let .cannotOpen(file): "\(file): cannot open FASTA file"
        case let .noHeader(file, line): "\(file):\(line): sequence data before the first \">\" header"
        case let .emptyRecord(file, id, line): "\(file):\(line): record \"\(id)\" has no sequence"
        case let .invalidCharacter(file, id, line, character):
            "\(file):\(line): record \"\(id)\" contains \"\(character)\", which is not a sequence letter"
        case let .corruptCompression(file, line, detail): "\(file): truncated or corrupt gzip data after line \(line): \(detail)"
        case let .readFailed(file, line, detail): "\(file): read failed after line \(line): \(detail)"
        }
    }
}
