/// The records of a FASTA file prepared for embedding: tokenized exactly as `volt eval` does (codons, no special
/// tokens, cut to the model's positions), with the identifiers the embedding file stores.
public struct EmbeddingInput: Sendable {
    /// FASTA ids, in file order.
    public let ids: [String]
    /// Each record's position in the file.
    public let indices: [Int]
    /// Hex MD5 of each record's upper-case sequence (the whole sequence, before truncation).
    public let md5: [String]
    /// The tokenized records.
    public let dataset: SequenceDataset
    /// Records longer than the model's positions, cut to fit.
    public let truncated: Int

    /// Tokenizes `records` of `file` for a model with `maxPositions` positions.
    ///
    /// - Throws: ``EmbeddingError/noRecords(file:)`` when `records` is empty.
    public init(records: [FASTARecord], file: String, maxPositions: Int,
                tokenizer: CodonTokenizer = CodonTokenizer()) throws(EmbeddingError) {
        guard !records.isEmpty else { throw .noRecords(file: file) }
        ids = records.map(\.id)
        indices = Array(records.indices)
        md5 = records.map { MD5.hex($0.sequence.uppercased()) }
        truncated = records.count { tokenizer.encode($0.sequence).count > maxPositions }
        dataset = SequenceDataset(records, tokenizer: tokenizer, maxLength: Swift.max(maxPositions, 2))
    }

    /// Tokens of record `i` after truncation.
    public func tokenCount(_ i: Int) -> Int { dataset.sequences[i].ids.count }
}
