/// What `volt data stats` reports about a FASTA file, gathered in one streaming pass.
///
/// Memory does not grow with the number of records: lengths are kept as a count per distinct length, which
/// is enough for the exact minimum, maximum, mean and N50.
public struct FASTAStatistics: Codable, Sendable {
    /// The file.
    public var file: String
    /// Whether it is gzip-compressed.
    public var compressed: Bool
    /// Number of records.
    public var records: Int
    /// Sum of the lengths.
    public var totalLength: Int
    /// Complete codons over all records (⌊length / 3⌋ each).
    public var codons: Int
    /// Shortest sequence (0 for a file without records).
    public var minLength: Int
    /// Longest sequence.
    public var maxLength: Int
    /// Mean length.
    public var meanLength: Double
    /// The length L such that records of length ≥ L hold at least half of all letters.
    public var n50: Int
    /// Id of the first record.
    public var firstID: String?
    /// Observations worth a look (not errors): lengths that are not whole codons, non-ACGT letters.
    public var problems: [String]

    enum CodingKeys: String, CodingKey {
        case file, compressed, records, totalLength = "total_length", codons, minLength = "min_length"
        case maxLength = "max_length", meanLength = "mean_length", n50, firstID = "first_id", problems
    }

    /// Reads `path` once, record by record.
    ///
    /// - Throws: ``FASTAError`` for input that is not valid FASTA.
    public init(path: String) throws {
        let stream = try FASTAStream(path: path)
        stream.keepsSequences = false
        var lengthCounts: [Int: Int] = [:]
        var count = 0, total = 0, codons = 0
        var partial = 0, ambiguous = 0
        var firstPartial: String?, firstAmbiguous: String?, firstID: String?
        while let record = try stream.next() {
            let length = record.length
            if count == 0 { firstID = record.id }
            count += 1
            total += length
            codons += length / 3
            lengthCounts[length, default: 0] += 1
            if length % 3 != 0 {
                partial += 1
                if firstPartial == nil { firstPartial = record.id }
            }
            if record.containsNonACGT {
                ambiguous += 1
                if firstAmbiguous == nil { firstAmbiguous = record.id }
            }
        }
        file = path
        compressed = stream.isCompressed
        records = count
        totalLength = total
        self.codons = codons
        minLength = lengthCounts.keys.min() ?? 0
        maxLength = lengthCounts.keys.max() ?? 0
        meanLength = count > 0 ? Double(total) / Double(count) : 0
        n50 = Self.n50(lengthCounts, total: total)
        self.firstID = firstID
        var problems: [String] = []
        if let firstPartial {
            problems.append("\(partial) records have a length that is not a multiple of 3 (first: \(firstPartial))")
        }
        if let firstAmbiguous {
            problems.append("\(ambiguous) records contain letters other than A, C, G, T (first: \(firstAmbiguous)); their codons become [UNK]")
        }
        self.problems = problems
    }

    /// N50 from a count per length: walk lengths from the longest until half the letters are covered.
    static func n50(_ counts: [Int: Int], total: Int) -> Int {
        var covered = 0
        for (length, n) in counts.sorted(by: { $0.key > $1.key }) {
            covered += length * n
            if 2 * covered >= total { return length }
        }
        return 0
    }
}
