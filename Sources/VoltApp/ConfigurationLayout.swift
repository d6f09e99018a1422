import TextLM
import Volt

/// Which configuration layout a `volt` command reads, picked by one key, `model.family`, before the layout's type
/// decodes the files: `gpt_neox` (or no `model.family`) is the GenSLM layout (``FineTuneConfiguration``), `llama`
/// and `mixtral` the text layout (``TextFineTuneConfiguration``). Files and overrides are merged as for loading,
/// so `--model.family llama` on the command line selects too.
public enum ConfigurationLayout: String, Sendable, CaseIterable {
    /// GenSLM's codon workflow over GPT-NeoX.
    case genslm
    /// Text fine-tuning of a LLaMA or Mixtral model.
    case text

    /// The key that selects the layout.
    public static let selectingKey = "model.family"
    /// The `model.family` of the GenSLM layout.
    public static let gptNeoXFamily = "gpt_neox"

    /// Every name `model.family` takes.
    public static var familyNames: [String] { [gptNeoXFamily] + CausalLMFamily.allCases.map(\.rawValue) }

    /// The layout of a `model.family` value (`nil`: the key is absent).
    ///
    /// - Throws: `ConfigurationError` naming `source` and the key for another name.
    public static func of(family: String?, source: String = "the configuration") throws -> ConfigurationLayout {
        guard let family, family != gptNeoXFamily else { return .genslm }
        guard CausalLMFamily(rawValue: family) != nil else {
            throw ConfigurationError.invalidValue(file: source, key: selectingKey,
                                                  reason: "must be one of \(familyNames.joined(separator: ", ")), got \(family)")
        }
        return .text
    }

    /// The layout that `paths` (later files winning) and `overrides` select.
    ///
    /// - Throws: `ConfigurationError` for an unreadable file or an unknown family.
    public static func select(paths: [String], overrides: [(key: String, value: String)]) throws -> ConfigurationLayout {
        let family = try ConfigurationLoader.scalar(at: selectingKey, paths: paths, overrides: overrides)
        return try of(family: family, source: paths.last ?? "the configuration")
    }
}
