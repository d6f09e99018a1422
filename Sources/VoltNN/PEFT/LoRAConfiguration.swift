/// LoRA's options, with PEFT's meaning (`peft.LoraConfig`): which `Linear` layers get a low-rank update
/// W + (alpha / r)·B·A, how it is scaled and regularised, and what else stays trainable.
///
/// Keys (snake_case, as in YAML): `r`, `alpha`, `dropout`, `target_modules`, `bias`, `modules_to_save`,
/// `use_rslora`. A missing key keeps its default.
public struct LoRAConfiguration: Codable, Sendable, Equatable {
    /// Rank of the update. Default 8.
    public var r = 8
    /// The update is scaled by alpha / r (alpha / √r with ``useRSLoRA``). Default 8 (PEFT's `lora_alpha`).
    public var alpha = 8.0
    /// Dropout probability on the adapter's input. Default 0 (PEFT's `lora_dropout`).
    public var dropout = 0.0
    /// Which layers get an adapter. Default `[query_key_value]` (PEFT's choice for GPT-NeoX).
    public var targetModules = TargetModules.names(["query_key_value"])
    /// Which biases train. Default none.
    public var bias = LoRABias.none
    /// Modules (names or dotted suffixes, as for target names) trained in full besides the adapters.
    public var modulesToSave: [String] = []
    /// Scale by alpha / √r (rank-stabilised LoRA) instead of alpha / r. Default false.
    public var useRSLoRA = false

    /// The defaults.
    public init() {}

    /// A configuration with the given options.
    public init(r: Int, alpha: Double, dropout: Double = 0, targetModules: TargetModules = .names(["query_key_value"]),
                bias: LoRABias = .none, modulesToSave: [String] = [], useRSLoRA: Bool = false) {
        self.r = r
        self.alpha = alpha
        self.dropout = dropout
        self.targetModules = targetModules
        self.bias = bias
        self.modulesToSave = modulesToSave
        self.useRSLoRA = useRSLoRA
    }

    /// The factor the update B·A is multiplied by.
    public var scaling: Double { useRSLoRA ? alpha / Double(r).squareRoot() : alpha / Double(r) }

    /// The YAML / JSON keys.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        /// The key of the property of the same name, in snake case.
        case r, alpha, dropout, targetModules = "target_modules", bias, modulesToSave = "modules_to_save"
        /// The key of ``LoRAConfiguration/useRSLoRA``: PEFT's `use_rslora`.
        case useRSLoRA = "use_rslora"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self), d = Self()
        r = try c.decodeIfPresent(Int.self, forKey: .r) ?? d.r
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? d.alpha
        dropout = try c.decodeIfPresent(Double.self, forKey: .dropout) ?? d.dropout
        targetModules = try c.decodeIfPresent(TargetModules.self, forKey: .targetModules) ?? d.targetModules
        bias = try c.decodeIfPresent(LoRABias.self, forKey: .bias) ?? d.bias
        modulesToSave = try c.decodeIfPresent([String].self, forKey: .modulesToSave) ?? d.modulesToSave
        useRSLoRA = try c.decodeIfPresent(Bool.self, forKey: .useRSLoRA) ?? d.useRSLoRA
    }

    /// Checks the ranges of the options.
    ///
    /// - Throws: ``LoRAError/invalidConfiguration(_:)`` naming the key.
    public func validate() throws(LoRAError) {
        guard r >= 1 else { throw .invalidConfiguration("r must be ≥ 1, not \(r)") }
        guard alpha > 0, alpha.isFinite else { throw .invalidConfiguration("alpha must be > 0, not \(alpha)") }
        guard dropout >= 0, dropout < 1 else { throw .invalidConfiguration("dropout must be in [0, 1), not \(dropout)") }
        if case let .names(names) = targetModules, names.isEmpty {
            throw .invalidConfiguration("target_modules is empty")
        }
        if case let .pattern(pattern) = targetModules, (try? Regex(pattern)) == nil {
            throw .invalidConfiguration("target_modules pattern \"\(pattern)\" is not a valid regular expression")
        }
    }
}

/// Which layers LoRA adapts: a list of names, each matching a module whose dotted name is it or ends with
/// `.name` (`query_key_value` matches `gpt_neox.layers.0.attention.query_key_value`), or one regular expression
/// that must match a module's whole dotted name — PEFT's two forms of `target_modules` (list or string).
public enum TargetModules: Codable, Sendable, Equatable {
    /// Module names or dotted suffixes.
    case names([String])
    /// A regular expression over whole module names.
    case pattern(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let names = try? c.decode([String].self) { self = .names(names) } else { self = .pattern(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .names(names): try c.encode(names)
        case let .pattern(pattern): try c.encode(pattern)
        }
    }

    /// Whether the module called `name` is a target.
    public func matches(_ name: String) -> Bool {
        switch self {
        case let .names(names): names.contains { name == $0 || name.hasSuffix("." + $0) }
        case let .pattern(pattern): (try? Regex(pattern)).map { name.wholeMatch(of: $0) != nil } ?? false
        }
    }
}

/// Which biases train alongside the adapters (PEFT's `bias`).
public enum LoRABias: String, Codable, Sendable, CaseIterable {
    /// Every bias stays frozen.
    case none
    /// Every bias of the model trains.
    case all
    /// Only the biases of adapted layers train.
    case loraOnly = "lora_only"
}

/// Errors of attaching, merging or loading LoRA adapters.
public enum LoRAError: Error, Equatable, CustomStringConvertible {
    /// An option out of range.
    case invalidConfiguration(String)
    /// No `Linear` layer matched `target_modules`.
    case noTargetModules(String)
    /// A layer already carries an adapter.
    case alreadyAdapted(String)
    /// An entry of `modules_to_save` matches no module.
    case noModuleToSave(String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(detail): "LoRA configuration: \(detail)"
        case let .noTargetModules(targets): "LoRA: no Linear layer matches target_modules \(targets)"
        case let .alreadyAdapted(name): "LoRA: \(name) already has an adapter"
        case let .noModuleToSave(name): "LoRA: modules_to_save entry \"\(name)\" matches no module"
        }
    }
}
