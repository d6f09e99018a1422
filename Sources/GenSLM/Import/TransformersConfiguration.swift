import Foundation
import VoltInterop

/// A transformers `config.json` of a GPT-NeoX model, as published by GenSLM (transformers 4: `rotary_pct`,
/// `rotary_emb_base`) or written by transformers 5 (`rope_parameters`), turned into a ``GPTNeoXConfiguration``.
///
/// Settings Volt's GPT-NeoX does not implement (another activation, tied embeddings, another rotary type,
/// attention without biases) are refused rather than ignored, since the logits would silently differ.
public struct TransformersConfiguration: Decodable {
    struct RopeParameters: Decodable {
        var partialRotaryFactor: Double?
        var ropeTheta: Double?
        var ropeType: String?
        enum CodingKeys: String, CodingKey {
            case partialRotaryFactor = "partial_rotary_factor", ropeTheta = "rope_theta", ropeType = "rope_type"
        }
    }

    var modelType: String?
    var vocabSize: Int
    var hiddenSize: Int
    var numHiddenLayers: Int
    var numAttentionHeads: Int
    var intermediateSize: Int
    var maxPositionEmbeddings: Int
    var rotaryPct: Double?
    var rotaryEmbBase: Double?
    var ropeTheta: Double?
    var partialRotaryFactor: Double?
    var ropeParameters: RopeParameters?
    var layerNormEps: Double?
    var hiddenAct: String?
    var hiddenDropout: Double?
    var attentionDropout: Double?
    var initializerRange: Double?
    var useParallelResidual: Bool?
    var tieWordEmbeddings: Bool?
    var attentionBias: Bool?

    enum CodingKeys: String, CodingKey {
        case modelType = "model_type", vocabSize = "vocab_size", hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case intermediateSize = "intermediate_size", maxPositionEmbeddings = "max_position_embeddings"
        case rotaryPct = "rotary_pct", rotaryEmbBase = "rotary_emb_base", ropeTheta = "rope_theta"
        case partialRotaryFactor = "partial_rotary_factor", ropeParameters = "rope_parameters"
        case layerNormEps = "layer_norm_eps", hiddenAct = "hidden_act", hiddenDropout = "hidden_dropout"
        case attentionDropout = "attention_dropout", initializerRange = "initializer_range"
        case useParallelResidual = "use_parallel_residual", tieWordEmbeddings = "tie_word_embeddings"
        case attentionBias = "attention_bias"
    }

    /// The configuration in the `config.json` at `path`, with transformers' defaults for absent keys
    /// (dropout 0, as `GPTNeoXConfig` has it: GenSLM's files name theirs `hidden_dropout_prob`, which
    /// transformers ignores).
    ///
    /// - Throws: ``TorchImportError/badConfiguration(path:reason:)`` naming the key at fault.
    public static func read(from path: String) throws(TorchImportError) -> GPTNeoXConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        let raw: TransformersConfiguration
        do {
            raw = try JSONDecoder().decode(TransformersConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .badConfiguration(path: path, reason: "key \(key.stringValue) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .badConfiguration(path: path, reason: "key \(context.codingPath.map(\.stringValue).joined(separator: ".")) "
                                    + "has the wrong type")
        } catch {
            throw .badConfiguration(path: path, reason: "not a JSON object: \(error)")
        }
        return try raw.configuration(path: path)
    }

    func configuration(path: String) throws(TorchImportError) -> GPTNeoXConfiguration {
        func refuse(_ reason: String) -> TorchImportError { .badConfiguration(path: path, reason: reason) }
        if let modelType, modelType != "gpt_neox" { throw refuse("model_type \"\(modelType)\" is not gpt_neox") }
        let activation = hiddenAct ?? "gelu"
        guard activation == "gelu_fast" else {
            throw refuse("hidden_act \"\(activation)\": Volt's GPT-NeoX implements gelu_fast (GenSLM's) only")
        }
        guard tieWordEmbeddings != true else { throw refuse("tie_word_embeddings true: GenSLM's models have a separate embed_out") }
        guard attentionBias != false else { throw refuse("attention_bias false: Volt's attention has biases") }
        if let type = ropeParameters?.ropeType, type != "default" { throw refuse("rope_type \"\(type)\" is not default") }
        var c = GPTNeoXConfiguration(hiddenSize: hiddenSize, layers: numHiddenLayers, heads: numAttentionHeads,
                                     intermediateSize: intermediateSize, maxPositions: maxPositionEmbeddings,
                                     vocabSize: vocabSize, hiddenDropout: hiddenDropout ?? 0, attentionDropout: attentionDropout ?? 0)
        c.rotaryPct = rotaryPct ?? ropeParameters?.partialRotaryFactor ?? partialRotaryFactor ?? 0.25
        c.rotaryEmbBase = rotaryEmbBase ?? ropeParameters?.ropeTheta ?? ropeTheta ?? 10_000
        c.layerNormEps = layerNormEps ?? 1e-5
        c.initializerRange = initializerRange ?? 0.02
        c.useParallelResidual = useParallelResidual ?? true
        do { try c.validate() } catch { throw refuse(error.description) }
        return c
    }
}
