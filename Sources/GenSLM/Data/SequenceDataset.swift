import VoltData
import VoltTensor

/// One tokenized sequence: token ids without padding (truncated to the dataset's maximum length).
public struct TokenizedSequence: Sendable, Equatable {
    /// Token ids.
    public var ids: [Int32]
}

/// How a batch of sequences is padded.
public enum PaddingStrategy: String, Sendable, Codable {
    /// To the longest sequence of the batch: no compute on padding (Volt's default).
    case dynamic
    /// To the dataset's maximum length, as GenSLM's `padding="max_length"` does.
    case fixed
}

/// GenSLM's `SequenceDataset`: each sequence tokenized into codons, truncated to `maxLength`, and batched with
/// `[PAD]` padding, an attention mask and causal-LM labels.
///
/// Labels equal the input ids. Padding positions are ignored in the loss by default; `countPadInLoss` makes them
/// targets as in GenSLM (where `labels = input_ids` includes the pads), for parity with published numbers.
public struct SequenceDataset: LengthAwareDataset {
    /// The tokenized sequences.
    public let sequences: [TokenizedSequence]
    /// Maximum tokens per sequence.
    public let maxLength: Int
    /// Padding of batches.
    public let padding: PaddingStrategy
    /// Whether padding positions are loss targets (GenSLM's behaviour).
    public let countPadInLoss: Bool

    /// Tokenizes `sequences` (DNA, read in codons from position 0).
    public init(_ sequences: [String], tokenizer: CodonTokenizer = CodonTokenizer(), maxLength: Int,
                padding: PaddingStrategy = .dynamic, countPadInLoss: Bool = false) {
        precondition(maxLength >= 2, "maxLength must allow at least one prediction")
        self.sequences = sequences.map { TokenizedSequence(ids: Array(tokenizer.encode($0).prefix(maxLength))) }
        self.maxLength = maxLength
        self.padding = padding
        self.countPadInLoss = countPadInLoss
    }

    /// The sequences of FASTA records.
    public init(_ records: [FASTARecord], tokenizer: CodonTokenizer = CodonTokenizer(), maxLength: Int,
                padding: PaddingStrategy = .dynamic, countPadInLoss: Bool = false) {
        self.init(records.map(\.sequence), tokenizer: tokenizer, maxLength: maxLength, padding: padding,
                  countPadInLoss: countPadInLoss)
    }

    public var count: Int { sequences.count }
    public func element(at index: Int) throws -> TokenizedSequence { sequences[index] }
    public func length(at index: Int) -> Int { sequences[index].ids.count }

    /// The padding rules of this dataset.
    public var collator: SequenceCollator { SequenceCollator(maxLength: maxLength, padding: padding, countPadInLoss: countPadInLoss) }

    /// Pads `items` into one batch.
    public func collate(_ items: [TokenizedSequence]) -> TokenBatch { collator.collate(items) }

    /// A data loader over this dataset (or a subset of it) that collates with ``collate(_:)``.
    public func loader<D: Dataset>(_ data: D, batchSize: Int = 1, shuffle: Bool = false, seed: UInt64 = 0,
                                   workers: Int = 0, sampler: (any Sampler)? = nil) -> DataLoader<D, TokenBatch>
    where D.Element == TokenizedSequence {
        collator.loader(data, batchSize: batchSize, shuffle: shuffle, seed: seed, workers: workers, sampler: sampler)
    }
}
