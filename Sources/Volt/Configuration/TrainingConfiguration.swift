/// A configuration file's root: what builds the module, its data and the trainer. `VoltCLI` runs any type
/// conforming to it (`fit`, `validate`, `test`, `predict`, `--config`, `--print-config`, `--section.key value`).
///
/// ``ModuleConfiguration`` is the ready-made one, with Lightning CLI's layout: `trainer:`, `module:` (the module's
/// ``TrainingModule/Hyperparameters``) and `data:` (the data module's configuration). A package with its own
/// layout (as `volt`'s GenSLM configuration) conforms its own root type.
public protocol TrainingConfiguration: ConfigurationSection {
    /// The module it builds.
    associatedtype Module: TrainingModule
    /// The data module it builds.
    associatedtype Data: DataModule where Data.Batch == Module.Batch

    /// The `trainer:` section.
    var trainer: TrainerConfiguration { get }
    /// A new module, as the configuration describes it (weights from scratch or from a file it names).
    func makeModule() throws -> Module
    /// The data module that feeds `module`.
    func makeDataModule(for module: Module) throws -> Data
    /// The trainer; `callbacks` join the configured ones. Default: ``Trainer/init(configuration:strategy:callbacks:loggers:)``.
    func makeTrainer(callbacks: [any Callback]) throws -> Trainer
    /// Called after ``fit(ckptPath:callbacks:)`` trains (plots, exports). Default: nothing.
    func didFit(_ trainer: Trainer) throws
}

extension TrainingConfiguration {
    /// Nothing after fitting.
    public func didFit(_ trainer: Trainer) throws {}

    /// Builds the module, the data module and the trainer, fits (resuming from `ckptPath`: `last`, `best` or a
    /// path) and reports the best checkpoint.
    public func fit(ckptPath: String? = nil, callbacks: [any Callback] = []) throws -> FitSummary {
        let module = try makeModule()
        let data = try makeDataModule(for: module)
        let trainer = try makeTrainer(callbacks: callbacks)
        try trainer.fit(module, datamodule: data, ckptPath: ckptPath)
        try didFit(trainer)
        return FitSummary(trainer)
    }

    /// The trainer of ``trainer``.
    public func makeTrainer(callbacks: [any Callback]) throws -> Trainer {
        try Trainer(configuration: trainer, callbacks: callbacks)
    }
}

/// A data module built from a configuration section, so that ``ModuleConfiguration`` can make it from `data:`.
public protocol ConfigurableDataModule: DataModule {
    /// Its `data:` section; keys left out take its defaults.
    associatedtype Configuration: ConfigurationSection

    /// A data module of `configuration`.
    init(configuration: Configuration) throws
    /// Adapts to the module it will feed, before any setup (a tokenizer's window from the model's). Default: nothing.
    func attach<Module: TrainingModule>(to module: Module)
}

extension ConfigurableDataModule {
    /// Nothing to adapt.
    public func attach<Module: TrainingModule>(to module: Module) {}
}

/// Lightning CLI's layout: `trainer:`, `module:` (the module's hyper-parameters) and `data:` (the data module's
/// configuration) — what `VoltCLI.main(module: MyModule.self, data: MyData.self)` reads.
///
/// ```yaml
/// trainer: {max_epochs: 5, precision: bf16}
/// module: {lr: 3.0e-4, hidden: 64}
/// data: {batch_size: 32}
/// ```
public struct ModuleConfiguration<Module: TrainingModule, Data: ConfigurableDataModule>: TrainingConfiguration
    where Module.Hyperparameters: ConfigurationSection, Data.Batch == Module.Batch {
    /// The trainer's flags, callbacks and loggers.
    public var trainer = TrainerConfiguration()
    /// The module's hyper-parameters.
    public var module = Module.Hyperparameters()
    /// The data module's configuration.
    public var data = Data.Configuration()

    /// The defaults of all three.
    public init() {}

    /// `Module(hyperparameters: module)`.
    public func makeModule() throws -> Module { try Module(hyperparameters: module) }

    /// `Data(configuration: data)`.
    public func makeDataModule(for module: Module) throws -> Data {
        let made = try Data(configuration: data)
        made.attach(to: module)
        return made
    }
}
