import Foundation

/// How fast a tokenizer encodes: the result of ``TokenizerThroughput/measure(_:texts:repetitions:)``.
public struct TokenizerThroughput: Sendable, Equatable, Codable {
    /// UTF-8 bytes encoded per repetition.
    public var bytes: Int
    /// Tokens produced per repetition.
    public var tokens: Int
    /// The fastest repetition's wall time, in seconds.
    public var seconds: Double

    /// Input bytes per second.
    public var bytesPerSecond: Double { Double(bytes) / seconds }
    /// Tokens per second.
    public var tokensPerSecond: Double { Double(tokens) / seconds }

    /// A measurement from its parts.
    public init(bytes: Int, tokens: Int, seconds: Double) {
        self.bytes = bytes
        self.tokens = tokens
        self.seconds = seconds
    }

    /// Encodes `texts` (one batch, without special tokens, on the calling thread) `repetitions` times and keeps
    /// the fastest run — the number `tokenizers`' single-thread `encode` loop is compared with.
    public static func measure(_ tokenizer: HFTokenizer, texts: [String], repetitions: Int = 3) -> TokenizerThroughput {
        precondition(repetitions > 0, "repetitions must be positive")
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        var best = Double.infinity, tokens = 0
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            let encoded = tokenizer.encode(batch: texts, addSpecialTokens: false)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            tokens = encoded.reduce(0) { $0 + $1.count }
            best = min(best, elapsed)
        }
        return TokenizerThroughput(bytes: bytes, tokens: tokens, seconds: max(best, 1e-9))
    }
}
