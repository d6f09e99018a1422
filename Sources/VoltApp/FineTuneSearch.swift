import GenSLM
import Foundation
import VoltInterop
import Volt
import VoltSearch

/// The hyper-parameter search of `volt tune`: a study (`VoltSearch/Study`) whose trials are real fits of a
/// configuration layout (GenSLM's ``FineTuneConfiguration`` or the text layout ``TextFineTuneConfiguration``), each
/// with the sampled values applied to the typed configuration as dotted overrides (`module.lr`, `peft.r`, …) and run
/// in its own folder `<default_root_dir>/trials/trial_N/`.
public struct FineTuneSearch<Configuration: TunableConfiguration> {
    /// The configuration without sampled values (files and command-line overrides already applied).
    public let configuration: Configuration
    /// Its `tune:` section.
    public let tune: FineTuneConfiguration.TuneSection

    /// The search of `configuration`.
    ///
    /// - Throws: `ConfigurationError` for a missing `tune:` section or a space key that is not a configuration key
    ///   of the right type, `VoltSearch/TuneError` for a bad `tune:` section.
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        guard let tune = configuration.tune else {
            throw ConfigurationError.invalidValue(file: "the configuration", key: "tune",
                                                  reason: "volt tune needs a tune: section (Sources/VoltSearch/VoltSearch.docc/tuning.md)")
        }
        self.tune = tune
        _ = try studySettings()
        // Each key must be a configuration key of the right type: try the first grid value (or low) of each.
        for (name, distribution) in try space().parameters {
            let probe = distribution.gridValues?.first ?? { if case let .float(low, _, _, _) = distribution { return low }; return 0 }()
            _ = try sampledConfiguration([name: distribution.externalValue(probe)])
        }
    }

    /// The configuration with `params` (dotted keys) set, checked as a file would be.
    func sampledConfiguration(_ params: [String: JSONValue]) throws -> Configuration {
        let settings = params.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value as any Encodable) }
        return try ConfigurationLoader.applying(settings, to: configuration, source: "tune.space")
    }

    /// The folder trials and the default study database live in (`trainer.default_root_dir`).
    public var root: String { configuration.trainer.defaultRootDir }

    /// `tune.storage`, or `sqlite:///<root>/study.db`.
    public var storageURL: String { tune.storage ?? "sqlite:///" + root + "/study.db" }

    /// The search space of `tune.space`.
    public func space() throws -> SearchSpace {
        guard !tune.space.isEmpty else { throw TuneError.invalidSetting(key: "space", reason: "no parameter to search") }
        var parameters: [String: ParameterDistribution] = [:]
        for (name, entry) in tune.space { parameters[name] = try Self.distribution(entry, name: name) }
        return try SearchSpace(parameters)
    }

    /// The study settings of `tune:`.
    public func studySettings() throws -> StudySettings {
        let direction: StudyDirection = switch tune.direction {
        case .minimize: .minimize
        case .maximize: .maximize
        }
        let seed = UInt64(bitPattern: Int64(tune.seed))
        let sampler: any Sampler = switch tune.sampler {
        case .tpe: TPESampler(seed: seed, startupTrials: tune.nStartupTrials)
        case .random: RandomSampler(seed: seed)
        case .grid: GridSampler(seed: seed)
        }
        let pruner: any Pruner = switch tune.pruner {
        case .median: MedianPruner(startupTrials: tune.prunerStartupTrials, warmupSteps: tune.prunerWarmupSteps)
        case .successiveHalving: SuccessiveHalvingPruner()
        case .none: NoPruner()
        }
        let space = try space()
        if tune.sampler == .grid { _ = try GridSampler.gridSize(space) }
        return StudySettings(name: tune.studyName, direction: direction, nTrials: tune.nTrials, space: space, sampler: sampler,
                             pruner: pruner, heartbeatInterval: tune.heartbeatInterval, gracePeriod: tune.gracePeriod)
    }

    /// A `space:` entry as a distribution.
    static func distribution(_ p: FineTuneConfiguration.SearchParameterSection, name: String) throws -> ParameterDistribution {
        func bound(_ v: Double?, _ key: String) throws -> Double {
            guard let v else { throw TuneError.invalidDistribution(name: name, reason: "\(p.type) needs \(key)") }
            return v
        }
        switch p.type {
        case .float: return .float(low: try bound(p.low, "low"), high: try bound(p.high, "high"), step: p.step, log: p.log)
        case .int:
            let low = try bound(p.low, "low"), high = try bound(p.high, "high"), step = p.step ?? 1
            guard low == low.rounded(), high == high.rounded(), step == step.rounded(), abs(low) < 9e15, abs(high) < 9e15 else {
                throw TuneError.invalidDistribution(name: name, reason: "low, high and step of an int must be whole numbers")
            }
            return .int(low: Int(low), high: Int(high), step: Int(step), log: p.log)
        case .categorical:
            guard let choices = p.choices else { throw TuneError.invalidDistribution(name: name, reason: "categorical needs choices") }
            return .categorical(choices)
        }
    }

    /// The folder of trial `number`.
    public func trialDirectory(_ number: Int) -> String { root + "/trials/trial_\(number)" }

    /// The configuration of a trial, built in memory: the sampled values set on the search's configuration, the
    /// trial's own root folder, and checkpoint folders inside it.
    public func trialConfiguration(number: Int, params: [String: JSONValue]) throws -> Configuration {
        var c = try sampledConfiguration(params)
        let directory = trialDirectory(number)
        c.trainer.defaultRootDir = directory
        c.trainer.callbacks = c.trainer.callbacks.map { entry in
            guard case var .modelCheckpoint(m) = entry, m.dirpath != nil else { return entry }
            m.dirpath = directory + "/checkpoints"
            return .modelCheckpoint(m)
        }
        c.tune = nil
        return c
    }

    /// Runs the study to `tune.n_trials`: each trial is a fit reporting `tune.metric` at every validation.
    /// `onTrialEnd` sees each trial this process ends.
    ///
    /// Under MPI (DDP or ZeRO-1 trials) rank 0 owns the study: it claims each trial and sends its number and
    /// parameters to the other ranks, every rank runs the trial's fit, and rank 0 sends each pruning decision so all
    /// ranks stop together. The other ranks return `nil`.
    @discardableResult
    public func run(world: MPICommunicator? = MPICommunicator.world, onTrialEnd: (TrialRecord) -> Void = { _ in }) throws -> Study? {
        let channel = world.flatMap { $0.size > 1 ? RankChannel(world: $0) : nil }
        if let channel, channel.world.rank != 0 {
            try followTrials(channel)
            return nil
        }
        let study = try Study(storage: try StudyStorage(url: storageURL), settings: try studySettings())
        try study.optimize({ trial in
            channel?.send(JSONValue.object([("number", .int(trial.number)),
                                            ("params", .object(trial.params.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))]).text)
            let pruning = TrialPruningCallback(monitor: tune.metric) { value, step in
                let prune = try trial.report(value, step: step)
                channel?.send(prune ? "prune" : "continue")
                return prune
            }
            let (summary, directory) = try fitTrial(number: trial.number, params: trial.params, pruning: pruning)
            try trial.setUserAttribute("trial_dir", .string(directory))
            if !summary.bestModelPath.isEmpty { try trial.setUserAttribute("best_checkpoint", .string(summary.bestModelPath)) }
            guard let value = pruning.lastValue else {
                throw TrainerError.monitoredKeyMissing(callback: "volt tune", key: tune.metric, available: [])
            }
            return value
        }, onTrialEnd: onTrialEnd)
        channel?.send("")
        return study
    }

    /// The fit of one trial in its folder.
    func fitTrial(number: Int, params: [String: JSONValue], pruning: TrialPruningCallback) throws -> (FitSummary, String) {
        let configuration = try trialConfiguration(number: number, params: params)
        let directory = configuration.trainer.defaultRootDir
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try configuration.fit(callbacks: [pruning]), directory)
    }

    /// A rank other than 0: runs the trials rank 0 sends until it sends the end.
    func followTrials(_ channel: RankChannel) throws {
        while true {
            let message = channel.receive()
            if message.isEmpty { return }
            let trial = try JSONValue.parse(message)
            guard let number = trial["number"]?.double, case let .object(members)? = trial["params"] else {
                throw TuneError.invalidSetting(key: "space", reason: "rank \(channel.world.rank) received a malformed trial: \(message)")
            }
            let pruning = TrialPruningCallback(monitor: tune.metric) { _, _ in channel.receive() == "prune" }
            _ = try fitTrial(number: Int(number), params: Dictionary(members, uniquingKeysWith: { a, _ in a }), pruning: pruning)
        }
    }
}
