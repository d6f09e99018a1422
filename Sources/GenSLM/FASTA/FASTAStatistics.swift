/// What `volt data stats` reports about a FASTA file.
public struct FASTAStatistics: Codable, Sendable {
    /// Number of records.
    public var records: Int
    /// Record ids, in file order.
    public var ids: [String]
    /// Sequence lengths (characters).
    public var lengths: [Int]
    /// Sum of the lengths.
    public var totalLength: Int
    /// Complete codons over all records (⌊length / 3⌋ each).
    public var codons: Int
    /// Observations worth a look (not errors): lengths that are not whole codons, non-ACGT letters.
    public var problems: [String]

    enum CodingKeys: String, CodingKey {
        case records, ids, lengths, totalLength = "total_length", codons, problems
    }

    /// Reads `path` completely.
    ///
    /// - Throws: ``FASTAError`` for input that is not valid FASTA.
    public init(path: String) throws {
        let all = try FASTAReader(path: path).readAll()
        records = all.count
        ids = all.map(\.id)
        lengths = all.map(\.sequence.utf8.count)
        totalLength = lengths.reduce(0, +)
        codons = lengths.reduce(0) { $0 + $1 / 3 }
        var problems: [String] = []
        let partial = all.filter { $0.sequence.utf8.count % 3 != 0 }
        if !partial.isEmpty {
            problems.append("\(partial.count) records have a length that is not a multiple of 3 (first: \(partial[0].id))")
        }
        let acgt = Set("ACGTacgt".utf8)
        let ambiguous = all.filter { $0.sequence.utf8.contains { !acgt.contains($0) } }
        if !ambiguous.isEmpty {
            problems.append("\(ambiguous.count) records contain letters other than A, C, G, T (first: \(ambiguous[0].id)); their codons become [UNK]")
        }
        self.problems = problems
    }
}
