import ArgumentParser
import Foundation
import GenSLM
import VoltApp
import Volt
import VoltCLI

extension LearningRateSweepMode: ExpressibleByArgument {}

/// `volt lr-find`: the learning-rate range test on the workflow of a configuration.
struct LRFind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Sweep the learning rate over training steps and suggest the one where the loss falls fastest.",
        discussion: """
            Trains the configured module on its training split with the learning rate raised every optimizer step from \
            --min-lr to --max-lr, stops when the smoothed loss passes 4× its best, and writes lr_find.csv and \
            lr_find.svg (the suggestion marked) into --out-dir or the run's log directory. Weights are not saved. \
            Runs as one process whatever trainer.strategy says.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("min-lr"), help: "The first learning rate.")
    var minLR = 1e-8

    @Option(name: .customLong("max-lr"), help: "The last learning rate.")
    var maxLR = 1.0

    @Option(name: .customLong("num-training"), help: "Optimizer steps in the sweep.")
    var numTraining = 100

    @Option(help: "Spacing of the learning rates: exponential or linear.")
    var mode: LearningRateSweepMode = .exponential

    @Option(name: .customLong("early-stop-threshold"), help: "Stop when the smoothed loss exceeds this times its best (0: never).")
    var earlyStopThreshold = 4.0

    @Option(name: .customLong("out-dir"), help: "Where lr_find.csv and lr_find.svg go (default: the run's log directory).")
    var outDir: String?

    @Flag(help: "Print {\"suggestion\", \"min_lr\", \"max_lr\", \"plot\", \"csv\", …} as one JSON object.")
    var json = false

    func run() throws {
        try runReportingErrors {
            // One process whatever trainer.strategy says (FineTuneRun's tuners run strategy single): no relaunch.
            let configuration = try options.load(FineTuneConfiguration.self)
            let (result, report) = try FineTuneRun(configuration).findLearningRate(
                minLR: minLR, maxLR: maxLR, numTraining: numTraining, mode: mode,
                earlyStopThreshold: earlyStopThreshold > 0 ? earlyStopThreshold : nil, outputDirectory: outDir) { point in
                    guard (point.step + 1) % 10 == 0 else { return }
                    FileHandle.standardError.write(Data(String(
                        format: "lr-find: step %d/%d  lr %.3g  smoothed loss %.4f\n", point.step + 1, numTraining, point.lr, point.loss).utf8))
                }
            if json { try printJSON(report); return }
            let suggestion = report.suggestion.map { String(format: "%.3g", $0) }
                ?? "none (too few steps: the suggestion skips the first 10 and the last)"
            print("suggested learning rate: \(suggestion)")
            print("steps: \(result.points.count)" + (result.stoppedEarly ? " (stopped early: the loss diverged)" : ""))
            print("curve: \(report.csv)\nplot: \(report.plot)")
        }
    }
}
