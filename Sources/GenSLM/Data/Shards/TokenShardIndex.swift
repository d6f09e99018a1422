/// `index.json` of a token shard folder: the shards in order and how many records and tokens each holds.
public struct TokenShardIndex: Codable, Sendable, Equatable {
    /// One shard file.
    public struct Shard: Codable, Sendable, Equatable {
        /// File name inside the folder.
        public var file: String
        /// Records in the shard.
        public var records: Int
        /// Tokens in the shard.
        public var tokens: Int
    }

    /// Always `volt-token-shards`.
    public var format = TokenShardIndex.formatName
    /// Layout version (1).
    public var version = 1
    /// The tokenizer's vocabulary (GenSLM's 69 codon words).
    public var vocabularySize = CodonTokenizer().vocabularySize
    /// Tokens kept per record at tokenization (`nil`: all).
    public var maxLength: Int?
    /// The FASTA files tokenized, in order.
    public var sources: [String]
    /// The shards, in record order.
    public var shards: [Shard]

    /// Total records.
    public var records: Int { shards.reduce(0) { $0 + $1.records } }
    /// Total tokens.
    public var tokens: Int { shards.reduce(0) { $0 + $1.tokens } }

    /// The name of the index file in a shard folder.
    public static let fileName = "index.json"
    /// The value of ``format``.
    public static let formatName = "volt-token-shards"

    enum CodingKeys: String, CodingKey {
        case format, version, vocabularySize = "vocabulary_size", maxLength = "max_length", sources, shards
    }
}
