import Foundation
import LLaMA
import Volt
import VoltNN
import VoltTensor

/// Training throughput of a dense LLaMA (transformers' `LlamaForCausalLM`) on the shapes of
/// `scripts/bench_torch.py`'s LLaMA entries: random token ids, labels = inputs, no padding, an AdamW step every
/// iteration, through the same precision plugin as `Trainer`'s and ``ModelBenchmark``'s.
///
/// Model FLOPs per step are 6·N·T + 12·layers·(heads·headDim)·seq²·batch with N the weights that multiply (every
/// parameter but the input embedding, a lookup; with tied embeddings it is the output projection and counts) and
/// T the tokens: forward 2·N·T, activation and weight gradients 2·N·T each, plus attention's scores and
/// weighted sums.
public struct LlamaBenchmark: Sendable {
    /// The benchmark shapes.
    public enum Shape: String, CaseIterable, Sendable {
        /// Hidden 64, 2 layers, 4 heads, 2 key/value heads, intermediate 176, vocabulary 512, 64 tokens × 2
        /// sequences: for tests.
        case llamaTiny = "llama-tiny"
        /// Hidden 512, 8 layers, 8 heads, 4 key/value heads (head 64), intermediate 1408, vocabulary 32000,
        /// untied embeddings, 512 tokens × 4 sequences.
        case llamaSmall = "llama-small"

        /// The model's configuration (`max_position_embeddings` = the sequence length).
        public var configuration: LlamaConfiguration {
            switch self {
            case .llamaTiny:
                LlamaConfiguration(vocabSize: 512, hiddenSize: 64, intermediateSize: 176, layers: 2, heads: 4, kvHeads: 2,
                                   maxPositions: sequenceLength)
            case .llamaSmall:
                LlamaConfiguration(vocabSize: 32_000, hiddenSize: 512, intermediateSize: 1408, layers: 8, heads: 8,
                                   kvHeads: 4, maxPositions: sequenceLength)
            }
        }

        /// Tokens per sequence.
        public var sequenceLength: Int { self == .llamaTiny ? 64 : 512 }
        /// Sequences per step.
        public var batchSize: Int { self == .llamaTiny ? 2 : 4 }
    }

    /// The model's shape.
    public var shape: Shape
    /// The training precision, applied through the precision plugin that `Trainer` uses.
    public var precision: Precision
    /// Timed training steps.
    public var steps: Int
    /// Untimed training steps before the timed ones.
    public var warmup: Int
    /// The ranks that train and the strategy they train through (zero3 gathers each decoder layer).
    public var parallelism = DataParallelism.single

    /// A benchmark of `shape` under `precision`: `warmup` untimed steps, then `steps` timed ones.
    ///
    /// - Throws: `LlamaError.invalidInput` when `steps` is below 1 or `warmup` below 0.
    public init(shape: Shape, precision: Precision = .fp32, steps: Int = 10, warmup: Int = 3) throws(LlamaError) {
        guard steps >= 1, warmup >= 0 else {
            throw .invalidInput("steps must be ≥ 1 and warmup ≥ 0, got \(steps) and \(warmup)")
        }
        self.shape = shape
        self.precision = precision
        self.steps = steps
        self.warmup = warmup
    }

    /// Model FLOPs of one training step of `configuration` over `batch` sequences of `seq` tokens, for a model
    /// with `parameters` weights in all (see the type's discussion).
    public static func trainingFLOPs(_ configuration: LlamaConfiguration, parameters: Int, seq: Int, batch: Int) -> Double {
        let c = configuration
        let multiplying = parameters - (c.tieWordEmbeddings ? 0 : c.vocabSize * c.hiddenSize)
        let tokens = Double(seq * batch)
        return 6 * Double(multiplying) * tokens
            + 12 * Double(c.numHiddenLayers * c.numAttentionHeads * c.headDim) * Double(seq) * Double(seq) * Double(batch)
    }

    /// Runs the benchmark; MFU is against the best 1024³ matmul rate of this run (float32, or bfloat16 for bf16).
    /// The result's LoRA, optimizer and checkpointing fields read `none`, `adamw` and false.
    ///
    /// - Throws: ``BenchmarkError/noLayerHooks(model:)`` under zero3 for a mixture of experts;
    ///   `TrainerError.misconfiguration` from the strategy.
    public func run() throws -> ModelBenchmark.Result {
        try parallelism.check(model: shape.rawValue, layered: !shape.configuration.isMixtureOfExperts, eightBitOptimizer: false)
        let configuration = shape.configuration
        let (seq, batch) = (shape.sequenceLength, shape.batchSize)
        let model = try LlamaForCausalLM(configuration, seed: 0)
        let buildPeakRSS = MachinePeaks.residentMegabytes()
        let optimizer = AdamW(model.parameters, lr: 1e-4)
        let ranks = try RankedTraining(parallelism, model: model, parameters: model.parameters, name: shape.rawValue)
        var generator = RandomGenerator(seed: 1 + UInt64(ranks.rank))  // each rank its own batch
        let ids = (0..<(batch * seq)).map { _ in Int32(generator.nextInt(below: configuration.vocabSize)) }
        let inputs = Tensor(shape: [batch, seq], indices: ids)
        let peaksBefore = ranks.matmulPeaks(for: precision)
        let (seconds, peakTensorBytes) = try TimedTraining.measure(
            precision: precision, parameters: model.parameters, optimizer: optimizer, strategy: ranks.strategy,
            warmup: warmup, steps: steps
        ) { try model.loss(inputIds: inputs, labels: inputs) }

        let machine = ranks.machinePeaks(for: precision, atLeast: peaksBefore)
        let (fp32Peak, peak) = (machine.fp32, machine.peak)
        let params = model.parameterCount
        let flops = Self.trainingFLOPs(configuration, parameters: params, seq: seq, batch: batch) * Double(ranks.worldSize)
        let runtime = RuntimeReport.current
        let weightBytes = model.namedTensors().reduce(0) { $0 + $1.1.count * $1.1.dtype.byteSize }
        let tokensPerSecond: Double = Double(seq * batch * ranks.worldSize) / seconds
        let gflops: Double = flops / seconds / 1e9
        return ModelBenchmark.Result(
            model: shape.rawValue, precision: precision.rawValue, gradient_checkpointing: false, steps: steps,
            warmup: warmup, params: params, trainable_params: params, peft: "none", optimizer: "adamw",
            tokens_per_step: seq * batch, step_ms: seconds * 1e3, tokens_per_s: tokensPerSecond,
            gflops: gflops, mfu: gflops / peak, peak_rss_mb: machine.rankPeakRSS[0],
            build_peak_rss_mb: buildPeakRSS, weights_mb: Double(weightBytes) / 1_048_576,
            peak_tensor_mb: Double(peakTensorBytes) / 1_048_576,
            sgemm_peak_gflops: fp32Peak, matmul_peak_gflops: peak, threads: runtime.threads, backend: runtime.backend,
            strategy: parallelism.strategy.rawValue, devices: ranks.worldSize, rank_peak_rss_mb: machine.rankPeakRSS,
            max_rank_peak_rss_mb: machine.rankPeakRSS.max() ?? 0)
    }
}
