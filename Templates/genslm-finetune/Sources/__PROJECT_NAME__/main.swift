import Foundation
import GenSLM
import Volt

// Reads config.yaml (the same file `volt fit` takes, with the same `--section.key value` overrides), fine-tunes,
// and restores the best checkpoint:  swift run -c release __PROJECT_NAME__ [config.yaml] [--trainer.max_epochs 1]
func fineTune(arguments: [String]) throws {
    let path = arguments.first.flatMap { $0.hasPrefix("--") ? nil : $0 } ?? "config.yaml"
    let overrides = try ConfigurationLoader.parseOverrides(Array(arguments.drop { !$0.hasPrefix("--") }))
    let configuration = try ConfigurationLoader.load(path: path, overrides: overrides)
    if configuration.trainer.strategy != "single" {
        try MPILauncher.relaunchIfNeeded(devices: configuration.trainer.devices)  // as `mpirun -np N`, then exits
    }
    let module = try GenSLMFineTuner(hyperparameters: [
        "accumulation_steps": .int(configuration.module.accumulationSteps), "lr": .double(configuration.module.lr),
        "preset": .string(configuration.model.preset),
    ])
    let run = FineTuneRun(configuration)
    let (dataset, train, val) = try run.makeData(maxPositions: module.model.configuration.maxPositionEmbeddings)
    let trainer = try run.makeTrainer()
    try trainer.fit(module, train: dataset.loader(train, batchSize: configuration.data.batchSize, shuffle: true,
                                                   seed: UInt64(configuration.seed), workers: configuration.data.numWorkers),
                    val: val.map { dataset.loader($0, batchSize: configuration.data.batchSize) })
    if trainer.strategy.isGlobalZero, let best = trainer.checkpointCallback, !best.bestModelPath.isEmpty {
        let restored = try GenSLMFineTuner.load(from: best.bestModelPath)
        print("best checkpoint: \(best.bestModelPath) (val_loss \(best.bestModelScore.map { String(format: "%.4f", $0) } ?? "?"))")
        print("restored \(restored.model.parameterCount) parameters")
    }
}

do {
    try fineTune(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data("__PROJECT_NAME__: \(error)\n".utf8))
    exit(1)
}
