import Volt

/// How a training benchmark spreads its steps over processes (`volt bench --strategy … --devices …`): each of
/// `devices` MPI ranks on this machine trains its own batch through the `Strategy` that `trainer.strategy` names,
/// built as `Trainer` builds it (`Trainer.makeStrategy(_:)`), so gradients are reduced, optimizer state is sharded
/// and ZeRO-3 gathers layers exactly as in a fit.
public struct DataParallelism: Sendable, Equatable {
    /// The strategy's kind; `auto` is DDP once ``devices`` > 1, and every kind is one process on one device.
    public var strategy: StrategyKind
    /// MPI ranks, each training its own batch.
    public var devices: Int

    /// One process: the benchmark as it runs without `--strategy` and `--devices`.
    public static let single = DataParallelism(checked: .auto, devices: 1)

    private init(checked strategy: StrategyKind, devices: Int) {
        self.strategy = strategy
        self.devices = devices
    }

    /// `devices` ranks training through `strategy`.
    ///
    /// - Throws: ``BenchmarkError/invalidDevices(_:)`` when `devices` is below 1;
    ///   ``BenchmarkError/singleOnSeveralDevices(_:)`` for strategy `single` with `devices` > 1.
    public init(strategy: StrategyKind = .auto, devices: Int = 1) throws(BenchmarkError) {
        guard devices >= 1 else { throw .invalidDevices(devices) }
        guard strategy != .single || devices == 1 else { throw .singleOnSeveralDevices(devices) }
        self.init(checked: strategy, devices: devices)
    }

    /// Whether the strategy shards optimizer state (zero1, zero2, zero3).
    public var shardsOptimizerState: Bool { [.zero1, .zero2, .zero3].contains(strategy) }

    /// Refuses what the strategy cannot train: ZeRO-3 of a model without layer hooks (`layered` false: its layers
    /// do not run through a `LayerRunner`, so nothing could gather them), and an 8-bit optimizer under zero1–3
    /// (its block-wise state does not split along parameters), as `volt fit` refuses them.
    ///
    /// - Throws: ``BenchmarkError/noLayerHooks(model:)`` or ``BenchmarkError/optimizerDoesNotShard(optimizer:strategy:)``.
    public func check(model: String, layered: Bool, eightBitOptimizer: Bool) throws(BenchmarkError) {
        if strategy == .zero3 && !layered { throw .noLayerHooks(model: model) }
        if shardsOptimizerState && eightBitOptimizer { throw .optimizerDoesNotShard(optimizer: "adamw8bit", strategy: strategy.rawValue) }
    }

    /// The strategy over this process's MPI world (`SingleDeviceStrategy`: one process when `devices` is 1 and
    /// no launcher started it).
    ///
    /// - Throws: `TrainerError.misconfiguration` when the MPI world's size disagrees with ``devices`` or a
    ///   data-parallel strategy has no launcher.
    func makeStrategy() throws -> any Strategy {
        var configuration = TrainerConfiguration()
        configuration.strategy = strategy
        configuration.devices = devices
        return try Trainer.makeStrategy(configuration)
    }
}

/// A benchmark setting that cannot run.
public enum BenchmarkError: Error, Equatable, CustomStringConvertible {
    /// `--devices` below 1.
    case invalidDevices(Int)
    /// Strategy `single` asked to run on several ranks, which would each train alone.
    case singleOnSeveralDevices(Int)
    /// ZeRO-3 of a model whose layers do not run through a layer runner.
    case noLayerHooks(model: String)
    /// An optimizer whose state a sharded strategy cannot split.
    case optimizerDoesNotShard(optimizer: String, strategy: String)

    /// The message `volt bench` prints.
    public var description: String {
        switch self {
        case .invalidDevices(let n): "--devices must be at least 1, got \(n)"
        case .singleOnSeveralDevices(let n):
            "--strategy single runs one process but --devices is \(n): use ddp, zero1, zero2 or zero3"
        case .noLayerHooks(let model):
            "--strategy zero3 gathers each layer's parameters through the model's layer hooks (GPT-NeoX and dense LLaMA "
                + "shapes have them), "
                + "which \(model) does not have: use ddp, zero1 or zero2"
        case .optimizerDoesNotShard(let optimizer, let strategy):
            "--optimizer \(optimizer) does not shard under \(strategy) (its block-wise state does not split along parameters): use adamw, or ddp"
        }
    }
}
