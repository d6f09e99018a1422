import Volt
import VoltTensor

/// The embeddings of a FASTA file's records, as ``EmbeddingFile`` stores them.
public struct Embeddings {
    /// Hidden-state indices (non-negative), in the order asked for.
    public var layers: [Int]
    /// How tokens were pooled.
    public var pooling: EmbeddingPooling
    /// FASTA ids, each record's position in the file, and hex MD5 of its upper-case sequence.
    public var ids: [String], indices: [Int], md5: [String]
    /// Mean pooling: per layer, [records, hidden].
    public var pooled: [Int: Tensor]
    /// Pooling `none`: per layer, one [tokens, hidden] matrix per record.
    public var tokens: [Int: [Tensor]]
    /// With `--logits`: one [tokens, vocabulary] matrix of next-codon logits per record; empty otherwise.
    public var logits: [Tensor]
    /// The model's configuration.
    public var configuration: GPTNeoXConfiguration
    /// Records cut to the model's positions.
    public var truncated: Int

    /// Assembles embeddings from memory.
    public init(layers: [Int], pooling: EmbeddingPooling, ids: [String], indices: [Int], md5: [String],
                pooled: [Int: Tensor], tokens: [Int: [Tensor]], logits: [Tensor] = [], configuration: GPTNeoXConfiguration,
                truncated: Int) {
        self.layers = layers
        self.pooling = pooling
        self.ids = ids
        self.indices = indices
        self.md5 = md5
        self.pooled = pooled
        self.tokens = tokens
        self.logits = logits
        self.configuration = configuration
        self.truncated = truncated
    }

    /// The embeddings of `input` from the predictions of an ``EmbeddingModule`` (one per record, any order).
    ///
    /// - Throws: `TrainerError.misconfiguration` when a record has no prediction or one of the wrong shape.
    public init(input: EmbeddingInput, predictions: [Prediction], module: EmbeddingModule) throws {
        let hidden = module.model.configuration.hiddenSize, count = input.ids.count
        let vocabulary = module.model.configuration.vocabSize, layerCount = module.layers.count
        let predicted = Dictionary(predictions.map { ($0.index, $0.output) }, uniquingKeysWith: { a, _ in a })
        guard predicted.count == count, (0..<count).allSatisfy({ predicted[$0] != nil }) else {
            throw TrainerError.misconfiguration("prediction returned \(predicted.count) of \(count) records")
        }
        // With logits, each row is the flattened hidden states followed by tokens × vocabulary logits, for the
        // tokens of the row's batch (padded past the record's end).
        var byIndex: [Int: Tensor] = [:], logits: [Tensor] = []
        for i in 0..<count {
            let output = predicted[i]!
            guard module.includesLogits else { byIndex[i] = output; continue }
            let perToken = module.pooling == .mean ? vocabulary : layerCount * hidden + vocabulary
            let fixed = module.pooling == .mean ? layerCount * hidden : 0
            let length = (output.count - fixed) / perToken, own = input.tokenCount(i)
            guard output.rank == 1, length >= own, fixed + length * perToken == output.count else {
                throw TrainerError.misconfiguration("record \(i): prediction of shape \(output.shape)")
            }
            let statesCount = fixed + length * layerCount * hidden * (module.pooling == .mean ? 0 : 1)
            let states = Tensor(uninitializedShape: module.pooling == .mean ? [layerCount, hidden] : [layerCount, length, hidden])
            states.floatPointer.update(from: output.floatPointer, count: statesCount)
            byIndex[i] = states
            let matrix = Tensor(uninitializedShape: [own, vocabulary])
            matrix.floatPointer.update(from: output.floatPointer + statesCount, count: own * vocabulary)
            logits.append(matrix)
        }
        var pooled: [Int: Tensor] = [:], tokens: [Int: [Tensor]] = [:]
        for (l, layer) in module.layers.enumerated() {
            switch module.pooling {
            case .mean:
                let matrix = Tensor(uninitializedShape: [count, hidden])
                for i in 0..<count {
                    let output = byIndex[i]!
                    guard output.shape == [module.layers.count, hidden] else {
                        throw TrainerError.misconfiguration("record \(i): prediction of shape \(output.shape)")
                    }
                    (matrix.floatPointer + i * hidden).update(from: output.floatPointer + l * hidden, count: hidden)
                }
                pooled[layer] = matrix
            case .none:
                tokens[layer] = try (0..<count).map { i in
                    let output = byIndex[i]!, length = input.tokenCount(i)
                    guard output.rank == 3, output.shape[0] == module.layers.count, output.shape[1] >= length,
                          output.shape[2] == hidden else {
                        throw TrainerError.misconfiguration("record \(i): prediction of shape \(output.shape)")
                    }
                    let matrix = Tensor(uninitializedShape: [length, hidden])
                    matrix.floatPointer.update(from: output.floatPointer + l * output.shape[1] * hidden, count: length * hidden)
                    return matrix
                }
            }
        }
        self.init(layers: module.layers, pooling: module.pooling, ids: input.ids, indices: input.indices, md5: input.md5,
                  pooled: pooled, tokens: tokens, logits: logits, configuration: module.model.configuration,
                  truncated: input.truncated)
    }
}
