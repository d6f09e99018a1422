import Foundation
import GenSLM
import Volt
import VoltNN
import VoltTensor

/// Training throughput of GPT-NeoX on the shapes of the PyTorch reference benchmark that `scripts/bench_compare.sh` runs:
/// random codon ids, labels = inputs, dropout 0, an AdamW step every iteration, taken through the same precision
/// plugin as `Trainer`'s (`makePrecisionPlugin(_:)`).
public struct ModelBenchmark: Sendable {
    /// The benchmark shapes.
    public enum Shape: String, CaseIterable, Sendable {
        /// Hidden 128, 2 layers, 4 heads, 256 tokens × 8 sequences.
        case tiny
        /// Hidden 512, 8 layers, 8 heads, 512 tokens × 4 sequences.
        case small
        /// The genslm-25m preset at 2048 tokens × 1 sequence.
        case genslm25m = "genslm-25m"
        /// The genslm-250m preset at 2048 tokens × 1 sequence.
        case genslm250m = "genslm-250m"
        /// The genslm-2.5b preset at 2048 tokens × 1 sequence.
        case genslm2_5b = "genslm-2.5b"

        /// hidden, layers, heads, intermediate, sequence length, batch.
        var dimensions: (Int, Int, Int, Int, Int, Int) {
            switch self {
            case .tiny: (128, 2, 4, 512, 256, 8)
            case .small: (512, 8, 8, 2048, 512, 4)
            case .genslm25m: Self.presetDimensions(.m25)
            case .genslm250m: Self.presetDimensions(.m250)
            case .genslm2_5b: Self.presetDimensions(.b2_5)
            }
        }

        /// A GenSLM preset's layer sizes at 2048 tokens × 1 sequence.
        private static func presetDimensions(_ preset: GenSLMPreset) -> (Int, Int, Int, Int, Int, Int) {
            let c = preset.configuration
            return (c.hiddenSize, c.numHiddenLayers, c.numAttentionHeads, c.intermediateSize, 2048, 1)
        }
    }

    /// The model's shape.
    public var shape: Shape
    /// The training precision, applied through the precision plugin that `Trainer` uses (autocast, and for
    /// fp16 its dynamic loss scaler).
    public var precision: Precision
    /// Timed training steps.
    public var steps: Int
    /// Untimed training steps before the timed ones.
    public var warmup: Int
    /// Recompute each layer's activations in backward instead of keeping them (less memory, about one more forward).
    public var gradientCheckpointing: Bool
    /// The optimizer stepped each iteration: AdamW, or 8-bit AdamW (block-wise quantised moments).
    public var eightBitOptimizer: Bool
    /// LoRA adapters over frozen base weights (stored in bfloat16 under bf16), or `nil` to train every weight.
    public var lora: LoRAConfiguration?
    /// The ranks that train and the strategy they train through; each rank trains its own batch of the shape.
    public var parallelism: DataParallelism

    /// A benchmark of `shape` under `precision`: `warmup` untimed steps, then `steps` timed ones.
    ///
    /// - Throws: `GPTNeoXError/invalidConfiguration(_:)` when `steps` is below 1 or `warmup` below 0;
    ///   ``BenchmarkError/optimizerDoesNotShard(optimizer:strategy:)`` for the 8-bit optimizer under zero1–3.
    public init(shape: Shape, precision: Precision = .fp32, steps: Int = 10, warmup: Int = 3,
                gradientCheckpointing: Bool = false, lora: LoRAConfiguration? = nil, eightBitOptimizer: Bool = false,
                parallelism: DataParallelism = .single) throws {
        try parallelism.check(model: shape.rawValue, layered: true, eightBitOptimizer: eightBitOptimizer)
        self.parallelism = parallelism
        self.lora = lora
        self.eightBitOptimizer = eightBitOptimizer
        guard steps >= 1, warmup >= 0 else {
            throw GPTNeoXError.invalidConfiguration("steps must be ≥ 1 and warmup ≥ 0, got \(steps) and \(warmup)")
        }
        self.gradientCheckpointing = gradientCheckpointing
        self.shape = shape
        self.precision = precision
        self.steps = steps
        self.warmup = warmup
    }

    /// The measurements (`volt bench --model … --json`).
    public struct Result: Codable, Sendable {
        /// The shape's name (`tiny`, `genslm-25m`, …).
        public var model: String
        /// `fp32`, `fp16` or `bf16`.
        public var precision: String
        /// Whether activations were recomputed in backward.
        public var gradient_checkpointing: Bool
        /// Timed steps.
        public var steps: Int
        /// Untimed steps before them.
        public var warmup: Int
        /// Every weight of the model.
        public var params: Int
        /// The weights that train (all of them, or LoRA's adapters).
        public var trainable_params: Int
        /// `lora` or `none`.
        public var peft: String
        /// `adamw` or `adamw8bit`.
        public var optimizer: String
        /// Tokens per step of one rank (sequence length × batch).
        public var tokens_per_step: Int
        /// Milliseconds per timed step (forward, backward, optimizer).
        public var step_ms: Double
        /// Training tokens per second, of all ranks together.
        public var tokens_per_s: Double
        /// Model GFLOP/s of all ranks together: 6·N·T for trained weights (4·N·T for frozen ones) plus attention.
        public var gflops: Double
        /// Model FLOP utilisation: ``gflops`` ÷ ``matmul_peak_gflops``.
        public var mfu: Double
        /// Peak resident memory of the process (rank 0's), in MB.
        public var peak_rss_mb: Double
        /// Peak resident memory once the model is built (and its LoRA base stored in bfloat16), before any step, in MB.
        public var build_peak_rss_mb: Double
        /// Every tensor of the model (base weights in their stored types, adapters), in MB.
        public var weights_mb: Double
        /// Peak memory of live tensors during the timed steps, in MB.
        public var peak_tensor_mb: Double
        /// The best float32 1024³ matmul GFLOP/s of any backend (summed over the ranks, measured at once; the higher
        /// of the readings before and after the timed steps).
        public var sgemm_peak_gflops: Double
        /// The peak MFU is measured against: float32, or bfloat16 under bf16 (summed over the ranks; the higher of the
        /// readings before and after the timed steps).
        public var matmul_peak_gflops: Double
        /// Compute threads (of each rank).
        public var threads: Int
        /// The matmul backend in use.
        public var backend: String
        /// The strategy each rank trained through: `auto` (one process, or DDP), `ddp`, `zero1`, `zero2`, `zero3`.
        public var strategy = StrategyKind.auto.rawValue
        /// Ranks that trained, each its own batch.
        public var devices = 1
        /// Each rank's peak resident memory, in MB, in rank order (gathered to rank 0 over MPI).
        public var rank_peak_rss_mb: [Double] = []
        /// The largest of ``rank_peak_rss_mb``.
        public var max_rank_peak_rss_mb: Double = 0
    }

    /// Runs the benchmark. MFU is against the best 1024³ matmul rate of this run (float32, or bfloat16 for bf16).
    public func run() throws -> Result {
        let (h, layers, heads, ff, seq, batch) = shape.dimensions
        var config = GPTNeoXConfiguration(hiddenSize: h, layers: layers, heads: heads, intermediateSize: ff,
                                          maxPositions: Swift.max(seq, 512), hiddenDropout: 0, attentionDropout: 0)
        config.initializerRange = 0.02
        // A LoRA base under bf16 is built in bfloat16, as the fine-tuning workflow builds it.
        let model = try GPTNeoX(config, seed: 0, frozenWeightDType: lora != nil && precision == .bf16 ? .bfloat16 : .float32)
        model.gradientCheckpointing = gradientCheckpointing
        if let lora {
            try model.applyLoRA(lora, seed: 2)
            if precision == .bf16 { model.storeFrozenWeights(as: .bfloat16) }
        }
        let buildPeakRSS = MachinePeaks.residentMegabytes()
        let weightBytes = model.namedTensors().reduce(0) { $0 + $1.1.count * $1.1.dtype.byteSize }
        let optimizer: any Optimizer = eightBitOptimizer
            ? AdamW8bit([ParameterGroup(model.namedParameters(), learningRate: 1e-4)]) : AdamW(model.parameters, lr: 1e-4)
        var generator = RandomGenerator(seed: 1)
        let ranks = try RankedTraining(parallelism, model: model, parameters: model.parameters, name: shape.rawValue)
        if ranks.rank > 0 { generator = RandomGenerator(seed: 1 + UInt64(ranks.rank)) }  // each rank its own batch
        let ids = (0..<(batch * seq)).map { _ in Int32(5 + generator.nextInt(below: 64)) }
        let batchData = TokenBatch(inputIds: Tensor(shape: [batch, seq], indices: ids), attentionMask: Tensor.ones([batch, seq]),
                                   labels: Tensor(shape: [batch, seq], indices: ids))
        let peaksBefore = ranks.matmulPeaks(for: precision)
        let (seconds, peakTensorBytes) = try TimedTraining.measure(
            precision: precision, parameters: model.parameters, optimizer: optimizer, strategy: ranks.strategy,
            warmup: warmup, steps: steps
        ) { try model.loss(batchData) }

        let machine = ranks.machinePeaks(for: precision, atLeast: peaksBefore)
        let (fp32Peak, peak) = (machine.fp32, machine.peak)
        let tokens = batch * seq
        let globalTokens = Double(tokens * ranks.worldSize)
        let params = model.namedTensors().filter { !$0.0.contains("lora_") }.reduce(0) { $0 + $1.1.count }
        // Forward 2N·T, activation gradients 2N·T, weight gradients 2N·T — the last only for weights that train.
        let weightGradientFLOPs = lora == nil ? 2 * Double(params) : 2 * Double(model.parameterCount)
        let flops = Double(ranks.worldSize)
            * ((4 * Double(params) + weightGradientFLOPs) * Double(tokens) + 12 * Double(layers * h) * Double(seq * seq * batch))
        return Result(model: shape.rawValue, precision: precision.rawValue, gradient_checkpointing: gradientCheckpointing,
                      steps: steps, warmup: warmup, params: params, trainable_params: model.parameterCount,
                      peft: lora == nil ? "none" : "lora", optimizer: eightBitOptimizer ? "adamw8bit" : "adamw",
                      tokens_per_step: tokens,
                      step_ms: seconds * 1e3, tokens_per_s: globalTokens / seconds, gflops: flops / seconds / 1e9,
                      mfu: flops / seconds / 1e9 / peak, peak_rss_mb: machine.rankPeakRSS[0], build_peak_rss_mb: buildPeakRSS,
                      weights_mb: Double(weightBytes) / 1_048_576,
                      peak_tensor_mb: Double(peakTensorBytes) / 1_048_576, sgemm_peak_gflops: fp32Peak,
                      matmul_peak_gflops: peak, threads: RuntimeReport.current.threads, backend: RuntimeReport.current.backend,
                      strategy: parallelism.strategy.rawValue, devices: ranks.worldSize, rank_peak_rss_mb: machine.rankPeakRSS,
                      max_rank_peak_rss_mb: machine.rankPeakRSS.max() ?? 0)
    }
}
