import Foundation
import VoltTensor

/// The result of ``GPTNeoX/evaluate(_:tokenizer:)``.
public struct EvaluationResult: Codable, Sendable, Equatable {
    /// Mean token cross-entropy (nats) over every predicted token.
    public var loss: Double
    /// e^loss.
    public var perplexity: Double
    /// Predicted tokens (sequence length − 1 per sequence, after truncation).
    public var tokens: Int
    /// Sequences evaluated (those with at least two tokens).
    public var sequences: Int
}

extension GPTNeoX {
    /// Mean next-token loss over `sequences`: Σ over sequences and positions t ≥ 1 of −log p(token_t | tokens<t),
    /// divided by the number of predicted tokens. Sequences are tokenized into codons, truncated to the model's
    /// positions, and never padded.
    public func evaluate(_ sequences: [String], tokenizer: CodonTokenizer = CodonTokenizer()) throws -> EvaluationResult {
        let wasTraining = training
        eval()
        defer { if wasTraining { train() } }
        var total = 0.0, tokens = 0, used = 0
        for sequence in sequences {
            let ids = Array(tokenizer.encode(sequence).prefix(configuration.maxPositionEmbeddings))
            guard ids.count >= 2 else { continue }
            let batch = TokenBatch(inputIds: Tensor(shape: [1, ids.count], indices: ids),
                                   attentionMask: Tensor.ones([1, ids.count]),
                                   labels: Tensor(shape: [1, ids.count], indices: ids))
            let sequenceLoss = try withNoGrad { try self.loss(batch) }.item()
            total += Double(sequenceLoss) * Double(ids.count - 1)
            tokens += ids.count - 1
            used += 1
        }
        guard tokens > 0 else { throw EvaluationError.nothingToEvaluate(sequences: sequences.count) }
        let mean = total / Double(tokens)
        return EvaluationResult(loss: mean, perplexity: Foundation.exp(mean), tokens: tokens, sequences: used)
    }
}

/// Input that leaves nothing to evaluate.
public enum EvaluationError: Error, Equatable, CustomStringConvertible {
    /// No sequence holds two or more codons, so no next codon can be predicted.
    case nothingToEvaluate(sequences: Int)

    public var description: String {
        switch self {
        case let .nothingToEvaluate(n):
            "no usable sequences: \(n) record(s) read, none with at least two codons (a loss needs a codon to predict)"
        }
    }
}
