import Foundation
import Volt

/// Where the frozen base weights of a LoRA run come from: a file, checked by its SHA-256, or GPT-NeoX's random
/// initialisation of a preset from a seed (reproducible bit for bit, so nothing needs to be stored).
/// LoRA checkpoints hold this reference instead of the base weights.
public enum BaseWeights: Sendable, Equatable, CustomStringConvertible {
    /// A Volt checkpoint (.h5) or safetensors file (or folder), and the SHA-256 of the file read.
    case file(path: String, sha256: String)
    /// The random initialisation of `preset` with `seed`.
    case random(preset: String, seed: Int)

    /// The file a base path names: a safetensors folder stands for its `model.safetensors`.
    static func weightsFile(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        return isDirectory.boolValue ? path + "/model.safetensors" : path
    }

    /// The random base of a module of `h` built as `model`: its preset (or `model_config`) and seed.
    static func random(describing h: GenSLMModule.Hyperparameters, model: GPTNeoX) -> BaseWeights {
        .random(preset: h.model.modelConfig == nil ? h.model.preset.rawValue : "model_config \(model.configuration.jsonString)",
                seed: h.seed)
    }

    public var description: String {
        switch self {
        case let .file(path, sha256): "\(path) (sha256 \(sha256))"
        case let .random(preset, seed): "random initialisation of \(preset) with seed \(seed)"
        }
    }
}

/// A LoRA checkpoint or run whose base weights are not the ones it was made against.
public enum BaseWeightsError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint was trained over `expected`, the run has `found`.
    case mismatch(checkpointBase: String, runBase: String)

    public var description: String {
        switch self {
        case let .mismatch(checkpointBase, runBase):
            "LoRA checkpoint was trained over base weights \(checkpointBase), but this run's base is \(runBase); "
                + "set model.init to the same base (a changed file has another sha256)"
        }
    }
}
