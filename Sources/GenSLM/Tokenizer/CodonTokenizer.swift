/// GenSLM's codon tokenizer (`codon_wordlevel_69vocab.json`, used by every published GenSLM model).
///
/// A sequence is uppercased and cut into non-overlapping 3-mers from position 0 (the last one may be shorter),
/// which GenSLM joins with spaces and hands to a Hugging Face word-level tokenizer with the `Whitespace`
/// pre-tokenizer. That pre-tokenizer further splits each 3-mer into runs of word characters and runs of other
/// characters (`\w+|[^\w\s]+`), so `AC-` becomes two tokens (`AC`, `-`); every piece that is not a codon of the
/// vocabulary is `[UNK]`. No special tokens are added.
public struct CodonTokenizer: Sendable {
    /// The id of `[UNK]`, given to every piece that is not a codon of the vocabulary.
    public static let unknownID: Int32 = 0
    /// The id of `[CLS]`.
    public static let clsID: Int32 = 1
    /// The id of `[SEP]`.
    public static let sepID: Int32 = 2
    /// The id of `[PAD]`, which fills batches to a common length.
    public static let padID: Int32 = 3
    /// The id of `[MASK]`.
    public static let maskID: Int32 = 4
    /// The ids of the special tokens.
    public static let specialIDs: [Int32] = [0, 1, 2, 3, 4]

    /// Tokens by id, in GenSLM's order (specials, then codons by frequency).
    public static let vocabulary: [String] = [
        "[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]", "GGC", "GCC", "ATC", "GAC", "GAA", "ATG", "GTG",
        "CTG", "GTC", "GCG", "GAT", "AAA", "GGT", "AAG", "GAG", "ACC", "AAC", "GTT", "ATT",
        "GCA", "CTC", "CGC", "GCT", "CAG", "CCG", "TTC", "GTA", "TCG", "GGA", "AAT", "TAC",
        "CTT", "TTG", "ACG", "TCC", "GGG", "AGC", "CCC", "ACA", "ACT", "TCT", "TTA", "CGT",
        "TAT", "CAA", "CGG", "TTT", "CAC", "CCT", "CCA", "TGG", "ATA", "TCA", "TGC", "AGT",
        "AGA", "CAT", "TGT", "CTA", "AGG", "TAA", "CGA", "TGA", "TAG",
    ]

    private static let ids: [String: Int32] = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, Int32($0)) })

    /// The tokenizer.
    public init() {}

    /// Number of tokens (69).
    public var vocabularySize: Int { Self.vocabulary.count }

    /// The id of `token` (a codon or a special token), or `[UNK]`'s.
    public func id(for token: String) -> Int32 { Self.ids[token.uppercased()] ?? Self.unknownID }

    /// Token ids of a DNA sequence.
    public func encode(_ sequence: String) -> [Int32] {
        let bases = Array(sequence.uppercased().utf8)
        var result: [Int32] = []
        result.reserveCapacity(bases.count / 3 + 1)
        var start = 0
        while start < bases.count {
            let chunk = bases[start..<min(start + 3, bases.count)]
            start += 3
            for piece in Self.pretokenize(chunk) {
                result.append(Self.ids[String(decoding: piece, as: UTF8.self)] ?? Self.unknownID)
            }
        }
        return result
    }

    /// Codons of `ids` concatenated into DNA, special tokens skipped (`[UNK]` included: it has no sequence).
    public func decode(_ ids: [Int32]) -> String {
        ids.compactMap { id in id >= 5 && Int(id) < Self.vocabulary.count ? Self.vocabulary[Int(id)] : nil }.joined()
    }

    /// The pieces Hugging Face's `Whitespace` pre-tokenizer makes of one 3-mer: runs of word characters
    /// (letters, digits, `_`) and runs of other non-space characters.
    static func pretokenize(_ chunk: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        func kind(_ c: UInt8) -> Int {
            if c == 32 || c == 9 || c == 10 || c == 13 { return 0 }
            let isWord = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 95 || c >= 128
            return isWord ? 1 : 2
        }
        var pieces: [ArraySlice<UInt8>] = []
        var i = chunk.startIndex
        while i < chunk.endIndex {
            let k = kind(chunk[i])
            var j = i + 1
            while j < chunk.endIndex && kind(chunk[j]) == k { j += 1 }
            if k != 0 { pieces.append(chunk[i..<j]) }
            i = j
        }
        return pieces
    }
}
