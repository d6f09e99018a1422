import Foundation

/// Saves checkpoints while training, keeping the best `saveTopK` by a monitored metric — Lightning's
/// `ModelCheckpoint`, with its file naming, top-k bookkeeping and saved state.
///
/// With a `monitor`, it saves after each validation (or at the end of each training epoch when there is no
/// validation); without one, it saves the latest. `saveTopK`: -1 keeps all, 0 none (only `last.h5` when
/// `saveLast`). Files are written atomically by the trainer, on rank 0 only.
public final class ModelCheckpoint: Callback {
    /// Where checkpoints go (default: `<log dir>/checkpoints`).
    public private(set) var dirpath: String?
    /// File-name template (default `epoch={epoch}-step={step}`).
    public let filename: String?
    /// The logged metric that ranks checkpoints (`val_loss`); nil saves the latest only.
    public let monitor: String?
    /// Whether lower or higher values of `monitor` are better.
    public let mode: MonitorMode
    /// How many of the best checkpoints to keep: -1 all, 0 none.
    public let saveTopK: Int
    /// Whether `last.h5` is written as well, so a run can resume from its latest state.
    public let saveLast: Bool
    /// Save at the end of every this many epochs (0: never by epoch).
    public let everyNEpochs: Int
    /// Save every this many optimizer steps instead of by epoch (0: by epoch).
    public let everyNTrainSteps: Int
    /// Whether `{val_loss}` in `filename` expands to `val_loss=0.52` (true) or to `0.52` (false), as in Lightning.
    public let autoInsertMetricName: Bool
    /// Save without optimizer and loop state (a weights-only checkpoint cannot resume training).
    public let saveWeightsOnly: Bool

    /// Path of the best checkpoint so far ("" before the first save).
    public private(set) var bestModelPath = ""
    /// Its monitored score.
    public private(set) var bestModelScore: Double?
    /// Every kept checkpoint with its score.
    public private(set) var bestKModels: [String: Double] = [:]
    /// The kept checkpoint with the worst score.
    public private(set) var kthBestModelPath = ""
    /// Path of `last.h5`, once written.
    public private(set) var lastModelPath = ""
    private var lastSavedStep: Int?

    /// Extension of checkpoint files.
    public static let fileExtension = ".h5"
    /// Name of the "last" checkpoint.
    public static let lastName = "last"

    /// A checkpoint callback (Lightning's argument names and defaults).
    public init(dirpath: String? = nil, filename: String? = nil, monitor: String? = nil, mode: MonitorMode = .min,
                saveTopK: Int = 1, saveLast: Bool = false, everyNEpochs: Int = 1, everyNTrainSteps: Int = 0,
                autoInsertMetricName: Bool = true, saveWeightsOnly: Bool = false) {
        precondition(saveTopK >= -1, "saveTopK must be ≥ -1")
        self.dirpath = dirpath
        self.filename = filename
        self.monitor = monitor
        self.mode = mode
        self.saveTopK = saveTopK
        self.saveLast = saveLast
        self.everyNEpochs = everyNEpochs
        self.everyNTrainSteps = everyNTrainSteps
        self.autoInsertMetricName = autoInsertMetricName
        self.saveWeightsOnly = saveWeightsOnly
    }

    public var monitoredMetric: String? { monitor }

    public var stateKey: String? { "ModelCheckpoint{monitor=\(monitor ?? "None"),mode=\(mode.rawValue)}" }

    public func onFitStart(_ trainer: Trainer) throws {
        if dirpath == nil { dirpath = trainer.logDirectory + "/checkpoints" }
    }

    public func onTrainBatchEnd(_ trainer: Trainer, batchIndex: Int) throws {
        guard everyNTrainSteps > 0, trainer.globalStep > 0, trainer.globalStep % everyNTrainSteps == 0 else { return }
        try save(trainer)
    }

    public func onValidationEnd(_ trainer: Trainer) throws {
        guard everyNTrainSteps == 0, savesOnValidation(trainer), epochMatches(trainer) else { return }
        try save(trainer)
    }

    public func onTrainEpochEnd(_ trainer: Trainer) throws {
        guard everyNTrainSteps == 0, !savesOnValidation(trainer), epochMatches(trainer) else { return }
        try save(trainer)
    }

    /// Lightning saves on validation end when a validation loop runs this fit, else on train epoch end.
    private func savesOnValidation(_ trainer: Trainer) -> Bool { trainer.hasValidation }

    private func epochMatches(_ trainer: Trainer) -> Bool {
        everyNEpochs > 0 && (trainer.currentEpoch + 1) % everyNEpochs == 0
    }

    /// The metrics available for names and monitoring: the callback metrics plus `epoch` and `step`.
    private func candidates(_ trainer: Trainer) -> [String: Double] {
        var metrics = trainer.callbackMetrics
        metrics["epoch"] = Double(trainer.currentEpoch)
        metrics["step"] = Double(trainer.globalStep)
        return metrics
    }

    /// Saves according to the top-k rule and `saveLast`.
    func save(_ trainer: Trainer) throws {
        guard trainer.isFitting, !trainer.isSanityChecking, lastSavedStep != trainer.globalStep || trainer.globalStep == 0 else { return }
        let metrics = candidates(trainer)
        if let monitor {
            // A missing key throws on every rank alike (the key set is the same on every rank).
            guard let local = metrics[monitor] else {
                throw TrainerError.monitoredKeyMissing(callback: "ModelCheckpoint", key: monitor,
                                                       available: trainer.callbackMetrics.keys.sorted())
            }
            // Rank 0's score decides, so every rank keeps the same top-k and enters the same collective saves.
            let score = trainer.strategy.rankZeroValue(local)
            if wouldKeep(score) { try saveTopK(score: score, metrics: metrics, trainer: trainer) }
        } else if saveTopK != 0 {
            try saveLatest(metrics: metrics, trainer: trainer)
        }
        if saveLast {
            let path = directory + "/" + Self.lastName + Self.fileExtension
            try trainer.saveCheckpoint(to: path, weightsOnly: saveWeightsOnly)
            lastModelPath = path
        }
        lastSavedStep = trainer.globalStep
    }

    private var directory: String { dirpath ?? "checkpoints" }

    private func wouldKeep(_ score: Double) -> Bool {
        if saveTopK == 0 { return false }
        if saveTopK == -1 || bestKModels.count < saveTopK { return true }
        let kth = bestKModels[kthBestModelPath] ?? mode.worst
        return mode.isBetter(score.isNaN ? mode.worst : score, than: kth)
    }

    private func saveTopK(score raw: Double, metrics: [String: Double], trainer: Trainer) throws {
        let score = raw.isNaN ? mode.worst : raw
        var replaced: String?
        if saveTopK > 0, bestKModels.count == saveTopK {
            replaced = kthBestModelPath
            bestKModels[kthBestModelPath] = nil
        }
        let path = uniquePath(metrics: metrics, except: replaced)
        bestKModels[path] = score
        refreshRanking()
        try trainer.saveCheckpoint(to: path, weightsOnly: saveWeightsOnly)
        if let replaced, replaced != path, trainer.strategy.isGlobalZero { try? FileManager.default.removeItem(atPath: replaced) }
    }

    private func saveLatest(metrics: [String: Double], trainer: Trainer) throws {
        let path = uniquePath(metrics: metrics, except: saveTopK == 1 ? bestModelPath : nil)
        let previous = bestModelPath
        try trainer.saveCheckpoint(to: path, weightsOnly: saveWeightsOnly)
        if saveTopK == 1 {
            bestKModels = [path: 0]
            if !previous.isEmpty, previous != path, trainer.strategy.isGlobalZero {
                try? FileManager.default.removeItem(atPath: previous)
            }
        } else {
            bestKModels[path] = 0
        }
        bestModelPath = path
        kthBestModelPath = path
    }

    private func refreshRanking() {
        let ranked = bestKModels.sorted { mode.isBetter($0.value, than: $1.value) || ($0.value == $1.value && $0.key < $1.key) }
        bestModelPath = ranked.first?.key ?? ""
        bestModelScore = ranked.first?.value
        kthBestModelPath = ranked.last?.key ?? ""
    }

    /// The formatted path, with `-v1`, `-v2`, … appended while a different file of that name exists.
    private func uniquePath(metrics: [String: Double], except replaced: String?) -> String {
        let template = filename ?? "{epoch}-{step}"
        let name = CheckpointFilename.format(template, metrics: metrics, autoInsertMetricName: autoInsertMetricName)
        var path = directory + "/" + name + Self.fileExtension
        var version = 1
        while FileManager.default.fileExists(atPath: path), path != replaced {
            path = directory + "/" + name + "-v\(version)" + Self.fileExtension
            version += 1
        }
        return path
    }

    private struct SavedState: Codable {
        var monitor: String?
        var best_model_score: Double?
        var best_model_path: String
        var best_k_models: [String: Double]
        var kth_best_model_path: String
        var last_model_path: String
        var dirpath: String?
    }

    public func state() throws -> String {
        let s = SavedState(monitor: monitor, best_model_score: bestModelScore, best_model_path: bestModelPath,
                           best_k_models: bestKModels, kth_best_model_path: kthBestModelPath,
                           last_model_path: lastModelPath, dirpath: dirpath)
        return try CallbackStateCoder.encode(s)
    }

    public func load(state: String) throws {
        let s = try CallbackStateCoder.decode(SavedState.self, from: state)
        // Lightning restores the ranking only when the directory is the same.
        guard s.dirpath == dirpath || dirpath == nil else { return }
        dirpath = s.dirpath ?? dirpath
        bestModelScore = s.best_model_score
        bestModelPath = s.best_model_path
        bestKModels = s.best_k_models
        kthBestModelPath = s.kth_best_model_path
        lastModelPath = s.last_model_path
    }
}
