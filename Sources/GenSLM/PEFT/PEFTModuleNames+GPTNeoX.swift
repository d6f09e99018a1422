import VoltInterop

/// GenSLM's module names in PEFT's adapter files.
extension PEFTModuleNames {
    /// GenSLM's GPT-NeoX names: its output projection is `embed_out` where transformers 5 says `lm_head`.
    public static let gptNeoX = PEFTModuleNames(renames: ["embed_out": "lm_head"])
}
