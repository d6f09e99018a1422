/// How a ``TextPairDataModule`` reads and prepares (prompt, target) text: the keys of a `data:` section, in
/// snake_case, each with a default except `path` and `tokenizer`.
///
/// ```yaml
/// data:
///   path: [train.jsonl]
///   tokenizer: tokenizer.json
///   prompt_template: "Summarize:\n{document}\n\nSummary:\n"
///   target_field: summary
///   max_length: 1024
///   truncation: left
///   eos_token: "</s>"
///   sampler: bucketed
/// ```
public struct TextDataConfiguration: Codable, Sendable, Equatable {
    /// JSON Lines or CSV files, read in this order as one dataset.
    public var path: [String]
    /// Their format; nil = from each file's extension.
    public var format: TextFileFormat? = nil
    /// The `tokenizer.json` file.
    public var tokenizer: String
    /// The field holding the prompt, used when there is no template (the prompt is the field's text).
    public var promptField: String = "document"
    /// The field holding the target.
    public var targetField: String = "summary"
    /// A template over the record's fields (see ``PromptTemplate``); nil = `{prompt_field}`.
    public var promptTemplate: String? = nil
    /// Tokens per example at most.
    public var maxLength: Int = 1024
    /// Target tokens at most; nil = as many as `max_length` allows.
    public var maxTargetLength: Int? = nil
    /// Which end of the prompt is cut when a pair is too long.
    public var truncation: TruncationSide = .left
    /// A token appended to every target (e.g. `</s>`); nil = none.
    public var eosToken: String? = nil
    /// The padding token; nil = the EOS token, else id 0 (padding is masked either way).
    public var padToken: String? = nil
    /// Train/validation(/test) fractions.
    public var split: [Double] = [0.9, 0.1]
    /// Seed of the split and the shuffle.
    public var seed: Int = 42
    /// Examples per batch.
    public var batchSize: Int = 8
    /// `random` (shuffled) or `bucketed` (similar lengths batched together).
    public var sampler: TextSampler = .random
    /// Batches per sorting window of the bucketed sampler.
    public var bucketWindow: Int = 50
    /// Background loading threads.
    public var numWorkers: Int = 0

    /// How the training loader orders examples.
    public enum TextSampler: String, Codable, Sendable {
        /// A seeded shuffle per epoch.
        case random
        /// `BucketedSampler`: shuffled windows sorted by length, so dynamic padding wastes little.
        case bucketed
    }

    /// A configuration with defaults for everything but the files and the tokenizer.
    public init(path: [String], tokenizer: String) {
        self.path = path
        self.tokenizer = tokenizer
    }

    enum CodingKeys: String, CodingKey {
        case path, format, tokenizer, split, seed, sampler, truncation
        case promptField = "prompt_field", targetField = "target_field", promptTemplate = "prompt_template"
        case maxLength = "max_length", maxTargetLength = "max_target_length", eosToken = "eos_token"
        case padToken = "pad_token", batchSize = "batch_size", bucketWindow = "bucket_window", numWorkers = "num_workers"
    }

    /// Decodes a `data:` section; absent keys keep their defaults, `path` may be one string or a list.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let one = try? c.decode(String.self, forKey: .path) { path = [one] } else { path = try c.decode([String].self, forKey: .path) }
        tokenizer = try c.decode(String.self, forKey: .tokenizer)
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try c.decodeIfPresent(T.self, forKey: key) ?? fallback }
        format = try c.decodeIfPresent(TextFileFormat.self, forKey: .format)
        promptField = try value(.promptField, promptField)
        targetField = try value(.targetField, targetField)
        promptTemplate = try c.decodeIfPresent(String.self, forKey: .promptTemplate)
        maxLength = try value(.maxLength, maxLength)
        maxTargetLength = try c.decodeIfPresent(Int.self, forKey: .maxTargetLength)
        truncation = try value(.truncation, truncation)
        eosToken = try c.decodeIfPresent(String.self, forKey: .eosToken)
        padToken = try c.decodeIfPresent(String.self, forKey: .padToken)
        split = try value(.split, split)
        seed = try value(.seed, seed)
        batchSize = try value(.batchSize, batchSize)
        sampler = try value(.sampler, sampler)
        bucketWindow = try value(.bucketWindow, bucketWindow)
        numWorkers = try value(.numWorkers, numWorkers)
    }
}
