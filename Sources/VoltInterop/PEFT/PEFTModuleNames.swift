/// The translation between a Volt model's parameter names and the keys of PEFT's `adapter_model.safetensors`
/// (and the module names of its `adapter_config.json`).
///
/// PEFT keys are `base_model.model.` + transformers' parameter name, with an adapted layer's own weight and bias
/// under `base_layer`. A model whose names are transformers' own (LLaMA, Mixtral) needs no renames
/// (``transformers``); a model that names a top-level module otherwise lists it in ``renames``.
public struct PEFTModuleNames: Sendable, Equatable {
    /// The prefix PEFT's `PeftModel` puts before the base model's names.
    public static let prefix = "base_model.model."

    /// Names equal to transformers': nothing renamed.
    public static let transformers = PEFTModuleNames()

    /// Volt's name of a top-level module → transformers' name of it (GenSLM: `embed_out` → `lm_head`).
    public var renames: [String: String]

    /// A translation that renames the top-level modules in `renames` (Volt's name → transformers').
    public init(renames: [String: String] = [:]) {
        self.renames = renames
    }

    /// transformers' module name for a Volt one (`embed_out` → `lm_head` under GenSLM's renames).
    func transformersModule(_ name: String) -> String {
        Self.rename(name, renames)
    }

    /// Volt's module name for a transformers one (`lm_head` → `embed_out` under GenSLM's renames).
    func voltModule(_ name: String) -> String {
        Self.rename(name, Dictionary(renames.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The PEFT key of Volt parameter `name`; `adapted` holds the names of the layers that carry adapters (PEFT
    /// moves their own weight and bias under `base_layer`).
    func peftKey(_ name: String, adapted: Set<String>) -> String {
        let module = name.split(separator: ".").dropLast().joined(separator: ".")
        let leaf = name.split(separator: ".").last.map(String.init) ?? name
        let inner = adapted.contains(module) && (leaf == "bias" || leaf == "weight") ? module + ".base_layer." + leaf : name
        return Self.prefix + transformersModule(inner)
    }

    /// Volt's parameter name for a PEFT key, or `nil` when the key lacks PEFT's prefix.
    func voltName(_ key: String) -> String? {
        guard key.hasPrefix(Self.prefix) else { return nil }
        return voltModule(String(key.dropFirst(Self.prefix.count)).replacingOccurrences(of: ".base_layer.", with: "."))
    }

    /// `name` with its first component renamed as `table` says (the whole name, or the part before the first dot).
    private static func rename(_ name: String, _ table: [String: String]) -> String {
        let head = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        guard let renamed = table[head] else { return name }
        return renamed + name.dropFirst(head.count)
    }
}
