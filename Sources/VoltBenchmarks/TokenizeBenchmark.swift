import Foundation
import VoltText

/// Single-thread encode throughput of a Hugging Face `tokenizer.json` (VoltText's `HFTokenizer`) over the
/// generated mixed corpus of the tokenizer fixtures (`MixedTextCorpus`), the measurement that
/// `scripts/bench_tokenizers.py` repeats with the `tokenizers` library.
public struct TokenizeBenchmark: Sendable {
    /// The `tokenizer.json` file.
    public var tokenizer: URL
    /// Documents in the corpus.
    public var documents: Int
    /// The corpus seed.
    public var seed: UInt64
    /// Timed encodes of the whole corpus; the fastest is reported.
    public var repeats: Int

    /// A benchmark of `tokenizer` over `documents` documents from `seed` (the fixtures': 12000 from 2026, 4.94 MB).
    public init(tokenizer: URL, documents: Int = 12_000, seed: UInt64 = 2026, repeats: Int = 3) {
        self.tokenizer = tokenizer
        self.documents = documents
        self.seed = seed
        self.repeats = repeats
    }

    /// The measurements (`volt bench --op tokenize --json`).
    public struct Result: Codable, Sendable {
        /// The tokenizer file's name.
        public var tokenizer: String
        /// Documents encoded per repeat.
        public var documents: Int
        /// UTF-8 megabytes (10⁶ bytes) encoded per repeat.
        public var megabytes: Double
        /// Tokens produced per repeat (no special tokens added).
        public var tokens: Int
        /// The fastest repeat, in seconds.
        public var seconds: Double
        /// Megabytes per second.
        public var mb_per_s: Double
        /// Tokens per second.
        public var tokens_per_s: Double
    }

    /// Loads the tokenizer, generates the corpus and times the encodes.
    ///
    /// - Throws: `TokenizerError` when the file cannot be read or parsed.
    public func run() throws -> Result {
        let model = try HFTokenizer(contentsOf: tokenizer)
        let corpus = MixedTextCorpus.corpus(seed: seed, count: documents)
        let measured = TokenizerThroughput.measure(model, texts: corpus, repetitions: Swift.max(repeats, 1))
        return Result(tokenizer: tokenizer.lastPathComponent, documents: documents, megabytes: Double(measured.bytes) / 1e6,
                      tokens: measured.tokens, seconds: measured.seconds, mb_per_s: measured.bytesPerSecond / 1e6,
                      tokens_per_s: measured.tokensPerSecond)
    }
}
