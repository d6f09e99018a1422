import Volt
import VoltNN

/// `peft:` — one parameter-efficient method over frozen base weights, chosen by `type`: `lora` with the options of
/// `LoRAConfiguration` (`r`, `alpha`, `dropout`, `target_modules`, `bias`, `modules_to_save`, `use_rslora`), or
/// `prompt_tuning` with those of ``PromptTuningConfiguration`` (`num_virtual_tokens`, `prompt_tuning_init`,
/// `prompt_tuning_init_text`). Options of the other method are unknown keys.
public enum PEFTMethod: Codable, Sendable, Equatable {
    /// LoRA adapters.
    case lora(LoRAConfiguration)
    /// Learned virtual tokens.
    case promptTuning(PromptTuningConfiguration)

    /// The names `peft.type` takes.
    public enum Kind: String, ConfigurationChoice, Sendable {
        /// ``PEFTMethod/lora(_:)``.
        case lora
        /// ``PEFTMethod/promptTuning(_:)``.
        case promptTuning = "prompt_tuning"
    }

    /// Which method this is.
    public var kind: Kind {
        switch self {
        case .lora: .lora
        case .promptTuning: .promptTuning
        }
    }

    private enum CodingKeys: String, CodingKey { case type }

    /// Decodes `type` (default lora) and that method's options; LoRA options out of range are errors naming `peft`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decodeIfPresent(Kind.self, forKey: .type) ?? .lora {
        case .lora:
            let options = try LoRAConfiguration(from: decoder)
            do { try options.validate() } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
            }
            self = .lora(options)
        case .promptTuning:
            self = .promptTuning(try PromptTuningConfiguration(from: decoder))
        }
    }

    /// Encodes `type` and the method's options side by side.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .type)
        switch self {
        case let .lora(options): try options.encode(to: encoder)
        case let .promptTuning(options): try options.encode(to: encoder)
        }
    }
}
