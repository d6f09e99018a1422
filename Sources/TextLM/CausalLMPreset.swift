import LLaMA
import Volt

/// Small LLaMA shapes for CPU fine-tuning (`model.preset`). Both have a 512-token vocabulary, the size of the
/// text-summarization template's tokenizer; a larger tokenizer needs `model.config`.
public enum CausalLMPreset: String, ConfigurationChoice, Sendable {
    /// hidden 64, 2 layers, 4 heads (2 key/value heads), intermediate 176, 512 positions: a fit takes seconds.
    case tiny
    /// hidden 256, 4 layers, 8 heads (4 key/value heads), intermediate 688, 1024 positions.
    case small

    /// The architecture.
    public var configuration: LlamaConfiguration {
        switch self {
        case .tiny: LlamaConfiguration(vocabSize: 512, hiddenSize: 64, intermediateSize: 176, layers: 2, heads: 4, kvHeads: 2,
                                       maxPositions: 512)
        case .small: LlamaConfiguration(vocabSize: 512, hiddenSize: 256, intermediateSize: 688, layers: 4, heads: 8, kvHeads: 4,
                                        maxPositions: 1024)
        }
    }
}
