import VoltNN

// `peft:` is one of two option sets, chosen by `type`; options of the other type are unknown keys.

extension FineTuneConfiguration.PEFTSection {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decodeIfPresent(String.self, forKey: .type) ?? Self().type
        guard type == "lora" || type == "prompt_tuning" else {
            throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                                                   debugDescription: "peft.type \"\(type)\" is not lora or prompt_tuning")
        }
        // Options of the other type are left unread, so the loader reports them as unknown keys.
        if type == "lora" { lora = try LoRAConfiguration(from: decoder) }
        if type == "prompt_tuning" { promptTuning = try PromptTuningConfiguration(from: decoder) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        if type == "prompt_tuning" { try promptTuning.encode(to: encoder) } else { try lora.encode(to: encoder) }
    }
}
