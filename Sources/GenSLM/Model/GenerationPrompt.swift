/// A generation prompt: DNA read in whole codons of A, C, G and T.
public enum GenerationPrompt {
    /// The codon ids of `sequence`.
    ///
    /// - Throws: ``GenerationPromptError`` naming `source` (a file, or `--prompt`) and `record` when the sequence is
    ///   empty, not whole codons, holds other letters, or leaves no room to generate within `maxPositions`.
    public static func tokens(of sequence: String, source: String, record: String? = nil,
                              maxPositions: Int) throws(GenerationPromptError) -> [Int32] {
        let upper = sequence.uppercased()
        guard !upper.isEmpty, upper.count % 3 == 0, upper.allSatisfy({ "ACGT".contains($0) }) else {
            throw .notCodons(source: source, record: record, length: upper.count)
        }
        let ids = CodonTokenizer().encode(upper)
        guard ids.count < maxPositions else {
            throw .tooLong(source: source, record: record, codons: ids.count, maxPositions: maxPositions)
        }
        return ids
    }
}

/// A prompt that cannot start a generation.
public enum GenerationPromptError: Error, Equatable, CustomStringConvertible {
    /// Not whole codons of A, C, G and T (or empty).
    case notCodons(source: String, record: String?, length: Int)
    /// As long as the model's positions: nothing left to generate.
    case tooLong(source: String, record: String?, codons: Int, maxPositions: Int)

    public var description: String {
        switch self {
        case let .notCodons(source, record, length):
            "\(Self.place(source, record)): a prompt must be whole codons of A, C, G and T (have \(length) letters)"
        case let .tooLong(source, record, codons, maxPositions):
            "\(Self.place(source, record)): a prompt of \(codons) codons leaves no room in the model's \(maxPositions) positions"
        }
    }

    private static func place(_ source: String, _ record: String?) -> String {
        record.map { "\(source): record \"\($0)\"" } ?? source
    }
}
