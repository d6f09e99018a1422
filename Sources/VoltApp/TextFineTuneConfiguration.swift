import Foundation
import TextLM
import Volt
import VoltText

/// The text layout of `volt fit` (selected by `model.family: llama` or `mixtral`): the root `seed` and the
/// `model:`, `module:`, `peft:` and `generation:` sections decode straight into the module's hyper-parameters
/// (`CausalLMModule.Hyperparameters`, what its checkpoints save), beside `data:` (VoltText's
/// `TextDataConfiguration`), `trainer:` and `tune:`.
///
/// ```yaml
/// seed: 42
/// model: {family: llama, preset: tiny}
/// module: {lr: 2.0e-4, optimizer: adamw}
/// peft: {r: 8, alpha: 16, target_modules: [q_proj, v_proj]}
/// generation: {max_new_tokens: 24, decoding: greedy}
/// data: {path: corpus.jsonl, tokenizer: tokenizer.json, prompt_template: "{document}\nTL;DR:", eos_token: "</s>"}
/// trainer: {max_epochs: 3, precision: bf16}
/// ```
public struct TextFineTuneConfiguration: ConfigurationSection, Sendable, Equatable {
    /// The module's hyper-parameters: `seed`, `model:`, `module:`, `peft:` and `generation:` at the root.
    public var hyperparameters = CausalLMModule.Hyperparameters()
    /// `data:` — the (prompt, target) files, the tokenizer and the batches.
    public var data = TextDataConfiguration()
    /// The Trainer's flags, callbacks and loggers; `max_epochs` defaults to 3 here.
    public var trainer = TrainerConfiguration()
    /// `tune:` — the search of `volt tune`; absent by default.
    public var tune: FineTuneConfiguration.TuneSection?

    /// The defaults: Lightning's trainer flags, but 3 epochs.
    public init() { trainer.maxEpochs = 3 }

    private enum CodingKeys: String, CodingKey { case data, trainer, tune }

    /// Decodes the hyper-parameters' keys and the other sections beside them.
    public init(from decoder: Decoder) throws {
        hyperparameters = try CausalLMModule.Hyperparameters(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(TextDataConfiguration.self, forKey: .data)
        trainer = try c.decode(TrainerConfiguration.self, forKey: .trainer)
        tune = try c.decodeIfPresent(FineTuneConfiguration.TuneSection.self, forKey: .tune)
    }

    /// Encodes the hyper-parameters' keys and the other sections side by side, as one file.
    public func encode(to encoder: Encoder) throws {
        try hyperparameters.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(data, forKey: .data)
        try c.encode(trainer, forKey: .trainer)
        try c.encodeIfPresent(tune, forKey: .tune)
    }
}

extension TextFineTuneConfiguration: TunableConfiguration {
    /// A new module of the hyper-parameters.
    public func makeModule() throws -> CausalLMModule { try CausalLMModule.starting(from: hyperparameters) }

    /// The trainer of `trainer:`; `callbacks` join the configured ones.
    ///
    /// - Throws: `TrainerError/misconfiguration(_:)` for flags the trainer refuses, or for `zero3` with
    ///   `model.family: mixtral` (ZeRO-3 gathers dense decoder layers; expert layers train under ddp, zero1 or zero2).
    public func makeTrainer(callbacks: [any Callback]) throws -> Trainer {
        if trainer.strategy == .zero3 && hyperparameters.model.family == .mixtral {
            throw TrainerError.misconfiguration(
                "trainer.strategy zero3 gathers dense LLaMA decoder layers; model.family mixtral trains under ddp, zero1 or zero2")
        }
        return try Trainer(configuration: trainer, callbacks: callbacks)
    }

    /// The data of `data:`; its tokenizer decodes the module's generations.
    ///
    /// - Throws: what reading the tokenizer throws; `ConfigurationValueError` when it does not fit the model.
    public func makeDataModule(for module: CausalLMModule) throws -> TextDataModule {
        let data = try TextDataModule(configuration: data)
        try module.attach(TextDecoding(tokenizer: data.tokenizer, eosID: data.eosID))
        return data
    }
}
